"""Build locks on a shared store are leases: renewed while the build runs, so a
long build is never doubled, and taken over soon after a builder dies."""

from __future__ import annotations

import collections
import logging
import threading
import typing as t
from pathlib import Path

import pytest
import redis
from flask import Flask

from flask_pyecharts import Charts
from flask_pyecharts.live import option_cache
from flask_pyecharts.streams.stores import Store, open_store

from .conftest import wait_until
from .conftest_redis import RedisServer

#: A short lease for the dead builder (the test waits for it to end); the long
#: build runs on the real one (3 s, renewed every second), so that a loaded
#: machine's pause between two renewals cannot end it.
LEASE = 0.3


@pytest.fixture
def short_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(option_cache, "BUILD_LEASE", LEASE)


def worker(
    url: str, builds: collections.Counter[str], gate: threading.Event | None = None
) -> tuple[Flask, Charts]:
    """One process of a deployment on the shared store at ``url``."""
    app = Flask(__name__)
    app.config.update(TESTING=True, PYECHARTS_STORE=url)
    charts = Charts(app)

    @charts.chart("sales", refresh=60)
    def sales() -> dict:
        builds["sales"] += 1
        if gate is not None:
            gate.wait(30)
        return {"series": [{"type": "bar", "data": [builds["sales"]]}]}

    return app, charts


@pytest.fixture(params=["redis", "sqlite"])
def shared(
    request: pytest.FixtureRequest, tmp_path: Path
) -> t.Iterator[tuple[str, Store]]:
    """A shared store's URL, and a store of it for the test's own use."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/streams.db"
    else:
        url = request.getfixturevalue("private_redis").url
    store = open_store(url)
    yield url, store
    store.close()


def test_a_dead_builders_lock_is_taken_over_once_its_lease_ends(
    shared: tuple[str, Store], caplog: pytest.LogCaptureFixture, short_lease: None
):
    url, store = shared
    builds: collections.Counter[str] = collections.Counter()
    app, charts = worker(url, builds)
    dead = store.lock("build:sales", ttl=LEASE)
    assert dead.acquire()  # a worker killed in the middle of its build
    with caplog.at_level(logging.WARNING, logger="flask_pyecharts"):
        response = app.test_client().get("/charts/api/charts/sales")
    assert response.status_code == 200
    assert builds["sales"] == 1
    # built under the lock it took over, and shared with the deployment
    assert store.get_blob("option:sales") is not None
    assert "no shared build arrived" not in caplog.text
    charts.shutdown()


def test_a_long_build_renews_its_lease_and_the_others_wait_for_it(
    private_redis: RedisServer,
):
    builds: collections.Counter[str] = collections.Counter()
    gate = threading.Event()
    first, first_charts = worker(private_redis.url, builds, gate)
    second, second_charts = worker(private_redis.url, builds)
    answers: dict[str, t.Any] = {}

    def ask(name: str, app: Flask) -> None:
        answers[name] = app.test_client().get("/charts/api/charts/sales").get_json()

    building = threading.Thread(target=ask, args=("first", first))
    building.start()
    wait_until(lambda: builds["sales"] == 1)
    client = redis.Redis.from_url(private_redis.url)
    key = "fpe:l:build:sales"
    renewals, last = 0, client.pttl(key)

    def renewed(times: int) -> bool:  # the lease's time to live went back up
        nonlocal renewals, last
        now = client.pttl(key)
        if now > last:
            renewals += 1
        last = now
        return renewals >= times

    wait_until(lambda: renewed(3), timeout=30)  # lived three leases and more
    waiting = threading.Thread(target=ask, args=("second", second))
    waiting.start()
    wait_until(lambda: renewed(6), timeout=30)
    assert waiting.is_alive()  # it waits for the build, it does not build
    gate.set()
    building.join()
    waiting.join()
    assert builds["sales"] == 1
    assert answers["first"]["etag"] == answers["second"]["etag"]
    first_charts.shutdown()
    second_charts.shutdown()
