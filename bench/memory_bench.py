"""Memory of a MemoryStore holding ``charts`` x ``window`` points (run as a script).

Fills a fresh MemoryStore with points shaped as ``charts.append(name,
("12:00:01.100", 21.5))`` stores them (``normalize_points`` makes each one
``(0, ["...", 21.5])``), and prints the growth of this process's RSS as JSON,
with the time of one reader's full-window read (``since(None)``, what a new
viewer's chart document costs) and of a 10-point incremental read.
"""

from __future__ import annotations

import gc
import json
import sys
import time

from flask_pyecharts.streams.cursors import Cursor
from flask_pyecharts.streams.points import normalize_points
from flask_pyecharts.streams.stores.memory import MemoryStore


def rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def main(charts: int, window: int) -> dict:
    gc.collect()
    before = rss_bytes()
    store = MemoryStore(max_window=window)
    start = time.perf_counter()
    base = 1_795_000_000.0
    # One realistic append (through normalize_points) checks the shape...
    sample = normalize_points([(f"{base:.3f}", 21.5)])
    # ...then the same shape is made directly, which is faster to fill with.
    for c in range(charts):
        name = f"c{c}"
        store.configure(name, window)
        for first in range(0, window, 10_000):
            store.append(
                name,
                [
                    (0, [f"{base + i * 0.1:.3f}", 20.0 + (i % 97) / 4])
                    for i in range(first, min(window, first + 10_000))
                ],
            )
    fill = time.perf_counter() - start
    gc.collect()
    after = rss_bytes()
    points = charts * window
    start = time.perf_counter()
    page = store.since("c0", None)
    full_read = time.perf_counter() - start
    head = Cursor.decode(store.head("c0"))
    cursor = Cursor(head.epoch, head.seq - 10).encode()
    start = time.perf_counter()
    for _ in range(1000):
        store.since("c0", cursor)
    small_read = (time.perf_counter() - start) / 1000
    assert len(page.points) == window and page.points[0][1][0] == sample[0][1][0]
    return {
        "charts": charts,
        "window": window,
        "points": points,
        "rss_growth_bytes": after - before,
        "bytes_per_point": (after - before) / points,
        "fill_s": fill,
        "full_window_read_ms": full_read * 1e3,
        "read_10_points_us": small_read * 1e6,
    }


if __name__ == "__main__":
    charts, window = int(sys.argv[1]), int(sys.argv[2])
    print(json.dumps(main(charts, window)))
