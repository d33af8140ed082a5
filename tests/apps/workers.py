"""The app the single-host gunicorn tests run (memory store, configured from
the environment only, as in production).

``ticks`` is a stream; ``light`` a cheap full chart; ``heavy`` a full chart
whose builder keeps a CPU busy for ``HEAVY_SECONDS`` (pure Python, holding
the GIL as much as Python lets it) and returns an option of 300,000 points.
"""

from __future__ import annotations

import math
import os
import time

from flask import Flask

from flask_pyecharts import Charts


def create_app() -> Flask:
    app = Flask(__name__)
    charts = Charts(app)

    @charts.chart("ticks", window=100)
    def ticks() -> dict:
        return {"xAxis": {"type": "value"}, "yAxis": {}, "series": [{"type": "line"}]}

    @charts.chart("light", refresh=1.0)
    def light() -> dict:
        return {"xAxis": {"data": ["a", "b"]}, "yAxis": {}, "series": [{"type": "bar"}]}

    @charts.chart("heavy", refresh=60.0)
    def heavy() -> dict:
        deadline = time.monotonic() + float(os.environ.get("HEAVY_SECONDS", "3"))
        data: list[float] = []
        while time.monotonic() < deadline:
            data = [math.sin(i / 1000) for i in range(300_000)]
        return {"xAxis": {"type": "value"}, "yAxis": {}, "series": [{"data": data}]}

    return app
