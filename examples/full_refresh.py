"""Timed full refresh: the whole option is rebuilt every 2 seconds.

The classic recipe calls ``setInterval`` in the page and rebuilds the chart
on every request of every viewer; here the builder runs at most once per
``refresh`` interval whatever the number of viewers, and the page gets the new
option pushed (or polls with If-None-Match, answered 304 when unchanged).

Run: .venv/bin/flask --app examples/full_refresh.py run
Then open http://127.0.0.1:5000/
"""

from __future__ import annotations

import random

from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import Bar

from flask_pyecharts import Charts

app = Flask(__name__)
charts = Charts(app)


@charts.chart("bar", refresh=2.0, title="每两秒刷新")
def bar() -> Bar:
    return (
        Bar()
        .add_xaxis(["衬衫", "羊毛衫", "雪纺衫", "裤子", "高跟鞋", "袜子"])
        .add_yaxis("商家A", [random.randint(1, 100) for _ in range(6)])
        .set_global_opts(title_opts=opts.TitleOpts(title="某商场销售情况"))
    )


charts.dashboard("/", ["bar"], title="Full refresh", columns=1)
