"""Separated mode: a plain static HTML page fetches the option from the API.

The classic recipe loads jQuery and ECharts from a CDN and calls
``$.ajax("/barChart")``; here ``static/separated_mode.html`` needs no inline
script at all: ``<div data-chart="/charts/api/charts/bar">`` is enough.

Run: .venv/bin/flask --app examples/separated_mode.py run
Then open http://127.0.0.1:5000/
"""

from __future__ import annotations

from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import Bar

from flask_pyecharts import Charts, JsCode

app = Flask(__name__, static_url_path="")
charts = Charts(app)


@charts.chart("bar")
def bar() -> Bar:
    return (
        Bar()
        .add_xaxis(["衬衫", "羊毛衫", "雪纺衫", "裤子", "高跟鞋", "袜子"])
        .add_yaxis("商家A", [5, 20, 36, 10, 75, 90])
        .set_series_opts(
            label_opts=opts.LabelOpts(
                formatter=JsCode("function (p) { return p.value + ' 件'; }")
            )
        )
        .set_global_opts(title_opts=opts.TitleOpts(title="某商场销售情况"))
    )


@app.route("/")
def index():
    return app.send_static_file("separated_mode.html")
