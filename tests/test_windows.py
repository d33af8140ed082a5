"""A stream chart's window for its documents: exact, and read once per head."""

from __future__ import annotations

import threading
import typing as t

from flask_pyecharts.streams.stores import Page, Store
from flask_pyecharts.streams.stores.memory import MemoryStore
from flask_pyecharts.streams.stores.redis import RedisStore
from flask_pyecharts.streams.windows import Windows

from .conftest_redis import RedisServer
from .test_stores import store as store  # every kind of store, as in its tests


class CountingStore(MemoryStore):
    """A memory store that counts the reads of a window and their points."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[int] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def since(self, chart: str, cursor: str | None, limit: int | None = None) -> Page:
        self.entered.set()
        self.release.wait(10)
        page = super().since(chart, cursor, limit)
        self.reads.append(len(page.points))
        return page


def test_the_window_is_the_stores_last_points(store: Store) -> None:
    windows = Windows(store)
    assert windows.read("c", 5) == (store.head("c"), ())
    for round_ in range(4):  # 3 points a round: the window of 5 slides
        store.append("c", [(0, [f"x{round_}{i}", i]) for i in range(3)])
        cursor, points = windows.read("c", 5)
        whole = store.since("c", None)
        assert (cursor, list(points)) == (whole.cursor, whole.points)
    assert [value[0] for _, value in points] == ["x21", "x22", "x30", "x31", "x32"]


def test_only_new_points_are_read_and_a_read_at_the_head_reads_nothing() -> None:
    store = CountingStore()
    store.configure("c", 100)
    store.append("c", [(0, i) for i in range(50)])
    windows = Windows(store)
    windows.read("c", 100)
    windows.read("c", 100)
    store.append("c", [(0, 50), (0, 51)])
    _, points = windows.read("c", 100)
    assert store.reads == [50, 2]
    assert [value for _, value in points] == list(range(52))


def test_concurrent_readers_share_one_read() -> None:
    store = CountingStore()
    store.configure("c", 10)
    store.append("c", [(0, 1)])
    windows = Windows(store)
    store.release.clear()
    results: list[tuple[str, tuple[t.Any, ...]]] = []
    threads = [
        threading.Thread(target=lambda: results.append(windows.read("c", 10)))
        for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    assert store.entered.wait(10)
    store.release.set()
    for thread in threads:
        thread.join(10)
    assert store.reads == [1]
    assert len(results) == 20 and len(set(results)) == 1


def test_a_store_that_lost_its_data_resets_the_window(
    private_redis: RedisServer,
) -> None:
    store = RedisStore(private_redis.url)
    try:
        store.configure("c", 10)
        store.append("c", [(0, i) for i in range(6)])
        windows = Windows(store)
        assert len(windows.read("c", 10)[1]) == 6
        private_redis.command("FLUSHALL")
        store.configure("c", 10)
        store.append("c", [(0, "after")])
        cursor, points = windows.read("c", 10)
        assert (cursor, list(points)) == (store.head("c"), [(0, "after")])
    finally:
        store.close()
