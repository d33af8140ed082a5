"""A CPU-heavy builder under a real gunicorn gevent worker: the worker keeps
answering, and PYECHARTS_BUILD_TIMEOUT holds.

The builder spins until the test lets it end, after its checks: a worker
frozen by the build, or an answer that waited for it, would never come, and
the test fails on its generous time-outs instead of on the machine's speed.
"""

from __future__ import annotations

import json
import threading
import time

from .conftest import wait_until
from .gunicorn_server import Gunicorn

BUILD_TIMEOUT = 0.5
#: Seconds a request may take before the worker counts as frozen: generous,
#: since a frozen worker would not answer until the build ends.
PATIENCE = 30.0


def test_a_cpu_heavy_builder_neither_freezes_a_gevent_worker_nor_outruns_its_timeout(
    tmp_path,
):
    started, running = tmp_path / "started", tmp_path / "running"
    running.touch()
    server = Gunicorn(
        "tests.apps.workers:create_app()",
        "gevent",
        env={
            "PYECHARTS_BUILD_TIMEOUT": str(BUILD_TIMEOUT),
            "HEAVY_STARTED": str(started),
            "HEAVY_WHILE": str(running),
        },
    )
    heavy: dict[str, object] = {}

    def ask_heavy() -> None:
        heavy["status"], body = server.get("/charts/api/charts/heavy", PATIENCE)
        heavy["body"] = json.loads(body)

    asking = threading.Thread(target=ask_heavy)
    try:
        asking.start()
        wait_until(started.exists, PATIENCE, "the heavy build never started")
        # While the builder spins: the worker answers other requests...
        paths = ["/charts/api/charts", "/charts/api/charts/light"]
        statuses = [server.get(paths[i % 2], PATIENCE)[0] for i in range(20)]
        # ...and the heavy chart's request gets its time-out error.
        asking.join(PATIENCE)
        answered = not asking.is_alive()
    finally:
        running.unlink(missing_ok=True)
        asking.join(PATIENCE)
        server.stop()
    assert statuses == [200] * 20
    assert answered  # before the build could end: it spins until we say so
    assert heavy["status"] == 503, heavy
    assert "timed out" in heavy["body"]["error"], heavy  # type: ignore[index]


def test_a_builder_sharing_the_event_loops_connections_runs_in_the_loop(redis_url):
    """Regression: under gevent a builder in a thread of its own could not use
    a Redis client made (and first used) by the worker's event loop: every
    build failed with greenlet's 'Cannot switch to a different thread'."""
    server = Gunicorn(
        "tests.apps.workers:create_app()",
        "gevent",
        env={"SHARED_REDIS_URL": redis_url},
    )
    try:
        assert server.get("/visits")[0] == 200  # the loop's connection
        status, body = server.get("/charts/api/charts/shared")
        assert status == 200, body
        first = json.loads(body)["option"]["series"][0]["data"][0]
        server.get("/visits")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # rebuilt (refresh 0.5 s) in the loop
            status, body = server.get("/charts/api/charts/shared")
            if json.loads(body)["option"]["series"][0]["data"][0] > first:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the shared chart was never rebuilt")
        assert server.get("/visits")[0] == 200  # the client still works
    finally:
        server.stop()
    assert "it now runs in the event loop" in server.output(), server.output()
