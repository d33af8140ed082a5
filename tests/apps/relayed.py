"""The app the nchan tests run under gunicorn behind nginx with nchan.

Configured from the environment, as in production (``PYECHARTS_STORE``,
``PYECHARTS_NCHAN``, ``PYECHARTS_HEARTBEAT``); event streams the app serves
itself run to the default ``PYECHARTS_STREAM_TIMEOUT`` (600 s) unless nchan can
take their viewers over (about a second after they open). ``ticks`` is fed by a
producer whose points are ``[n, pid]``: consecutive integers, tagged with the
worker that produced them. ``sales`` has one variant per ``region``, rebuilt
every second; ``secret`` is for the viewer with the cookie ``viewer=boss``.
"""

from __future__ import annotations

import os
import time

from flask import Flask, request

from flask_pyecharts import Charts


def create_app() -> Flask:
    app = Flask(__name__)
    charts = Charts(app)

    @charts.chart("ticks", window=10_000)
    def ticks() -> dict:
        return {"xAxis": {"type": "value"}, "yAxis": {}, "series": [{"type": "line"}]}

    @charts.producer("ticks", every=0.05)
    def produce(cursor: int | None) -> tuple[list, int]:
        value = 0 if cursor is None else cursor + 1
        return [[value, os.getpid()]], value

    charts.variable("region", choices=["a", "b"], default="a")

    @charts.chart("sales", refresh=1.0)
    def sales(region: str) -> dict:
        second = int(time.time())
        return {
            "title": {"text": region},
            "xAxis": {"data": ["x", "y"]},
            "yAxis": {},
            "series": [{"type": "bar", "data": [second % 97, len(region)]}],
        }

    @charts.chart("secret")
    def secret() -> dict:
        return {"series": [{"type": "bar", "data": [42]}]}

    charts.access(
        lambda name: name != "secret" or request.cookies.get("viewer") == "boss"
    )
    charts.dashboard("/dash", ["ticks", "sales"], title="Relayed")
    return app
