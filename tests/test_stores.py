"""One contract, every store: MemoryStore and RedisStore run the same tests."""

from __future__ import annotations

import threading
import typing as t
import uuid

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from flask_pyecharts.cursors import Cursor
from flask_pyecharts.stores import Store, open_store
from flask_pyecharts.stores.memory import MemoryStore
from flask_pyecharts.stores.redis import RedisStore

from .conftest_redis import RedisServer


def make_store(kind: str, redis_url: str) -> Store:
    if kind == "memory":
        return MemoryStore()
    return RedisStore(redis_url, prefix=f"test-{uuid.uuid4().hex[:8]}:")


@pytest.fixture(params=["memory", "redis"])
def store(request, redis_url) -> t.Iterator[Store]:
    store = make_store(request.param, redis_url)
    store.configure("c", 5)
    yield store
    store.close()


def values(page) -> list:
    return [value for _, value in page.points]


def test_append_returns_cursor_and_since_reads_after_it(store):
    first = store.append("c", [(0, 1), (0, 2)])
    store.append("c", [(1, [3, "x"])])
    page = store.since("c", first)
    assert page.reset is False
    assert page.points == [(1, [3, "x"])]
    assert store.since("c", page.cursor).points == []
    assert page.cursor == store.head("c")


def test_none_cursor_resets_with_the_whole_window(store):
    store.append("c", [(0, value) for value in range(8)])
    page = store.since("c", None)
    assert page.reset is True
    assert values(page) == [3, 4, 5, 6, 7]


def test_limit_pages_through_without_gap(store):
    store.append("c", [(0, value) for value in range(5)])
    page = store.since("c", None, limit=2)
    assert page.reset and values(page) == [0, 1]
    page = store.since("c", page.cursor, limit=2)
    assert not page.reset and values(page) == [2, 3]
    page = store.since("c", page.cursor, limit=2)
    assert values(page) == [4]


def test_cursor_older_than_window_resets(store):
    cursor = store.append("c", [(0, 0)])
    store.append("c", [(0, value) for value in range(1, 10)])
    page = store.since("c", cursor)
    assert page.reset and values(page) == [5, 6, 7, 8, 9]


def test_cursor_at_the_window_edge_does_not_reset(store):
    store.append("c", [(0, value) for value in range(5)])
    cursor = store.head("c")
    store.append("c", [(0, value) for value in range(5, 10)])
    page = store.since("c", cursor)
    assert not page.reset and values(page) == [5, 6, 7, 8, 9]


def test_foreign_epoch_and_future_cursors_reset(store):
    store.append("c", [(0, 1)])
    epoch = Cursor.decode(store.head("c")).epoch
    for cursor in (Cursor("otherEpoch", 1), Cursor(epoch, 99)):
        page = store.since("c", cursor.encode())
        assert page.reset and values(page) == [1]


@pytest.mark.parametrize(
    "bad", ["", "x", "a.b", "a.-1", "a,b.1", "a." + "9" * 30, "é.1"]
)
def test_malformed_cursors_raise_value_error(store, bad):
    if bad == "":
        assert store.since("c", bad).reset  # empty means "from the start"
        return
    with pytest.raises(ValueError, match="Malformed cursor"):
        store.since("c", bad)


def test_unknown_chart_raises_key_error(store):
    with pytest.raises(KeyError):
        store.since("nope", None)


def test_window_above_the_cap_is_refused(store):
    with pytest.raises(ValueError, match="PYECHARTS_MAX_WINDOW"):
        store.configure("huge", 10**9)


def test_concurrent_appends_lose_nothing(store):
    store.configure("many", 10_000)

    def work(worker: int) -> None:
        for index in range(100):
            store.append("many", [(0, [worker, index])])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seen = values(store.since("many", None))
    assert len(seen) == 800
    assert sorted(map(tuple, seen)) == sorted(
        (w, i) for w in range(8) for i in range(100)
    )
    for worker in range(8):  # each writer's points keep their order
        assert [i for w, i in seen if w == worker] == list(range(100))


def test_wait_returns_moved_charts(store):
    head = Cursor.decode(store.head("c")).seq
    assert store.wait({"c": head}, 0.05) == {}
    threading.Timer(0.05, lambda: store.append("c", [(0, 1)])).start()
    assert store.wait({"c": head}, 2.0) == {"c": head + 1}


def test_blobs_and_locks(store):
    assert store.get_blob("k") is None
    store.set_blob("k", b"v")
    assert store.get_blob("k") == b"v"
    lock = store.lock("job", ttl=5)
    assert lock.acquire()
    assert not store.lock("job", ttl=5).acquire()
    lock.renew()
    lock.release()
    assert store.lock("job", ttl=5).acquire()


def test_memory_store_is_bounded_by_the_window():
    store = MemoryStore()
    store.configure("c", 100)
    for value in range(10_000):
        store.append("c", [(0, value)])
    assert len(store._logs["c"]) == 100


def test_open_store_by_url(redis_url):
    assert isinstance(open_store("memory://"), MemoryStore)
    assert isinstance(open_store(redis_url), RedisStore)
    with pytest.raises(ValueError, match="memory://"):
        open_store("mongodb://x")


def test_redis_restart_gives_a_new_epoch_and_readers_reset():
    server = RedisServer()
    server.start()
    try:
        store = RedisStore(server.url)
        store.configure("c", 10)
        store.append("c", [(0, value) for value in range(5)])
        cursor = store.head("c")
        server.restart()
        store.append("c", [(0, "after")])
        page = store.since("c", cursor)
        assert page.reset is True
        assert values(page) == ["after"]
        assert Cursor.decode(page.cursor).epoch != Cursor.decode(cursor).epoch
    finally:
        server.stop()


class ReadersSeeEveryPointOnceInOrder(RuleBasedStateMachine):
    """Any interleaving of appends, reads and evictions: each reader sees each
    point once and in order, or a reset after which it holds the window."""

    kind = "memory"
    redis_url = ""

    @initialize(window=st.integers(1, 6))
    def setup(self, window: int) -> None:
        self.store = make_store(self.kind, self.redis_url)
        self.store.configure("c", window)
        self.window = window
        self.log: list[int] = []  # every value ever appended, in order
        self.readers: dict[int, tuple[str | None, list[int]]] = {
            reader: (None, []) for reader in range(3)
        }

    @rule(count=st.integers(1, 8), series=st.integers(0, 2))
    def append(self, count: int, series: int) -> None:
        start = len(self.log)
        batch = list(range(start, start + count))
        self.store.append("c", [(series, value) for value in batch])
        self.log.extend(batch)

    @rule(reader=st.integers(0, 2), limit=st.one_of(st.none(), st.integers(1, 5)))
    def read(self, reader: int, limit: int | None) -> None:
        cursor, seen = self.readers[reader]
        page = self.store.since("c", cursor, limit)
        got = values(page)
        if page.reset:
            window = self.log[-self.window :]
            assert got == window[: len(got)]
            seen = list(got)
        else:
            expected_start = seen[-1] + 1 if seen else 0
            assert got == list(range(expected_start, expected_start + len(got)))
            seen = seen + got
        self.readers[reader] = (page.cursor, seen)

    @invariant()
    def readers_hold_a_contiguous_run(self) -> None:
        for _, seen in self.readers.values():
            if seen:
                assert seen == list(range(seen[0], seen[0] + len(seen)))

    def teardown(self) -> None:
        self.store.close()


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_readers_never_see_gaps_or_duplicates(kind, redis_url):
    machine = type(f"Readers_{kind}", (ReadersSeeEveryPointOnceInOrder,), {})
    machine.kind, machine.redis_url = kind, redis_url
    machine.TestCase.settings = settings(
        max_examples=40,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    machine.TestCase().runTest()
