"""Timed incremental refresh: new points are appended, the window is bounded.

The classic recipe bumps one global counter per request (two viewers each see
half the points) and grows the page's array forever. Here a producer appends
one point a second to a stream with a window of 100: every viewer gets every
point once, in order, pushed the moment it exists, and keeps only the last 100.

Run: .venv/bin/flask --app examples/incremental_refresh.py run
Then open http://127.0.0.1:5000/
"""

from __future__ import annotations

import random

from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import Line

from flask_pyecharts import Charts

app = Flask(__name__)
charts = Charts(app)


@charts.chart("line", window=100, title="动态数据")
def line() -> Line:
    return (
        Line()
        .add_xaxis([])
        .add_yaxis("数值", [], is_smooth=True)
        .set_global_opts(title_opts=opts.TitleOpts(title="动态折线图"))
    )


@charts.producer("line", every=1.0)
def next_point(cursor: int | None) -> tuple[list, int]:
    """Called by the library once a second, once per deployment."""
    index = 0 if cursor is None else cursor + 1
    return [(str(index), random.randint(1, 100))], index


charts.dashboard("/", ["line"], title="Incremental refresh", columns=1)
