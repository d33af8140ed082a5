"""One contract, every store: MemoryStore, SqliteStore and RedisStore run the
same tests."""

from __future__ import annotations

import inspect
import math
import shutil
import socket
import tempfile
import threading
import time
import typing as t
import uuid

import pytest
import redis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from flask_pyecharts.streams.cursors import Cursor
from flask_pyecharts.streams.stores import Page, StateConflict, Store, open_store
from flask_pyecharts.streams.stores.memory import MemoryStore
from flask_pyecharts.streams.stores.redis import RedisStore
from flask_pyecharts.streams.stores.sqlite import SqliteStore

from .conftest import wait_until
from .conftest_redis import RedisServer

KINDS = ["memory", "sqlite", "redis"]
#: How long a test waits for what must come (only a failing test waits it out).
PATIENCE = 10.0
#: A timeout no wait of these tests may run into: one that ends sooner ended
#: for another reason (an append, an interrupt), not for the time.
SLOW = 60.0


def make_store(kind: str, redis_url: str, **options: t.Any) -> Store:
    """A fresh store; a SQLite one gets a file in a new folder, a Redis one a
    key prefix of its own."""
    if kind == "memory":
        return MemoryStore(**options)
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="fpe-store-")
        return SqliteStore(f"{folder}/streams.db", **options)
    return RedisStore(redis_url, prefix=f"test-{uuid.uuid4().hex[:12]}:", **options)


def discard(store: Store) -> None:
    """Close ``store``, deleting its Redis keys first (the server is shared),
    or its SQLite folder after."""
    if isinstance(store, RedisStore):
        keys = list(store.redis.scan_iter(match=f"{store.prefix}*", count=1000))
        if keys:
            store.redis.delete(*keys)
    store.close()
    if isinstance(store, SqliteStore):
        shutil.rmtree(store.path.parent)


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, redis_url: str) -> t.Iterator[Store]:
    store = make_store(request.param, redis_url)
    store.configure("c", 5)
    yield store
    discard(store)


def values(page: Page) -> list[t.Any]:
    return [value for _, value in page.points]


def seq(cursor: str) -> int:
    return Cursor.decode(cursor).seq


# -- the contract ----------------------------------------------------------


def test_every_store_implements_the_whole_contract():
    public = {
        name
        for name, member in inspect.getmembers(Store)
        if not name.startswith("_")
        and (callable(member) or isinstance(member, property))
    }
    assert public >= {"append", "since", "head", "wait", "configure", "epoch"}
    for kind in (MemoryStore, SqliteStore, RedisStore):
        assert not inspect.isabstract(kind)
        for name in public:
            ours = inspect.signature(getattr(Store, name)) if name != "epoch" else None
            theirs = getattr(kind, name)
            if ours is not None:
                assert inspect.signature(theirs).parameters.keys() == (
                    ours.parameters.keys()
                ), f"{kind.__name__}.{name}"


def test_append_returns_cursor_and_since_reads_after_it(store):
    first = store.append("c", [(0, 1), (0, 2)])
    assert seq(first) == 2
    store.append("c", [(1, [3, "x"])])
    page = store.since("c", first)
    assert page.reset is False
    assert page.points == [(1, [3, "x"])]
    assert store.since("c", page.cursor) == Page(page.cursor, [], False)
    assert page.cursor == store.head("c")


def test_a_new_chart_starts_at_zero(store):
    head = Cursor.decode(store.head("c"))
    assert head == Cursor(store.epoch, 0)
    assert store.since("c", None) == Page(head.encode(), [], True)
    assert store.since("c", head.encode()) == Page(head.encode(), [], False)


def test_values_travel_as_json(store):
    store.append("c", [(0, {"name": "衬衫", "value": [1, 2.5]}), (2, None)])
    store.append("c", [(1, "</script>")])
    assert store.since("c", None).points == [
        (0, {"name": "衬衫", "value": [1, 2.5]}),
        (2, None),
        (1, "</script>"),
    ]


def test_nan_becomes_null_in_redis(redis_url):
    store = make_store("redis", redis_url)
    store.configure("c", 5)
    store.append("c", [(0, math.nan)])
    assert store.since("c", None).points == [(0, None)]
    discard(store)


def test_empty_append_changes_nothing(store):
    store.append("c", [(0, 1)])
    assert store.append("c", []) == store.head("c")
    assert seq(store.head("c")) == 1


def test_append_with_state_sets_the_blob(store):
    cursor = store.append("c", [(0, 1)], state=("producer:c", b'"p1"'))
    assert store.get_blob("producer:c") == b'"p1"'
    assert store.append("c", [], state=("producer:c", b'"p2"')) == cursor
    assert store.get_blob("producer:c") == b'"p2"'


def test_blobs_are_read_together(store):
    assert store.get_blobs([]) == []
    store.set_blob("a", b"1")
    store.set_blob("gone", b"2", ttl=0.001)
    time.sleep(0.01)
    assert store.get_blobs(["a", "gone", "never", "a"]) == [b"1", None, None, b"1"]


# -- fenced appends: a producer's batch lands once --------------------------


def test_a_fenced_append_commits_only_over_the_state_it_read(store):
    key = "producer:c"
    first = store.append("c", [(0, 1)], state=(key, b"1"), expect=None)  # no blob yet
    assert seq(first) == 1 and store.get_blob(key) == b"1"
    for stale in (None, b"0", b""):  # another writer went first
        with pytest.raises(StateConflict, match="producer:c"):
            store.append("c", [(0, "late")], state=(key, b"9"), expect=stale)
    with pytest.raises(StateConflict):  # a state-only update is fenced too
        store.append("c", [], state=(key, b"9"), expect=b"0")
    assert store.head("c") == first  # nothing appended, nothing set
    assert store.get_blob(key) == b"1"
    assert values(store.since("c", None)) == [1]
    assert seq(store.append("c", [(0, 2)], state=(key, b"2"), expect=b"1")) == 2
    assert store.append("c", [], state=(key, b"3"), expect=b"2") == store.head("c")
    assert store.get_blob(key) == b"3"
    assert values(store.since("c", None)) == [1, 2]
    store.append("c", [(0, 3)], state=(key, b"4"))  # unfenced: whatever it held
    assert store.get_blob(key) == b"4"


def test_a_fence_needs_a_state(store):
    with pytest.raises(ValueError, match="state"):
        store.append("c", [(0, 1)], expect=b"1")
    assert seq(store.head("c")) == 0


def test_of_fenced_appends_racing_from_one_state_one_lands(store):
    store.configure("race", 1000)
    key, writers, rounds = "producer:race", 6, 15
    store.set_blob(key, b"0")
    landed: list[int] = []
    start = threading.Barrier(writers, timeout=10)

    def write(worker: int) -> None:
        for _ in range(rounds):
            start.wait()
            held = t.cast(bytes, store.get_blob(key))  # all read one state...
            start.wait()  # ...before any of them appends
            step = int(held) + 1
            try:
                store.append(
                    "race",
                    [(0, [step, worker])],
                    state=(key, b"%d" % step),
                    expect=held,
                )
            except StateConflict:
                continue
            landed.append(step)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    steps = list(range(1, rounds + 1))
    assert sorted(landed) == steps  # one batch per round, whoever won it
    assert [step for step, _ in values(store.since("race", None))] == steps
    assert store.get_blob(key) == b"%d" % rounds


# -- resets: never a silent gap -------------------------------------------


def test_none_cursor_resets_with_the_whole_window(store):
    store.append("c", [(0, value) for value in range(8)])
    for cursor in (None, ""):
        page = store.since("c", cursor)
        assert page.reset is True
        assert values(page) == [3, 4, 5, 6, 7]
        assert page.cursor == store.head("c")


def test_limit_pages_through_without_gap(store):
    store.append("c", [(0, value) for value in range(5)])
    page = store.since("c", None, limit=2)
    assert page.reset and values(page) == [0, 1] and seq(page.cursor) == 2
    page = store.since("c", page.cursor, limit=2)
    assert not page.reset and values(page) == [2, 3]
    page = store.since("c", page.cursor, limit=2)
    assert values(page) == [4]
    assert store.since("c", page.cursor, limit=0) == Page(page.cursor, [], False)


def test_reset_with_a_limit_starts_at_the_window(store):
    store.append("c", [(0, value) for value in range(12)])
    page = store.since("c", None, limit=2)
    assert page.reset and values(page) == [7, 8] and seq(page.cursor) == 9
    page = store.since("c", page.cursor)
    assert not page.reset and values(page) == [9, 10, 11]


def test_cursor_older_than_the_window_resets(store):
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
    store.append("c", [(0, 1), (0, 2)])
    epoch = store.epoch
    for cursor in (Cursor("otherEpoch", 1), Cursor(epoch, 3), Cursor(epoch, 10**30)):
        page = store.since("c", cursor.encode())
        assert page.reset and values(page) == [1, 2], cursor
        assert page.cursor == store.head("c")


@pytest.mark.parametrize("bad", ["x", "a.b", "a.-1", "a,b.1", "é.1", "a." + "9" * 70])
def test_malformed_cursors_raise_value_error(store, bad):
    with pytest.raises(ValueError, match="Malformed cursor"):
        store.since("c", bad)


def test_negative_limit_raises_value_error(store):
    with pytest.raises(ValueError, match="limit"):
        store.since("c", None, limit=-1)


def test_unknown_chart_raises_key_error(store):
    for call in (
        lambda: store.since("nope", None),
        lambda: store.append("nope", [(0, 1)]),
        lambda: store.head("nope"),
    ):
        with pytest.raises(KeyError, match="configure"):
            call()


@pytest.mark.parametrize("window", [0, -1, 10**9, 2.5, True])
def test_bad_windows_are_refused(store, window):
    with pytest.raises(ValueError, match="Window of 'w'"):
        store.configure("w", window)


def test_max_window_is_configurable(redis_url):
    for kind in KINDS:
        store = make_store(kind, redis_url, max_window=10)
        store.configure("c", 10)
        with pytest.raises(ValueError, match="from 1 to 10"):
            store.configure("d", 11)
        discard(store)


# -- concurrency and bounds -----------------------------------------------


def test_concurrent_appends_lose_nothing(store):
    store.configure("many", 10_000)
    cursors: list[str] = []

    def work(worker: int) -> None:
        for index in range(0, 100, 2):
            cursors.append(
                store.append("many", [(0, [worker, index]), (1, [worker, index + 1])])
            )

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seq(cursor) for cursor in cursors) == list(range(2, 801, 2))
    seen = values(store.since("many", None))
    assert len(seen) == 800
    assert sorted(map(tuple, seen)) == sorted(
        (w, i) for w in range(8) for i in range(100)
    )
    for worker in range(8):  # each writer's points keep their order
        assert [i for w, i in seen if w == worker] == list(range(100))


def test_wait_returns_moved_charts(store):
    store.configure("d", 5)
    head = seq(store.head("c"))
    assert store.wait({"c": head, "d": 0}, 0.05) == {}
    timer = threading.Timer(0.05, lambda: store.append("c", [(0, 1), (0, 2)]))
    timer.start()
    assert store.wait({"c": head, "d": 0}, PATIENCE) == {"c": head + 2}
    timer.join()  # its reply may still be on the way
    assert store.wait({"c": head}, 0) == {"c": head + 2}  # already past


def test_wait_ignores_unknown_charts(store):
    store.append("c", [(0, 1)])
    assert store.wait({"nope": 0, "c": 0}, 1.0) == {"c": 1}
    assert store.wait({"nope": 0}, 0.05) == {}


def test_interrupt_ends_a_wait_at_once(store):
    head = seq(store.head("c"))
    timer = threading.Timer(0.05, store.interrupt)
    timer.start()
    # At once: long before the wait's own timeout, however slow the machine.
    started = time.monotonic()
    assert store.wait({"c": head}, SLOW) == {}
    assert time.monotonic() - started < PATIENCE
    timer.join()
    store.interrupt()  # before the wait: it returns at once, once
    started = time.monotonic()
    assert store.wait({}, SLOW) == {}
    assert time.monotonic() - started < PATIENCE
    assert store.wait({"c": head}, 0.05) == {}  # consumed


def test_blobs_expire(store):
    assert store.get_blob("k") is None
    store.set_blob("k", b"v")
    assert store.get_blob("k") == b"v"
    store.set_blob("k", b"w", ttl=SLOW)
    assert store.get_blob("k") == b"w"
    store.set_blob("k", b"x", ttl=0.05)
    wait_until(lambda: store.get_blob("k") is None, message="the blob never expired")


def test_locks_have_one_holder(store):
    lock = store.lock("job", ttl=5)
    other = store.lock("job", ttl=5)
    assert lock.acquire()
    assert not other.acquire()
    other.release()  # not the holder: nothing happens
    assert not store.lock("job", ttl=5).acquire()
    lock.renew()
    lock.release()
    assert other.acquire()
    with pytest.raises(Exception):  # noqa: B017 - the type is the backend's
        lock.renew()
    other.release()
    with store.lock("job", ttl=5):
        assert not lock.acquire()
    assert lock.acquire()
    lock.release()


def test_memory_store_is_bounded_by_the_window():
    store = MemoryStore()
    store.configure("c", 100)
    for value in range(10_000):
        store.append("c", [(0, value)])
    assert len(store._logs["c"]) == 100
    store.configure("c", 10)  # a smaller window trims at once
    assert len(store._logs["c"]) == 10
    assert values(store.since("c", None)) == list(range(9_990, 10_000))


def test_redis_streams_are_trimmed_near_the_window(redis_url):
    store = make_store("redis", redis_url)
    store.configure("c", 100)
    for start in range(0, 10_000, 50):
        store.append("c", [(0, value) for value in range(start, start + 50)])
    length = store.redis.xlen(f"{store.prefix}s:c")
    assert 100 <= length <= 300  # MAXLEN ~ trims whole nodes of 100 entries
    page = store.since("c", None)
    assert values(page) == list(range(9_900, 10_000))  # never more than window
    discard(store)


def test_open_store_by_url(redis_url):
    assert isinstance(open_store("memory://"), MemoryStore)
    assert open_store("memory://", max_window=7).max_window == 7
    opened = open_store(redis_url, max_window=8)
    assert isinstance(opened, RedisStore) and opened.max_window == 8
    opened.close()
    with pytest.raises(ValueError, match="memory://"):
        open_store("mongodb://x")


def test_redis_store_accepts_a_ready_client(redis_url):
    client = redis.Redis.from_url(redis_url)
    store = RedisStore(client=client, prefix=f"client-{uuid.uuid4().hex}:")
    store.configure("c", 3)
    store.append("c", [(0, 1)])
    assert values(store.since("c", None)) == [1]
    store.close()
    assert client.ping()  # still its owner's
    client.close()
    discard(store)


# -- Redis losing its data ------------------------------------------------


def five_points(server: RedisServer) -> RedisStore:
    """A store of ``server`` whose chart "c" holds five points."""
    store = RedisStore(server.url)
    store.configure("c", 10)
    store.append("c", [(0, value) for value in range(5)])
    return store


def lose_data(server: RedisServer, store: RedisStore, how: str) -> None:
    """Redis loses everything: restarted without saving, or FLUSHALL."""
    if how == "restart":
        server.restart()
    else:
        store.redis.flushall()


@pytest.mark.parametrize("how", ["restart", "flushall"])
def test_redis_losing_its_data_gives_a_new_epoch_and_readers_reset(
    private_redis: RedisServer, how: str
):
    store = five_points(private_redis)
    cursor = store.head("c")
    lose_data(private_redis, store, how)
    store.append("c", [(0, "after")])
    page = store.since("c", cursor)
    assert page.reset is True
    assert values(page) == ["after"]
    assert Cursor.decode(page.cursor).epoch != Cursor.decode(cursor).epoch
    assert store.since("c", page.cursor) == Page(page.cursor, [], False)
    store.close()


def test_redis_restart_before_any_append_resets_readers(private_redis):
    store = RedisStore(private_redis.url)
    store.configure("c", 10)
    cursor = store.append("c", [(0, 1), (0, 2)])
    private_redis.restart()
    page = store.since("c", cursor)  # the same seq 2 must not look current
    assert page.reset and page.points == []
    assert Cursor.decode(page.cursor).epoch != Cursor.decode(cursor).epoch
    store.close()


def test_redis_wait_reports_an_epoch_change(private_redis):
    store = RedisStore(private_redis.url)
    store.configure("c", 10)
    head = seq(store.append("c", [(0, value) for value in range(5)]))
    assert store.wait({"c": head}, 0.05) == {}
    store.redis.flushall()
    assert store.wait({"c": head}, 1.0) == {"c": 0}  # lower: a new epoch
    store.close()


@pytest.mark.parametrize("how", ["restart", "flushall"])
def test_redis_losing_its_data_before_the_first_wait_is_reported(
    private_redis: RedisServer, how: str
):
    """The hub reads the heads, then waits: a loss in between is a reset."""
    store = five_points(private_redis)
    head = seq(store.head("c"))
    lose_data(private_redis, store, how)
    assert store.wait({"c": head}, 1.0) == {"c": 0}
    store.close()


def snapshot_then_lose_points(server: RedisServer, store: RedisStore) -> str:
    """Points 0-99 saved, 100-229 lost in a crash: the server boots from the
    snapshot. Returns the head cursor from before the crash (seq 230)."""
    store.append("c", [(0, value) for value in range(100)])
    server.save()
    ahead = store.append("c", [(0, value) for value in range(100, 230)])
    server.restart(from_snapshot=True)
    return ahead


def test_redis_restored_from_an_older_snapshot_resets_readers(private_redis):
    store = RedisStore(private_redis.url)
    store.configure("c", 1000)
    ahead = snapshot_then_lose_points(private_redis, store)
    epoch = Cursor.decode(ahead).epoch
    # new points take the lost ones' sequence numbers, then pass the old head
    store.append("c", [(0, f"new {value}") for value in range(100, 300)])
    restored = list(range(100)) + [f"new {value}" for value in range(100, 300)]
    for cursor in (ahead, Cursor(epoch, 150).encode(), Cursor(epoch, 99).encode()):
        page = store.since("c", cursor)
        assert page.reset is True, cursor  # not the points after it, silently
        assert values(page) == restored
        assert Cursor.decode(page.cursor).epoch != epoch
    store.close()


def test_redis_wait_reports_a_restored_snapshot(private_redis):
    store = RedisStore(private_redis.url)
    store.configure("c", 1000)
    head = seq(store.head("c"))
    assert store.wait({"c": head}, 0.05) == {}  # the wait knows the epoch
    ahead = snapshot_then_lose_points(private_redis, store)
    started = time.monotonic()
    # nothing appended since the restore: the epoch change alone moves "c",
    # at once, long before the wait's own timeout
    assert store.wait({"c": seq(ahead)}, SLOW) == {"c": 100}
    assert time.monotonic() - started < PATIENCE
    assert store.since("c", ahead).reset is True
    store.close()


def test_redis_restored_from_a_snapshot_fences_a_batch_made_before(private_redis):
    store = RedisStore(private_redis.url)
    store.configure("c", 1000)
    key = "producer:c"
    store.append("c", [(0, 1)], state=(key, b"1"))
    private_redis.save()
    store.append("c", [(0, 2)], state=(key, b"2"))  # lost in the crash
    private_redis.restart(from_snapshot=True)
    with pytest.raises(StateConflict):  # made from cursor 2, before the crash
        store.append("c", [(0, 3)], state=(key, b"3"), expect=b"2")
    assert store.get_blob(key) == b"1"  # the producer goes on from here
    store.append("c", [(0, 2)], state=(key, b"2"), expect=b"1")
    assert values(store.since("c", None)) == [1, 2]
    store.close()


def test_redis_failover_to_a_replica_resets_readers(private_redis):
    replica = RedisServer()
    replica.start()
    try:
        store = RedisStore(private_redis.url)
        store.configure("c", 10)
        cursor = store.append("c", [(0, value) for value in range(5)])
        private_redis.command("CONFIG SET repl-diskless-sync-delay 0")
        replica.command(f"REPLICAOF 127.0.0.1 {private_redis.port}")
        copy = redis.Redis.from_url(replica.url)
        wait_until(
            lambda: copy.get(f"{store.prefix}h:c") == b"5",
            message="the replica did not sync",
        )
        replica.command("REPLICAOF NO ONE")  # promoted: the app moves to it
        promoted = RedisStore(replica.url)
        promoted.configure("c", 10)
        promoted.append("c", [(0, "after")])  # it may have lacked the last writes
        page = promoted.since("c", cursor)
        assert page.reset is True
        assert values(page) == [0, 1, 2, 3, 4, "after"]
        assert Cursor.decode(page.cursor).epoch != Cursor.decode(cursor).epoch
        store.close()
        promoted.close()
        copy.close()
    finally:
        replica.cleanup()


def test_redis_counter_lost_alone_continues_after_the_stream(redis_url):
    store = make_store("redis", redis_url)
    store.configure("c", 10)
    store.append("c", [(0, 1), (0, 2)])
    store.redis.delete(f"{store.prefix}h:c")  # evicted under memory pressure
    assert seq(store.append("c", [(0, 3)])) == 3
    assert values(store.since("c", None)) == [1, 2, 3]
    discard(store)


def test_redis_points_missing_from_the_stream_reset(redis_url):
    store = make_store("redis", redis_url)
    store.configure("c", 10)
    cursor = store.append("c", [(0, 1), (0, 2)])
    store.append("c", [(0, 3), (0, 4)])
    store.redis.xtrim(
        f"{store.prefix}s:c", maxlen=1, approximate=False
    )  # lost 3 behind our back
    page = store.since("c", cursor)
    assert page.reset and values(page) == [4]
    discard(store)


def test_redis_outage_raises_store_error():
    from flask_pyecharts.streams.stores import StoreError

    with socket.socket() as closed:  # bound, not listening: connections refused
        closed.bind(("127.0.0.1", 0))
        store = RedisStore(f"redis://127.0.0.1:{closed.getsockname()[1]}/0")
        store.configure("c", 5)
        with pytest.raises(StoreError, match="unavailable"):
            store.since("c", None)
        with pytest.raises(StoreError):
            store.append("c", [(0, 1)])
        assert store.lock("x", ttl=1).acquire() is False
        store.close()


# -- any interleaving -----------------------------------------------------


class ReadersSeeEveryPointOnceInOrder(RuleBasedStateMachine):
    """Any interleaving of appends, reads and evictions: each reader sees each
    point once and in order, or a reset after which it holds the window.

    With ``processes`` > 1 (SQLite only) as many stores share one file, as the
    processes of one host do: each append and read goes through any of them.
    """

    kind = "memory"
    redis_url = ""
    readers = 3
    processes = 1

    @initialize(window=st.integers(1, 6))
    def setup(self, window: int) -> None:
        self.store = make_store(self.kind, self.redis_url)
        self.stores = [self.store] + [
            SqliteStore(t.cast(SqliteStore, self.store).path)
            for _ in range(self.processes - 1)
        ]
        for store in self.stores:
            store.configure("c", window)
        self.window = window
        self.log: list[int] = []  # every value ever appended, in order
        #: per reader: its cursor and the run of values it holds
        self.views: dict[int, tuple[str | None, list[int]]] = {
            reader: (None, []) for reader in range(self.readers)
        }

    def by(self, process: int) -> Store:
        return self.stores[process % len(self.stores)]

    @rule(count=st.integers(0, 8), series=st.integers(0, 2), process=st.integers(0, 1))
    def append(self, count: int, series: int, process: int) -> None:
        start = len(self.log)
        batch = list(range(start, start + count))
        cursor = self.by(process).append("c", [(series, value) for value in batch])
        self.log.extend(batch)
        assert seq(cursor) == len(self.log)

    @rule(
        reader=st.integers(0, readers - 1),
        limit=st.one_of(st.none(), st.integers(0, 5)),
        process=st.integers(0, 1),
    )
    def read(self, reader: int, limit: int | None, process: int) -> None:
        cursor, held = self.views[reader]
        page = self.by(process).since("c", cursor, limit)
        got = values(page)
        stop = limit
        if page.reset:
            window = self.log[-self.window :] if self.log else []
            assert got == window[:stop]
            held = list(got)
        else:
            start = seq(cursor) if cursor else 0
            # a reader may continue only from inside the window
            assert start >= len(self.log) - self.window
            assert got == self.log[start:][:stop]
            held = held + got
        if held:  # the cursor names the last point held
            assert seq(page.cursor) == held[-1] + 1
        self.views[reader] = (page.cursor, held)

    @rule(how=st.sampled_from(["foreign", "ahead"]))
    def corrupt(self, how: str) -> None:
        """A cursor from another epoch or from the future must reset."""
        head = len(self.log)
        bad = (
            Cursor("elsewhere", head)
            if how == "foreign"
            else Cursor(self.store.epoch, head + 1)
        )
        page = self.store.since("c", bad.encode())
        assert page.reset
        assert values(page) == (self.log[-self.window :] if self.log else [])

    @invariant()
    def readers_hold_a_contiguous_run(self) -> None:
        for _, held in getattr(self, "views", {}).values():
            if held:
                assert held == list(range(held[0], held[0] + len(held)))

    def teardown(self) -> None:
        if hasattr(self, "store"):
            for store in self.stores[1:]:
                store.close()
            discard(self.store)


@pytest.mark.parametrize(
    "kind, processes", [(kind, 1) for kind in KINDS] + [("sqlite", 2)]
)
def test_readers_never_see_gaps_or_duplicates(kind, processes, redis_url):
    machine = type(f"Readers_{kind}", (ReadersSeeEveryPointOnceInOrder,), {})
    machine.kind, machine.redis_url = kind, redis_url
    machine.processes = processes
    machine.TestCase.settings = settings(
        max_examples=60,
        stateful_step_count=40,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    machine.TestCase().runTest()
