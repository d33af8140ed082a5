"""The app the multi-process tests run under gunicorn (one Redis, many workers).

The store comes from ``PYECHARTS_STORE`` in the environment, as the README's
production line sets it. ``ticks`` is fed by a producer whose points are
``[n, pid]``: consecutive integers, tagged with the worker that produced them.
``sales`` counts its builds in Redis so a test can check it is built once per
deployment; ``regional`` (one variant per ``region``) counts its builds per
region, and each build lasts until as many requests for it as
``test:regional-wanted`` says have arrived, on any worker.
"""

from __future__ import annotations

import os
import time

import redis
from flask import Flask, Response, request

from flask_pyecharts import Charts


def create_app() -> Flask:
    app = Flask(__name__)
    # Event streams end after 2 s (the tests' SCALED_STREAM_TIMEOUT may say
    # otherwise): viewers reconnect, to any worker.
    app.config["PYECHARTS_STREAM_TIMEOUT"] = float(
        os.environ.get("SCALED_STREAM_TIMEOUT", "2.0")
    )
    charts = Charts(app)  # PYECHARTS_STORE comes from the environment, as in production
    counter = redis.Redis.from_url(app.config["PYECHARTS_STORE"])

    @charts.chart("ticks", window=10_000)
    def ticks() -> dict:
        return {"series": [{"type": "line", "data": []}]}

    @charts.producer("ticks", every=0.05)
    def produce(cursor: int | None) -> tuple[list, int]:
        value = 0 if cursor is None else cursor + 1
        return [[value, os.getpid()]], value

    @charts.chart("sales", refresh=1.0)
    def sales() -> dict:
        counter.incr("test:sales-builds")
        return {"series": [{"type": "bar", "data": [1, 2, 3]}]}

    charts.variable("region", choices=["a", "b", "c"], default="a")

    @app.before_request
    def count_arrivals() -> None:
        if request.path.endswith("/regional"):
            counter.incr("test:regional-arrived")

    @charts.chart("regional", refresh=60.0)
    def regional(region: str) -> dict:
        # Builders run in a real thread: under gevent it needs its own client
        # (the requests' one belongs to the worker's event loop).
        own = redis.Redis.from_url(os.environ["PYECHARTS_STORE"])
        try:
            own.incr(f"test:regional-builds:{region}")
            wanted = int(own.get("test:regional-wanted") or 0)
            deadline = time.monotonic() + 4.0  # less than the other workers wait
            while int(own.get("test:regional-arrived") or 0) < wanted:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.01)
        finally:
            own.close()
        return {"title": {"text": region}, "series": [{"type": "bar", "data": [1]}]}

    @app.after_request
    def tag_worker(response: Response) -> Response:
        response.headers["X-Worker"] = str(os.getpid())
        response.headers["X-Store"] = type(charts.runtime().store).__name__
        return response

    return app
