"""Many gunicorn gevent workers around one Redis: one exact stream for everyone."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import threading
import time
import typing as t
import uuid

import pytest
import redis
from flask import Flask

from flask_pyecharts import Charts
from flask_pyecharts.registry import ProducerSpec
from flask_pyecharts.streams.producers import ProducerThread
from flask_pyecharts.streams.stores.redis import RedisStore

from .conftest import LiveServer
from .conftest_redis import RedisServer
from .gunicorn_server import Gunicorn
from .sse_client import Event, read_events


class Deployment(Gunicorn):
    """Workers of ``tests.apps.scaled`` around the Redis at ``redis_url``."""

    def __init__(
        self,
        redis_url: str,
        workers: int = 3,
        worker_class: str = "gevent",
        options: t.Sequence[str] = (),
        env: t.Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            "tests.apps.scaled:create_app()",
            worker_class,
            workers,
            args=["--graceful-timeout", "2", *options],
            env={**(env or {}), "PYECHARTS_STORE": redis_url},
        )

    def answer(self, path: str) -> tuple[dict[str, t.Any], str]:
        """``GET path``: its JSON body and the worker that answered."""
        _, body, headers = self.request(path)
        return json.loads(body), headers.get("X-Worker") or ""


def start_deployment(**env: str) -> tuple[Deployment, RedisServer]:
    server = RedisServer()
    server.start()
    try:
        return Deployment(server.url, env=env), server
    except BaseException:
        server.cleanup()
        raise


@pytest.fixture(scope="module")
def deployment() -> t.Iterator[tuple[Deployment, RedisServer]]:
    """Three workers and their Redis, shared by the tests that leave both as
    they found them (no kill, no restart). Event streams end every 0.5 s."""
    app, server = start_deployment(SCALED_STREAM_TIMEOUT="0.5")
    yield app, server
    app.stop()
    server.cleanup()


@pytest.fixture
def own_deployment() -> t.Iterator[tuple[Deployment, RedisServer]]:
    """Three workers and their Redis for one test that kills or restarts."""
    app, server = start_deployment()
    yield app, server
    app.stop()
    server.cleanup()


Polled = tuple[list[t.Any], set[str], int, str]


def poll_points(
    app: Deployment,
    cursor: str | None,
    until: t.Callable[[list[t.Any], set[str]], bool],
    timeout: float = 30.0,
) -> Polled:
    """Follow ``ticks`` with /points, one new connection per request, until
    ``until(values, workers)`` holds (``timeout`` only for failures)."""
    values: list[t.Any] = []
    workers: set[str] = set()
    resets = 0
    deadline = time.monotonic() + timeout
    while True:
        query = f"?since={cursor}" if cursor else ""
        page, worker = app.answer(f"/charts/api/charts/ticks/points{query}")
        workers.add(worker)
        if page["reset"]:
            resets += 1
            values = []
        values.extend(value for _, value in page["points"])
        cursor = page["cursor"]
        if until(values, workers):
            return values, workers, resets, cursor
        assert time.monotonic() < deadline, (len(values), workers)
        time.sleep(0.02)


def test_requests_on_different_workers_see_one_sequence(deployment):
    app, _ = deployment
    values, workers, resets, _ = poll_points(
        app, None, lambda values, workers: len(values) > 20 and len(workers) >= 2
    )
    assert len(workers) >= 2, workers
    assert resets == 1  # the first request only
    numbers = [n for n, _ in values]
    assert len(numbers) > 20
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert len({pid for _, pid in values}) == 1  # one producer for the deployment


def test_event_stream_across_reconnects_to_any_worker(deployment):
    app, _ = deployment
    page, _ = app.answer("/charts/api/charts/ticks")
    since, seen = page["cursor"], []
    url = f"http://127.0.0.1:{app.port}/charts/api/events?charts=ticks&since={since}"
    last_id = None
    streams = 0
    deadline = time.monotonic() + 30
    while streams < 3 or len(seen) <= 30:  # the app ends each stream after 0.5 s
        assert time.monotonic() < deadline, (streams, len(seen))
        events, _ = read_events(url, last_event_id=last_id)
        streams += 1
        for event in events:
            seen.extend(value[0] for _, value in event.data["points"])
            last_id = event.id
    assert len(seen) > 30
    assert seen == list(range(seen[0], seen[0] + len(seen)))


def test_killing_the_producing_worker_moves_production_without_loss(own_deployment):
    app, _ = own_deployment
    values, _, _, cursor = poll_points(app, None, lambda values, _: len(values) >= 5)
    producer_pid = values[-1][1]
    os.kill(producer_pid, signal.SIGKILL)

    def moved(more: list[t.Any], _: set[str]) -> bool:
        # another worker took production over (once the lock of the dead one
        # expired) and has produced a few values since
        return sum(pid != producer_pid for _, pid in more) >= 5

    more, _, resets, _ = poll_points(app, cursor, moved)
    assert resets == 0
    everything = values + more
    numbers = [n for n, _ in everything]
    assert numbers == list(
        range(numbers[0], numbers[0] + len(numbers))
    )  # no gap, no double
    new_pids = {pid for _, pid in more} - {producer_pid}
    assert new_pids, "production did not move to another worker"


def test_full_chart_is_built_once_per_interval_for_the_deployment(deployment):
    app, server = deployment
    client = redis.Redis.from_url(server.url)
    client.delete("test:sales-builds")
    workers = set()
    start = time.monotonic()
    while time.monotonic() - start < 3.0:
        _, worker = app.answer("/charts/api/charts/sales")
        workers.add(worker)
    elapsed = time.monotonic() - start
    builds = int(client.get("test:sales-builds") or 0)
    assert len(workers) >= 2
    assert (
        1 <= builds <= elapsed / 1.0 + 2
    )  # refresh=1 s: once per interval, not per worker


def test_fifty_requests_for_one_variant_on_many_workers_run_one_build():
    server = RedisServer()
    server.start()
    # 20 connections a worker at most: 50 at once need all three workers.
    app = Deployment(server.url, options=["--worker-connections", "20"])
    try:
        check_one_build_for_fifty_requests(app, server)
    finally:
        app.stop()
        server.stop()


def check_one_build_for_fifty_requests(app: Deployment, server: RedisServer) -> None:
    client = redis.Redis.from_url(server.url)
    client.set("test:regional-wanted", 50)
    path = "/charts/api/charts/regional?region=b"
    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(lambda _: app.answer(path), range(50)))
    assert int(client.get("test:regional-arrived")) >= 50
    assert int(client.get("test:regional-builds:b") or 0) == 1, app.output()
    assert client.get("test:regional-builds:a") is None  # not viewed, not built
    assert len({worker for _, worker in answers}) >= 2
    bodies = {json.dumps(body, sort_keys=True) for body, _ in answers}
    assert len(bodies) == 1
    assert answers[0][0]["variables"] == {"region": "b"}
    assert answers[0][0]["option"]["title"]["text"] == "b"
    other, _ = app.answer("/charts/api/charts/regional?region=c")  # its own variant
    assert other["option"]["title"]["text"] == "c"
    assert int(client.get("test:regional-builds:c")) == 1
    refused, _ = app.answer("/charts/api/charts/regional?region=z")
    assert "the allowed values are a, b, c" in refused["error"]


def test_redis_restart_makes_clients_reset_not_skip(own_deployment):
    app, server = own_deployment
    _, _, _, cursor = poll_points(app, None, lambda values, _: len(values) >= 5)
    server.restart()
    deadline = time.monotonic() + 30
    page = None
    while time.monotonic() < deadline:
        try:
            page, _ = app.answer(f"/charts/api/charts/ticks/points?since={cursor}")
        except (OSError, ValueError):
            page = None
        if page and "reset" in page and page["points"]:
            break
        time.sleep(0.05)
    assert page is not None and page["reset"] is True


def held(events: list[Event]) -> list[t.Any]:
    """The values a viewer holds after applying ``events`` (a reset drops all)."""
    values: list[t.Any] = []
    for event in events:
        if event.event == "reset":
            values = []
        values.extend(value for _, value in event.data["points"])
    return values


def test_http_api_resets_cursors_from_before_a_restored_snapshot(private_redis):
    """Redis crashes and boots from an older RDB snapshot: a poller and an open
    event stream holding a cursor from before the crash get ``reset: true``."""
    app = Flask(__name__)
    app.config.update(PYECHARTS_STORE=private_redis.url, PYECHARTS_STREAM_TIMEOUT=5)
    charts = Charts(app)

    @charts.chart("ticks", window=1000)
    def ticks() -> dict:
        return {"series": [{"type": "line", "data": []}]}

    charts.append("ticks", list(range(100)))
    private_redis.save()
    opened = charts.append("ticks", list(range(100, 229)))  # lost in the crash
    window = list(range(100)) + [f"new {n}" for n in range(100, 300)]
    server = LiveServer(app)
    live = threading.Event()
    streamed: list[Event] = []

    def until(events: list[Event]) -> bool:
        live.set()
        return held(events) == window

    url = f"{server.url}/charts/api/events?charts=ticks&since={opened}"
    stream = threading.Thread(
        target=lambda: streamed.extend(read_events(url, until=until, timeout=5)[0])
    )
    try:
        stream.start()
        cursor = charts.append("ticks", 229)  # lost too
        assert live.wait(5), "the event stream did not get point 229"
        private_redis.restart(from_snapshot=True)
        # new points take the lost ones' sequence numbers, then pass the cursor
        charts.append("ticks", [f"new {n}" for n in range(100, 300)])
        stream.join(5)
        assert [event.event for event in streamed][:2] == ["points", "reset"]
        assert held(streamed[:1]) == [229]
        assert held(streamed) == window  # once each, in order, after the reset
        assert {event.event for event in streamed[2:]} <= {"points"}
        client = app.test_client()
        page = client.get(f"/charts/api/charts/ticks/points?since={cursor}").json
        assert page["reset"] is True
        assert [value for _, value in page["points"]] == window
        batch = client.get(
            f"/charts/api/updates?charts=ticks&since={cursor}&limit=1000"
        ).json
        assert [(u["type"], [v for _, v in u["points"]]) for u in batch["updates"]] == [
            ("reset", window)
        ]
    finally:
        server.stop()
        charts.shutdown()
        stream.join(5)


def test_gthread_workers_serve_the_event_stream():
    server = RedisServer()
    server.start()
    app = Deployment(server.url, workers=2, worker_class="gthread")
    try:
        page, _ = app.answer("/charts/api/charts/ticks")
        url = f"http://127.0.0.1:{app.port}/charts/api/events?charts=ticks&since={page['cursor']}"
        events, _ = read_events(url, until=lambda events: len(events) >= 5)
    finally:
        app.stop()
        server.stop()
    seen = [value[0] for event in events for _, value in event.data["points"]]
    assert len(events) >= 5
    assert seen == list(range(seen[0], seen[0] + len(seen)))


def test_a_producer_slower_than_its_lock_never_appends_a_row_twice(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Two processes' producers share one Redis. The first call outlasts the
    lock, so the other process takes the lock over and reads the same stored
    cursor: of the two batches made from it, only one may land."""
    caplog.set_level("INFO", logger="flask_pyecharts")
    prefix = f"race-{uuid.uuid4().hex[:12]}:"
    stores = [RedisStore(redis_url, prefix=prefix) for _ in range(2)]
    for store in stores:
        store.configure("rows", 1000)
    first_calls: list[str] = []
    guard = threading.Lock()
    both_inside = threading.Barrier(2, timeout=5)

    def produce(cursor: int | None) -> tuple[list[int], int | None]:
        with guard:
            first = cursor is None and len(first_calls) < 2
            if first:
                first_calls.append(threading.current_thread().name)
        if first:  # the other one gets in only once this one's lock expired
            both_inside.wait()
        start = 0 if cursor is None else cursor + 1
        rows = list(range(start, min(start + 10, 70)))
        return rows, rows[-1] if rows else cursor

    spec = ProducerSpec("rows", produce, every=0.01)
    app = Flask(__name__)
    producers = [ProducerThread(spec, app, store, lock_ttl=0.2) for store in stores]
    try:
        for producer in producers:
            producer.start()
        deadline = time.monotonic() + 5
        while stores[0].get_blob("producer:rows") != b"69":
            assert time.monotonic() < deadline, "the producers did not finish"
            time.sleep(0.01)
    finally:
        for producer in producers:
            producer.stop()
    try:
        assert len(first_calls) == 2  # both really ran from the same cursor
        rows = [value for _, value in stores[0].since("rows", None).points]
        assert rows == list(range(70))  # every row once, in order
        assert not [r for r in caplog.records if r.levelname == "ERROR"]
        assert any("dropping" in r.getMessage() for r in caplog.records)
    finally:
        keys = list(stores[0].redis.scan_iter(match=f"{prefix}*"))
        if keys:
            stores[0].redis.delete(*keys)
        for store in stores:
            store.close()
