"""S9: a wall screen left on: ``.venv/bin/python -m bench.soak --minutes 60``.

The demo (on its SQLite file, orders inserted ``--speed`` times faster than
its own simulator does, so that a day of new time labels passes in a few
hours) is shown in headless Chromium at 1920x1080 through a proxy whose
network can be cut; Chromium is driven over its DevTools pipe with nothing
recording the page's network (bench/cdp.py: as on a TV). Every ``--sample``
seconds, after a full garbage collection (what is left is what the page
holds, not what it has yet to free): the page's JS heap, DOM nodes and event
listeners, its main-thread seconds a minute, the renderer's and the server's
resident memory. Every 30 s the region filter moves to the next region (when
the page has one), so that the page has shown every region after the
warm-up. At a quarter of the run the server is restarted (SIGTERM, then the
same command on the same files); at half of it the network is cut for 30 s
(packets lost, nothing closed): the second half is left undisturbed, long
enough for a slope. After each, the time from the server (or the network)
being back to every chart live again, and whether the live order stream on
the page is exactly the server's window (no point lost or repeated).
``--renew-after`` sets the demo's ``PYECHARTS_RENEW_AFTER``. With
``--snapshots``, a heap snapshot (bench/heap.py) is taken at the first sample
after each renewal past the warm-up; the first and the last are kept in
bench/logs and what grew between them is reported. At the end,
each figure's slope an hour after ``--warm-up`` minutes (the server's from
its restart on) against the issue's targets. Results in
``bench/results/soak.json`` (or ``--out``); see bench/README.md.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import random
import signal
import subprocess
import tempfile
import time
import typing as t
import urllib.request
from pathlib import Path

from tests.net import CuttableProxy

from bench import heap
from bench.browser import _metrics
from bench.cdp import Chromium, Page
from bench.run import LOGS, ROOT, VENV, free_port, log

RESULTS = ROOT / "bench" / "results" / "soak.json"
#: Orders a second of the demo's own simulator.
DEMO_RATE = 0.5
#: The demo's live order stream: the page must hold exactly its window.
STREAM = "live_orders"

STATUS = "() => FlaskPyecharts.status().map((s) => s.state)"
#: The renewal frames of the page and whether each is shown.
FRAMES = """() => [...document.querySelectorAll("iframe.fpe-renewal-frame")].map(
  (frame) => frame.className)"""
#: The stream chart's points as the page holds them (in the frame a renewed
#: page shows, once it has been renewed).
PAGE_POINTS = """(name) => {
  const frame = document.querySelector(".fpe-renewal-frame--shown");
  const doc = frame ? frame.contentDocument : document;
  const el = [...doc.querySelectorAll("[data-chart]")]
    .find((e) => e.getAttribute("data-chart").endsWith("/charts/" + name));
  if (!el) return null;
  const option = FlaskPyecharts.instance(el).getOption();
  return option.series.map((s) => s.data);
}"""
#: Whether a renewal was shown since the last time this was asked.
RENEWED = """() => {
  const frame = document.querySelector(".fpe-renewal-frame--shown");
  if (!frame || frame.dataset.benchSeen) return false;
  frame.dataset.benchSeen = "1";
  return true;
}"""


def rss_of(pid: int) -> int:
    """Resident bytes of a process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def renderers(profile: str) -> list[int]:
    """The pids of the renderer processes of the Chromium using ``profile``
    (its browser process names the profile; its renderers descend from it)."""
    parents: dict[int, int] = {}
    commands: dict[int, bytes] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                parents[int(entry)] = int(stat.read().rsplit(b")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                commands[int(entry)] = cmdline.read()  # Chromium rewrites it
        except (OSError, IndexError, ValueError):
            continue
    roots = {pid for pid, command in commands.items() if profile.encode() in command}

    def descends(pid: int) -> bool:
        for _ in range(10):
            if pid in roots:
                return True
            pid = parents.get(pid, 0)
        return False

    return [
        pid
        for pid, command in commands.items()
        if b"--type=renderer" in command and descends(pid)
    ]


class Demo:
    """``flask-pyecharts demo`` on files of its own, restartable on its port."""

    def __init__(self, folder: Path, port: int, renew_after: float | None) -> None:
        self.folder = folder
        self.port = port
        self.env = dict(os.environ)
        if renew_after is not None:
            self.env["PYECHARTS_RENEW_AFTER"] = str(renew_after)
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = open(LOGS / "s9-demo.log", "ab")  # noqa: SIM115

    def start(self) -> float:
        """Start it; the time it answers."""
        command = [
            str(VENV / "flask-pyecharts"), "demo", "--port", str(self.port),
            "--database", str(self.folder / "demo.sqlite3"), "--no-simulator",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=self.log, env=self.env
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/charts/api/charts", timeout=2):
                    return time.monotonic()
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the demo did not start; see bench/logs/s9-demo.log")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(60)

    def window(self) -> list[t.Any]:
        with urllib.request.urlopen(
            f"{self.url}/charts/api/charts/{STREAM}/points", timeout=10
        ) as answer:
            return [value for _, value in json.load(answer)["points"]]


class _Stop:
    """A stop event with a pause switch (checks of exactness need quiet)."""

    def __init__(self) -> None:
        import threading

        self.event = threading.Event()
        self.paused = False

    def wait(self, seconds: float) -> bool:
        return self.event.wait(seconds)


def orders(database: Path, rate: float, stop: _Stop) -> None:
    """Insert about ``rate`` orders a second, as the demo's simulator does."""
    from flask_pyecharts.demo import db

    simulator = db.Simulator(db.connect(database), seed=9)
    chosen = random.Random(9)
    while not stop.wait(1.0):
        if stop.paused:
            continue
        count = int(rate) + (chosen.random() < rate - int(rate))
        if count:
            simulator.insert(count)


class Snapshots:
    """Heap snapshots at renewals past the warm-up: the first and the last."""

    def __init__(self, warm_up: float) -> None:
        self.warm_up = warm_up
        self.first: tuple[float, Path] | None = None
        self.last: tuple[float, Path] | None = None

    def after_renewal(self, page: Page, minute: float) -> None:
        if minute < self.warm_up:
            return
        path = LOGS / (
            "s9-heap-first.heapsnapshot"
            if self.first is None
            else "s9-heap-last.heapsnapshot"
        )
        heap.take(page, path)
        if self.first is None:
            self.first = (minute, path)
        else:
            self.last = (minute, path)
        log(f"S9 heap snapshot at minute {minute}")

    def growth(self) -> dict[str, t.Any] | None:
        if self.first is None or self.last is None:
            return None
        before, after = heap.Snapshot(self.first[1]), heap.Snapshot(self.last[1])
        return {
            "from_minute": self.first[0],
            "to_minute": self.last[0],
            "mb": [
                round(sum(before.sizes) / 2**20, 2),
                round(sum(after.sizes) / 2**20, 2),
            ],
            "grown": heap.growth(before, after),
        }


def soak(
    minutes: float,
    path: str,
    speed: float,
    sample: float,
    renew_after: float | None,
    snapshots: Snapshots | None = None,
) -> dict[str, t.Any]:
    import threading

    LOGS.mkdir(exist_ok=True)
    rows: list[dict[str, t.Any]] = []
    events: list[dict[str, t.Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        demo = Demo(Path(folder), free_port(), renew_after)
        demo.start()
        proxy = CuttableProxy(demo.port)
        stop = _Stop()
        writer = threading.Thread(
            target=orders,
            args=(Path(folder) / "demo.sqlite3", DEMO_RATE * speed, stop),
            daemon=True,
        )
        writer.start()
        browser = Chromium()
        profile = browser.profile
        try:
            page = browser.new_page(1920, 1080)
            page.send("Performance.enable", {"timeDomain": "threadTicks"})
            page.goto(proxy.url + path)
            wait_live(page, 120)
            used = page.evaluate("() => FlaskPyecharts.variables()") or {}
            regions = [
                item["choices"]
                for item in json.load(
                    urllib.request.urlopen(demo.url + "/charts/api/charts")
                )["variables"]
                if item["name"] == "region" and item["choices"] and "region" in used
            ]
            started = time.monotonic()
            end = started + minutes * 60
            restart_at = started + (end - started) / 4
            cut_at = started + (end - started) / 2
            next_sample, next_filter = started, started + 30
            filters = 0
            before = _metrics(page)
            last = (time.monotonic(), before)
            while time.monotonic() < end:
                now = time.monotonic()
                if now >= next_sample:
                    page.send("HeapProfiler.collectGarbage")
                    metrics = _metrics(page)
                    seconds = now - last[0]
                    rows.append(
                        {
                            "minute": round((now - started) / 60, 2),
                            "js_heap_mb": metrics["JSHeapUsedSize"] / 2**20,
                            "dom_nodes": metrics["Nodes"],
                            "listeners": metrics["JSEventListeners"],
                            "main_thread_s_per_min": (
                                metrics["TaskDuration"] - last[1]["TaskDuration"]
                            )
                            * 60
                            / seconds
                            if seconds >= 1
                            else None,
                            "renderer_rss_mb": sum(map(rss_of, renderers(profile)))
                            / 2**20,
                            "server_rss_mb": rss_of(demo.process.pid) / 2**20,
                        }
                    )
                    last = (now, metrics)
                    next_sample = now + sample
                    log(f"S9 {rows[-1]}")
                    if snapshots and page.evaluate(RENEWED):
                        snapshots.after_renewal(page, rows[-1]["minute"])
                if regions and now >= next_filter:  # each region in turn
                    region = regions[0][filters % len(regions[0])]
                    filters += 1
                    page.evaluate(
                        "(r) => FlaskPyecharts.setVariables({region: r})", region
                    )
                    next_filter = now + 30
                if restart_at and now >= restart_at:
                    restart_at = 0.0
                    demo.stop()
                    time.sleep(5)
                    back = demo.start()
                    events.append(outage(page, demo, stop, "restart", back))
                if cut_at and now >= cut_at:
                    cut_at = 0.0
                    proxy.cut()
                    time.sleep(30)
                    proxy.mend()
                    back = time.monotonic()
                    events.append(outage(page, demo, stop, "network cut", back))
                time.sleep(1.0)
            events.append(outage(page, demo, stop, "end", time.monotonic()))
            page.screenshot(LOGS / "s9-end.png")
        finally:
            browser.close()
            stop.event.set()
            demo.stop()
            proxy.close()
    return {
        "minutes": minutes,
        "speed": speed,
        "path": path,
        "renew_after": renew_after,
        "restart_minute": round(minutes / 4, 2),
        "samples": rows,
        "events": events,
        "heap_growth": snapshots.growth() if snapshots else None,
    }


def slope(rows: list[dict[str, t.Any]], key: str, after: float) -> float | None:
    """The least-squares slope of ``key`` an hour, over the samples from
    minute ``after`` on (``None`` with fewer than three)."""
    points = [(row["minute"], row[key]) for row in rows if row["minute"] >= after]
    points = [(x, y) for x, y in points if y is not None]
    if len(points) < 3:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    rise = sum((x - mean_x) * (y - mean_y) for x, y in points)
    return rise / spread * 60 if spread else None


def verdict(result: dict[str, t.Any], warm_up: float) -> dict[str, t.Any]:
    """Each figure's slope an hour after the warm-up, and the recoveries and
    losses, beside the issue's targets."""
    rows = result["samples"]
    server_from = result["restart_minute"] + warm_up
    slopes = {
        key: slope(rows, key, server_from if key == "server_rss_mb" else warm_up)
        for key in (
            "js_heap_mb", "dom_nodes", "listeners", "renderer_rss_mb",
            "server_rss_mb", "main_thread_s_per_min",
        )
    }  # fmt: skip
    events = result["events"]
    return {
        "warm_up_minutes": warm_up,
        "slopes_per_hour": slopes,
        "server_rss_slope_ok": (slopes["server_rss_mb"] or 0) <= 5,
        "recovery_s": {event["event"]: event["recovery_s"] for event in events},
        "recovery_ok": all(
            event["recovery_s"] is not None and event["recovery_s"] <= 3
            for event in events
        ),
        "lost_or_repeated": sum(event["lost"] + event["repeated"] for event in events),
    }


def wait_live(page: Page, seconds: float) -> None:
    """Wait until every chart of the page is live."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        states = page.evaluate(STATUS)
        if states and all(state in ("live", "static") for state in states):
            return
        time.sleep(0.1)
    raise RuntimeError(f"the page is not live after {seconds:g} s")


def outage(
    page: Page, demo: Demo, stop: _Stop, what: str, back: float
) -> dict[str, t.Any]:
    """After ``what``, with orders paused: the seconds from ``back`` until
    the page shows every chart live and its live stream exactly as the
    server's window, and what it lost or repeated if it never did."""
    stop.paused = True
    try:
        time.sleep(1)  # orders in flight reach the stream
        expected = demo.window()
        held: list[t.Any] = []
        recovery = None
        while time.monotonic() - back < 120:
            shown = page.evaluate(PAGE_POINTS, STREAM) or []
            held = [point for series in shown for point in series]
            states = page.evaluate(STATUS)
            if held == expected and all(s in ("live", "static") for s in states):
                recovery = time.monotonic() - back
                break
            time.sleep(0.1)
    finally:
        stop.paused = False
    # As multisets: two orders of one product in one second are equal points.
    want = collections.Counter(map(_hashable, expected))
    have = collections.Counter(map(_hashable, held))
    lost = list((want - have).elements())
    repeated = sum((have - want).values())
    result = {
        "event": what,
        "recovery_s": recovery,
        "lost": len(lost),
        "repeated": repeated,
        "window": len(expected),
    }
    if recovery is None:  # what the page was doing instead
        result["states"] = page.evaluate(STATUS)
        result["frames"] = page.evaluate(FRAMES)
    log(f"S9 {result}")
    return result


def _hashable(value: t.Any) -> t.Any:
    """A point as a key, equal for equal values (the page's 5999 is the
    server's 5999.0, as ``==`` has it)."""
    if isinstance(value, list):
        return tuple(map(_hashable, value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--path", default="/screen", help="the page the screen shows")
    parser.add_argument("--speed", type=float, default=10.0)
    parser.add_argument("--sample", type=float, default=60.0, help="seconds")
    parser.add_argument(
        "--renew-after", type=float, default=None, help="the demo's, in seconds"
    )
    parser.add_argument("--warm-up", type=float, default=20.0, help="minutes")
    parser.add_argument(
        "--snapshots", action="store_true", help="heap snapshots at renewals"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="the results file")
    args = parser.parse_args()
    snapshots = Snapshots(args.warm_up) if args.snapshots else None
    result = soak(
        args.minutes, args.path, args.speed, args.sample, args.renew_after, snapshots
    )
    result["verdict"] = verdict(result, args.warm_up)
    args.out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result["events"], indent=1))
    print(json.dumps(result["verdict"], indent=1))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
