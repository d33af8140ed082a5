"""The hub wakes subscribers promptly, and a slow one never delays another."""

from __future__ import annotations

import threading
import time

import pytest

from flask_pyecharts.hub import Hub
from flask_pyecharts.stores.memory import MemoryStore
from flask_pyecharts.stores.redis import RedisStore


@pytest.fixture(params=["memory", "redis"])
def hub(request, redis_url):
    store = (
        MemoryStore()
        if request.param == "memory"
        else RedisStore(redis_url, prefix=f"hub-{time.time_ns()}:")
    )
    store.configure("a", 100)
    store.configure("b", 100)
    hub = Hub(store)
    yield hub
    hub.close()


def test_subscriber_is_woken_within_milliseconds(hub):
    subscription = hub.subscribe(["a"])
    time.sleep(0.1)  # the reader is waiting on the store
    woken = {}

    def wait() -> None:
        woken["charts"] = subscription.wait(5)
        woken["at"] = time.monotonic()

    waiter = threading.Thread(target=wait)
    waiter.start()
    sent = time.monotonic()
    hub.store.append("a", [(0, 1)])
    waiter.join(5)
    assert woken["charts"] == {"a"}
    assert woken["at"] - sent < 0.1


def test_a_subscriber_that_never_reads_does_not_delay_another(hub):
    hub.subscribe(["a", "b"])  # never waits, never reads
    reader = hub.subscribe(["a"])
    time.sleep(0.1)
    delays = []
    for value in range(50):
        sent = time.monotonic()
        hub.store.append("a", [(0, value)])
        assert reader.wait(2) == {"a"}
        delays.append(time.monotonic() - sent)
    assert max(delays) < 0.1


def test_only_followed_charts_wake_a_subscriber(hub):
    subscription = hub.subscribe(["a"])
    time.sleep(0.1)
    hub.store.append("b", [(0, 1)])
    assert subscription.wait(0.3) == set()


def test_close_wakes_subscribers_and_stops_the_reader(hub):
    subscription = hub.subscribe(["a"])
    time.sleep(0.05)
    started = time.monotonic()
    threading.Timer(0.1, hub.close).start()
    subscription.wait(5)
    assert time.monotonic() - started < 1
    assert hub.closed
