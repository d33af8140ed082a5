"""Many gunicorn gevent workers around one Redis: one exact stream for everyone."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

import pytest
import redis

from .conftest_redis import RedisServer, free_port
from .gunicorn_server import quiet_args
from .sse_client import read_events

ROOT = Path(__file__).resolve().parents[1]


class Gunicorn:
    def __init__(
        self, redis_url: str, workers: int = 3, worker_class: str = "gevent"
    ) -> None:
        self.port = free_port()
        env = {**os.environ, "PYECHARTS_STORE": redis_url, "PYTHONPATH": str(ROOT)}
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-k",
                worker_class,
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{self.port}",
                *quiet_args(),
                "--graceful-timeout",
                "2",
                "tests.apps.scaled:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.get("/charts/api/charts")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def get(self, path: str) -> tuple[dict[str, t.Any], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = json.loads(response.read())
            return body, response.getheader("X-Worker") or ""
        finally:
            connection.close()

    def workers(self) -> set[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        )
        return {int(pid) for pid in out.stdout.split()}

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


@pytest.fixture
def deployment() -> t.Iterator[tuple[Gunicorn, RedisServer]]:
    server = RedisServer()
    server.start()
    app = Gunicorn(server.url)
    yield app, server
    app.stop()
    server.stop()


def poll_points(app: Gunicorn, cursor: str | None, seconds: float):
    """Follow ``ticks`` with /points, one new connection per request."""
    values, workers, resets = [], set(), 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        query = f"?since={cursor}" if cursor else ""
        page, worker = app.get(f"/charts/api/charts/ticks/points{query}")
        workers.add(worker)
        if page["reset"]:
            resets += 1
            values = []
        values.extend(value for _, value in page["points"])
        cursor = page["cursor"]
        time.sleep(0.02)
    return values, workers, resets, cursor


def test_requests_on_different_workers_see_one_sequence(deployment):
    app, _ = deployment
    values, workers, resets, _ = poll_points(app, None, 3.0)
    assert len(workers) >= 2, workers
    assert resets == 1  # the first request only
    numbers = [n for n, _ in values]
    assert len(numbers) > 20
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert len({pid for _, pid in values}) == 1  # one producer for the deployment


def test_event_stream_across_reconnects_to_any_worker(deployment):
    app, _ = deployment
    page, _ = app.get("/charts/api/charts/ticks")
    since, seen = page["cursor"], []
    url = f"http://127.0.0.1:{app.port}/charts/api/events?charts=ticks&since={since}"
    last_id = None
    for _ in range(3):  # the app closes each stream after 2 s
        events, _ = read_events(url, last_event_id=last_id)
        for event in events:
            seen.extend(value[0] for _, value in event.data["points"])
            last_id = event.id
    assert len(seen) > 30
    assert seen == list(range(seen[0], seen[0] + len(seen)))


def test_killing_the_producing_worker_moves_production_without_loss(deployment):
    app, _ = deployment
    values, _, _, cursor = poll_points(app, None, 1.0)
    producer_pid = values[-1][1]
    os.kill(producer_pid, signal.SIGKILL)
    more, _, resets, _ = poll_points(app, cursor, 6.0)
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
        _, worker = app.get("/charts/api/charts/sales")
        workers.add(worker)
    elapsed = time.monotonic() - start
    builds = int(client.get("test:sales-builds") or 0)
    assert len(workers) >= 2
    assert (
        1 <= builds <= elapsed / 1.0 + 2
    )  # refresh=1 s: once per interval, not per worker


def test_redis_restart_makes_clients_reset_not_skip(deployment):
    app, server = deployment
    _, _, _, cursor = poll_points(app, None, 0.5)
    server.restart()
    deadline = time.monotonic() + 10
    page = None
    while time.monotonic() < deadline:
        try:
            page, _ = app.get(f"/charts/api/charts/ticks/points?since={cursor}")
        except (OSError, ValueError):
            page = None
        if page and "reset" in page and page["points"]:
            break
        time.sleep(0.2)
    assert page is not None and page["reset"] is True


def test_gthread_workers_serve_the_event_stream():
    server = RedisServer()
    server.start()
    app = Gunicorn(server.url, workers=2, worker_class="gthread")
    try:
        page, _ = app.get("/charts/api/charts/ticks")
        url = f"http://127.0.0.1:{app.port}/charts/api/events?charts=ticks&since={page['cursor']}"
        events, _ = read_events(url, until=lambda events: len(events) >= 5)
    finally:
        app.stop()
        server.stop()
    seen = [value[0] for event in events for _, value in event.data["points"]]
    assert len(events) >= 5
    assert seen == list(range(seen[0], seen[0] + len(seen)))
