"""The hub wakes subscribers promptly, and a slow one never delays another."""

from __future__ import annotations

import statistics
import threading
import time
import typing as t
import uuid

import pytest

from flask_pyecharts.streams.hub import READ_TIMEOUT, Hub
from flask_pyecharts.streams.stores import Store
from flask_pyecharts.streams.stores.memory import MemoryStore
from flask_pyecharts.streams.stores.redis import RedisStore

from .conftest_redis import RedisServer


def make_store(kind: str, redis_url: str) -> Store:
    if kind == "memory":
        return MemoryStore()
    return RedisStore(redis_url, prefix=f"hub-{uuid.uuid4().hex[:12]}:")


@pytest.fixture(params=["memory", "redis"])
def hub(request: pytest.FixtureRequest, redis_url: str) -> t.Iterator[Hub]:
    store = make_store(request.param, redis_url)
    store.configure("a", 100)
    store.configure("b", 100)
    hub = Hub(store)
    yield hub
    hub.close()
    if isinstance(store, RedisStore):
        keys = list(store.redis.scan_iter(match=f"{store.prefix}*"))
        if keys:
            store.redis.delete(*keys)
    store.close()


def settled(hub: Hub, *charts: str) -> t.Any:
    """A subscription whose charts the reader already watches."""
    subscription = hub.subscribe(charts)
    deadline = time.monotonic() + 5
    while not subscription.charts <= hub._taken and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.02)  # the reader is blocked on the store again
    subscription.wait(0)  # drop the wake-up of charts the reader just took up
    return subscription


def test_subscriber_is_woken_within_milliseconds(hub):
    subscription = settled(hub, "a")
    delays = []
    for value in range(10):
        woken: dict[str, t.Any] = {}

        def wait() -> None:
            woken["charts"] = subscription.wait(5)  # noqa: B023
            woken["at"] = time.monotonic()  # noqa: B023

        waiter = threading.Thread(target=wait)
        waiter.start()
        time.sleep(0.01)  # the waiter is blocked
        sent = time.monotonic()
        hub.store.append("a", [(0, value)])
        waiter.join(5)
        assert woken["charts"] == {"a"}
        delays.append(woken["at"] - sent)
    assert statistics.median(delays) < 0.02
    assert max(delays) < 0.2  # a loaded test machine may pause a thread


def test_a_subscriber_that_never_reads_does_not_delay_another(hub):
    idle = hub.subscribe(["a", "b"])  # never waits, never reads
    reader = settled(hub, "a")
    delays = []
    for value in range(50):
        sent = time.monotonic()
        hub.store.append("a", [(0, value)])
        hub.store.append("b", [(0, value)])
        assert reader.wait(2) == {"a"}
        delays.append(time.monotonic() - sent)
    assert statistics.median(delays) < 0.02
    assert max(delays) < 0.2
    assert idle._pending <= {"a", "b"}  # bounded by its charts, whatever it misses


def test_appends_right_after_subscribing_are_not_missed(hub):
    subscription = hub.subscribe(["a"])  # the reader has not taken "a" up yet
    hub.store.append("a", [(0, 1)])
    assert subscription.wait(READ_TIMEOUT + 1) == {"a"}


def test_a_new_chart_is_taken_up_at_once(hub):
    settled(hub, "a")  # the reader now blocks on the store for "a"
    sent = time.monotonic()
    subscription = hub.subscribe(["b"])
    hub.store.append("b", [(0, 1)])
    assert subscription.wait(READ_TIMEOUT + 1) == {"b"}
    assert time.monotonic() - sent < 0.2  # not READ_TIMEOUT


def test_only_followed_charts_wake_a_subscriber(hub):
    subscription = settled(hub, "a")
    hub.store.append("b", [(0, 1)])
    assert subscription.wait(0.3) == set()


def test_wait_times_out_with_an_empty_set(hub):
    subscription = settled(hub, "a")
    started = time.monotonic()
    assert subscription.wait(0.1) == set()
    assert 0.09 <= time.monotonic() - started < 0.5


def test_notify_wakes_full_charts_beside_streams(hub):
    subscription = settled(hub, "a", "sales")  # "sales" is no stream
    hub.notify("sales")
    assert subscription.wait(1) == {"sales"}
    hub.store.append("a", [(0, 1)])
    assert subscription.wait(1) == {"a"}
    hub.notify("other")
    assert subscription.wait(0.05) == set()


def test_closed_subscriptions_are_forgotten(hub):
    with hub.subscribe(["a"]) as subscription:
        assert subscription in hub._current()
    assert subscription not in hub._current()
    hub.store.append("a", [(0, 1)])
    started = time.monotonic()
    assert subscription.wait(1) == set()  # at once: nothing will come
    assert time.monotonic() - started < 0.2


def test_reader_sleeps_without_subscribers_and_wakes_for_one(hub):
    hub.subscribe(["a"]).close()
    time.sleep(0.05)
    subscription = settled(hub, "a")
    sent = time.monotonic()
    hub.store.append("a", [(0, 1)])
    assert subscription.wait(1) == {"a"}
    assert time.monotonic() - sent < 0.2


def test_close_wakes_subscribers_and_stops_the_reader(hub):
    subscription = settled(hub, "a")
    started = time.monotonic()
    closer = threading.Timer(0.1, hub.close)
    closer.start()
    assert subscription.wait(5) == set()
    assert time.monotonic() - started < 0.5
    assert hub.closed
    assert hub._reader is not None
    hub._reader.join(0.5)
    assert not hub._reader.is_alive()
    assert time.monotonic() - started < 0.5
    closer.join()
    assert hub.subscribe(["a"]).wait(1) == set()  # no new reader after close


def test_redis_losing_its_data_wakes_subscribers(private_redis: RedisServer):
    store = RedisStore(private_redis.url)
    store.configure("a", 10)
    store.append("a", [(0, value) for value in range(5)])
    hub = Hub(store)
    try:
        subscription = settled(hub, "a")
        store.redis.flushall()
        assert subscription.wait(READ_TIMEOUT + 1) == {"a"}
        private_redis.restart()  # the reader's connection breaks: it recovers
        time.sleep(READ_TIMEOUT + 0.2)
        subscription.wait(0)
        store.append("a", [(0, "after")])
        assert subscription.wait(READ_TIMEOUT + 1) == {"a"}
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
        private_redis.restart(from_snapshot=True)
        # no append after the restore: the epoch change alone wakes the viewer
        assert subscription.wait(READ_TIMEOUT + 1.5) == {"a"}
        page = store.since("a", cursor)
        assert page.reset is True
        assert [value for _, value in page.points] == [0, 1, 2, 3, 4]
    finally:
        hub.close()
        store.close()
