"""The hub wakes subscribers promptly, and a slow one never delays another."""

from __future__ import annotations

import statistics
import threading
import time
import typing as t
import uuid
from pathlib import Path

import pytest
import redis

from flask_pyecharts.streams import hub as hub_module
from flask_pyecharts.streams.hub import READ_TIMEOUT, Hub
from flask_pyecharts.streams.stores import Store
from flask_pyecharts.streams.stores.memory import MemoryStore
from flask_pyecharts.streams.stores.redis import RedisStore
from flask_pyecharts.streams.stores.sqlite import SqliteStore

from .conftest import wait_until
from .conftest_redis import RedisServer

#: The reader's timeout in the tests of the ``hub`` fixture: far longer than
#: any wait below, so a subscriber woken in time was woken by the change (an
#: append, a notify, a close), never by the reader's timeout, however slow
#: the machine.
SLOW_READS = 60.0
#: How long a test waits for what must come (only a failing test waits it out).
PATIENCE = 10.0


def make_store(kind: str, redis_url: str, folder: Path) -> Store:
    if kind == "memory":
        return MemoryStore()
    if kind == "sqlite":
        return SqliteStore(folder / "streams.db")
    # The reader blocks up to SLOW_READS in XREAD: a socket timeout longer
    # than that (redis-py's default, 5 s, would cut the block short).
    client = redis.Redis.from_url(redis_url, socket_timeout=SLOW_READS + PATIENCE)
    return RedisStore(client=client, prefix=f"hub-{uuid.uuid4().hex[:12]}:")


@pytest.fixture(params=["memory", "sqlite", "redis"])
def hub(
    request: pytest.FixtureRequest,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> t.Iterator[Hub]:
    monkeypatch.setattr(hub_module, "READ_TIMEOUT", SLOW_READS)
    store = make_store(request.param, redis_url, tmp_path)
    store.configure("a", 100)
    store.configure("b", 100)
    hub = Hub(store)
    yield hub
    hub.close()
    if isinstance(store, RedisStore):
        keys = list(store.redis.scan_iter(match=f"{store.prefix}*"))
        if keys:
            store.redis.delete(*keys)
        store.redis.close()  # the test's own client
    store.close()


def is_stream(store: Store, chart: str) -> bool:
    try:
        store.head(chart)
    except KeyError:
        return False
    return True


def settled(hub: Hub, *charts: str) -> t.Any:
    """A subscription to ``charts`` that only a change wakes from now on.

    An anchor subscription makes the reader take the charts up, and takes the
    wake-up the reader gives on taking them up; the subscription returned is
    made after that, for charts already followed: the reader neither takes
    them up again nor wakes it, whatever the timing. Call it before any other
    subscription follows the charts.
    """
    assert not hub._taken & set(charts), "settled() must take the charts up"
    anchor = hub.subscribe(charts)
    streams = {chart for chart in charts if is_stream(hub.store, chart)}
    woken: set[str] = set()

    def taken_up() -> bool:
        woken.update(anchor.wait(0))
        return anchor.charts <= hub._taken and woken >= streams

    wait_until(taken_up, PATIENCE)
    subscription = hub.subscribe(charts)
    anchor.close()
    return subscription


def reading(subscription: t.Any, store: Store) -> None:
    """Make the reader finish one wait on the store (an append wakes it): it
    then knows the store's epoch, as a reader that has run a while does."""
    store.append("a", [(0, "seen")])
    assert subscription.wait(PATIENCE) == {"a"}


def handoff_delays(store: Store, count: int) -> list[float]:
    """The delays of a relay shaped like the hub's path, without the hub: the
    sender wakes a thread that makes one store call and wakes another thread.

    Latency bounds below are relative to this, measured in the same test on
    the same machine: a loaded machine slows both alike, a hub that waits
    for anything else (a timeout, a poll) does not keep up with it.
    """
    delays = []
    for _ in range(count):
        go, done = threading.Event(), threading.Event()
        arrived: dict[str, float] = {}

        def relay() -> None:
            go.wait(PATIENCE)  # noqa: B023
            store.head("a")
            done.set()  # noqa: B023

        def receive() -> None:
            done.wait(PATIENCE)  # noqa: B023
            arrived["at"] = time.monotonic()  # noqa: B023

        threads = [threading.Thread(target=relay), threading.Thread(target=receive)]
        for thread in threads:
            thread.start()
        sent = time.monotonic()
        go.set()
        for thread in threads:
            thread.join(PATIENCE)
        delays.append(arrived["at"] - sent)
    return delays


def latency_bound(store: Store, count: int) -> float:
    """What a prompt wake-up takes at most here and now: 20 ms on an idle
    machine (as ever), ten times the reference relay's median on a loaded one."""
    return max(0.02, 10 * statistics.median(handoff_delays(store, count)))


def test_subscriber_is_woken_within_milliseconds(hub):
    subscription = settled(hub, "a")
    delays = []
    for value in range(10):
        woken: dict[str, t.Any] = {}

        def wait() -> None:
            woken["charts"] = subscription.wait(PATIENCE)  # noqa: B023
            woken["at"] = time.monotonic()  # noqa: B023

        waiter = threading.Thread(target=wait)
        waiter.start()
        sent = time.monotonic()
        hub.store.append("a", [(0, value)])
        waiter.join(PATIENCE)
        assert woken["charts"] == {"a"}  # by the append: the reader waits 60 s
        delays.append(woken["at"] - sent)
    assert statistics.median(delays) < latency_bound(hub.store, 10)


def test_a_subscriber_that_never_reads_does_not_delay_another(hub):
    reader = settled(hub, "a")
    idle = hub.subscribe(["a", "b"])  # never waits, never reads
    delays = []
    for value in range(50):
        sent = time.monotonic()
        hub.store.append("a", [(0, value)])
        hub.store.append("b", [(0, value)])
        assert reader.wait(PATIENCE) == {"a"}  # by the append: reads wait 60 s
        delays.append(time.monotonic() - sent)
    assert statistics.median(delays) < latency_bound(hub.store, 10)
    assert idle._pending <= {"a", "b"}  # bounded by its charts, whatever it misses


def test_appends_right_after_subscribing_are_not_missed(hub):
    subscription = hub.subscribe(["a"])  # the reader has not taken "a" up yet
    hub.store.append("a", [(0, 1)])
    assert subscription.wait(PATIENCE) == {"a"}


def test_a_new_chart_is_taken_up_at_once(hub):
    settled(hub, "a")  # the reader now blocks on the store for "a", for 60 s
    subscription = hub.subscribe(["b"])
    hub.store.append("b", [(0, 1)])
    assert subscription.wait(PATIENCE) == {"b"}  # not after the reader's timeout


def test_only_followed_charts_wake_a_subscriber(hub):
    subscription = settled(hub, "a")
    hub.store.append("b", [(0, 1)])
    assert subscription.wait(0.3) == set()


def test_wait_times_out_with_an_empty_set(hub):
    subscription = settled(hub, "a")
    started = time.monotonic()
    assert subscription.wait(0.1) == set()
    # Its own timeout, not the reader's (60 s): only a stalled machine is slower.
    assert 0.09 <= time.monotonic() - started < PATIENCE


def test_notify_wakes_full_charts_beside_streams(hub):
    subscription = settled(hub, "a", "sales")  # "sales" is no stream
    hub.notify("sales")
    assert subscription.wait(PATIENCE) == {"sales"}
    hub.store.append("a", [(0, 1)])
    assert subscription.wait(PATIENCE) == {"a"}
    hub.notify("other")
    assert subscription.wait(0.05) == set()


def test_closed_subscriptions_are_forgotten(hub):
    with hub.subscribe(["a"]) as subscription:
        assert subscription in hub._current()
    assert subscription not in hub._current()
    hub.store.append("a", [(0, 1)])
    started = time.monotonic()
    assert subscription.wait(SLOW_READS) == set()  # at once: nothing will come
    assert time.monotonic() - started < PATIENCE  # not its 60 s


def test_reader_sleeps_without_subscribers_and_wakes_for_one(hub):
    settled(hub, "a").close()
    hub.store.append("a", [(0, 0)])  # ends the reader's wait: nobody is left
    wait_until(lambda: hub._taken == frozenset(), PATIENCE)  # it went to sleep
    subscription = settled(hub, "a")
    hub.store.append("a", [(0, 1)])
    assert subscription.wait(PATIENCE) == {"a"}  # awake again, without a timeout


def test_close_wakes_subscribers_and_stops_the_reader(hub):
    subscription = settled(hub, "a")
    closer = threading.Timer(0.1, hub.close)
    closer.start()
    # Woken by close: the wait and the reader's timeout are both 60 s.
    started = time.monotonic()
    assert subscription.wait(SLOW_READS) == set()
    assert time.monotonic() - started < PATIENCE
    assert hub.closed
    if isinstance(hub.store, MemoryStore):  # told of appends: no reader
        assert hub._reader is None
    else:
        assert hub._reader is not None
        hub._reader.join(PATIENCE)
        assert not hub._reader.is_alive()
    closer.join()
    assert hub.subscribe(["a"]).wait(1) == set()  # no new reader after close


def test_a_memory_store_tells_the_hub_of_each_append_as_it_happens():
    """No reader thread, no wake-up of its own: the subscriber is marked in
    the appending thread, before ``append`` returns."""
    store = MemoryStore()
    store.configure("a", 10)
    hub = Hub(store)
    try:
        subscription = hub.subscribe(["a"])
        assert subscription.wait(0) == {"a"}  # taken up, as the reader does
        store.append("a", [(0, 1)])
        assert subscription.wait(0) == {"a"}
        store.append("a", [])  # no points: nothing moved
        assert subscription.wait(0) == set()
        assert hub._reader is None
    finally:
        hub.close()


def test_a_failing_listener_does_not_fail_the_append(caplog: pytest.LogCaptureFixture):
    """The points are in when listeners are called: the appender must not be
    told otherwise (it would append them again)."""
    store = MemoryStore()
    store.configure("a", 10)

    def broken(chart: str) -> None:
        raise RuntimeError("broken listener")

    store.listen(broken)
    cursor = store.append("a", [(0, 1)])
    assert store.since("a", None).cursor == cursor
    assert "A listener of chart 'a' failed" in caplog.text


def test_redis_losing_its_data_wakes_subscribers(private_redis: RedisServer):
    store = RedisStore(private_redis.url)
    store.configure("a", 10)
    store.append("a", [(0, value) for value in range(5)])
    hub = Hub(store)
    try:
        subscription = settled(hub, "a")
        reading(subscription, store)
        store.redis.flushall()
        assert subscription.wait(PATIENCE) == {"a"}
        private_redis.restart()  # the reader's connection breaks: it recovers

        def reading_again() -> bool:
            store.append("a", [(0, "probe")])
            return subscription.wait(0.2) == {"a"}

        wait_until(reading_again, PATIENCE)
        subscription.wait(0)
        store.append("a", [(0, "after")])
        assert subscription.wait(PATIENCE) == {"a"}
    finally:
        hub.close()
        store.close()


def test_redis_restored_from_an_older_snapshot_wakes_subscribers(
    private_redis: RedisServer,
):
    store = RedisStore(private_redis.url)
    store.configure("a", 100)
    store.append("a", [(0, value) for value in range(5)])
    private_redis.save()
    cursor = store.append("a", [(0, value) for value in range(5, 10)])  # lost
    hub = Hub(store)
    try:
        subscription = settled(hub, "a")
        reading(subscription, store)  # lost in the crash too
        private_redis.restart(from_snapshot=True)
        # no append after the restore: the epoch change alone wakes the viewer
        assert subscription.wait(READ_TIMEOUT + PATIENCE) == {"a"}
        page = store.since("a", cursor)
        assert page.reset is True
        assert [value for _, value in page.points] == [0, 1, 2, 3, 4]
    finally:
        hub.close()
        store.close()
