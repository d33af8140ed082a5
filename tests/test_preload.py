"""gunicorn ``--preload``: the app starts in the master, whose threads do not
follow the fork into the workers. Producers must run in the workers, and
stop in the master (it serves nothing: its points would go nowhere)."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from flask import Flask

from flask_pyecharts import Charts
from flask_pyecharts.streams.cursors import Cursor

from .conftest import wait_until
from .gunicorn_server import Gunicorn

WORKERS = [("gevent", []), ("gthread", ["--threads", "4"]), ("sync", [])]


@pytest.mark.parametrize(
    ("worker_class", "args"), WORKERS, ids=[kind for kind, _ in WORKERS]
)
def test_producers_run_in_the_workers_of_a_preloaded_app(
    worker_class: str, args: list[str]
) -> None:
    server = Gunicorn(
        "tests.apps.workers:create_app()", worker_class, args=["--preload", *args]
    )
    master = server.process.pid
    points: list[list[int]] = []

    def produced() -> bool:
        status, body = server.get("/charts/api/charts/ticks/points")
        assert status == 200, body
        points[:] = [value for _, value in json.loads(body)["points"]]
        return len(points) >= 10

    def master_threads() -> int:
        return len(os.listdir(f"/proc/{master}/task"))

    try:
        wait_until(produced, message="the worker's producer made no points")
        # the tick producer numbers its points from 1 and names its process
        assert [number for number, _ in points] == list(range(1, len(points) + 1))
        assert master not in {pid for _, pid in points}
        wait_until(lambda: master_threads() == 1, message="the master still produces")
    finally:
        server.stop()


def test_a_process_that_forks_pauses_its_producers_until_it_is_used_again() -> None:
    """A web process that forks a helper (multiprocessing, say) stops its
    producers at the fork, and starts them again at its next request."""
    app = Flask(__name__)
    charts = Charts(app)
    charts.chart("ticks", window=1000)(
        lambda: {"xAxis": {"type": "value"}, "yAxis": {}, "series": [{}]}
    )

    @charts.producer("ticks", every=0.01)
    def tick(cursor: int | None) -> tuple[list, int]:
        number = (cursor or 0) + 1
        return [(number, number)], number

    runtime = charts.runtime(app)
    try:
        wait_until(lambda: Cursor.decode(runtime.store.head("ticks")).seq >= 3)
        child = os.fork()
        if child == 0:  # the helper: nothing to do
            os._exit(0)
        os.waitpid(child, 0)
        assert runtime.paused
        wait_until(
            lambda: (
                not any(
                    t.name.startswith("pyecharts-producer")
                    for t in threading.enumerate()
                )
            )
        )
        stopped = runtime.store.head("ticks")
        time.sleep(0.05)  # five of its intervals: nothing comes
        assert runtime.store.head("ticks") == stopped
        assert app.test_client().get("/charts/api/charts").status_code == 200
        assert not runtime.paused
        wait_until(
            lambda: runtime.store.head("ticks") != stopped, message="not resumed"
        )
    finally:
        charts.shutdown()
