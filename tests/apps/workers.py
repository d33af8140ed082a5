"""The app the single-host gunicorn tests run (memory store, configured from
the environment only, as in production).

``ticks`` is a stream; ``light`` a cheap full chart; ``bulky`` one of 5 MB,
more than the socket buffers of a reader that stops reading; ``heavy`` a full chart
whose builder keeps a CPU busy (pure Python, holding the GIL as much as
Python lets it) and returns an option of 300,000 points: it writes the file
``HEAVY_STARTED`` when it starts and spins while the file ``HEAVY_WHILE``
exists (a minute at most), so that a test decides when it ends.
With ``SHARED_REDIS_URL``, ``shared`` reads Redis through the client that the
``/visits`` view uses too: under gevent its connections belong to the event
loop's thread. Its first query is one Redis answers only after 50 ms, so the
builder's socket always has to wait (a fast answer, already there when read,
would not need the event loop and would hide the problem).
"""

from __future__ import annotations

import math
import os
import time

import redis
from flask import Flask

from flask_pyecharts import Charts


def create_app() -> Flask:
    app = Flask(__name__)
    charts = Charts(app)

    @charts.chart("ticks", window=100)
    def ticks() -> dict:
        return {"xAxis": {"type": "value"}, "yAxis": {}, "series": [{"type": "line"}]}

    @charts.producer("ticks", every=0.05)
    def tick(cursor: int | None) -> tuple[list, int]:
        """One point a call, numbered from 1, in whichever process runs it."""
        number = (cursor or 0) + 1
        return [(number, os.getpid())], number

    @charts.chart("light", refresh=1.0)
    def light() -> dict:
        return {"xAxis": {"data": ["a", "b"]}, "yAxis": {}, "series": [{"type": "bar"}]}

    @charts.chart("bulky", refresh=60.0)
    def bulky() -> dict:  # about 5 MB: more than a socket's buffers hold
        data = list(range(10**6, 10**6 + 700_000))
        return {"xAxis": {"type": "value"}, "yAxis": {}, "series": [{"data": data}]}

    @charts.chart("heavy", refresh=60.0)
    def heavy() -> dict:
        with open(os.environ["HEAVY_STARTED"], "w"):
            pass
        deadline = time.monotonic() + 60
        data: list[float] = []
        while os.path.exists(os.environ["HEAVY_WHILE"]) and time.monotonic() < deadline:
            data = [math.sin(i / 1000) for i in range(300_000)]
        return {"xAxis": {"type": "value"}, "yAxis": {}, "series": [{"data": data}]}

    if os.environ.get("SHARED_REDIS_URL"):
        client = redis.Redis.from_url(os.environ["SHARED_REDIS_URL"])

        @app.route("/visits")
        def visits() -> str:
            return str(client.incr("test:visits"))

        @charts.chart("shared", refresh=0.5)
        def shared() -> dict:
            client.blpop(["test:nothing"], timeout=0.05)  # a slow query
            visits = int(client.get("test:visits") or 0)
            return {
                "xAxis": {"data": ["visits"]},
                "yAxis": {},
                "series": [{"type": "bar", "data": [visits]}],
            }

    return app
