"""The demo app: a live sales bar chart and a streaming temperature line."""

from __future__ import annotations

import datetime
import random

from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import Bar, Line

from flask_pyecharts import Charts

CATEGORIES = ["衬衫", "羊毛衫", "雪纺衫", "裤子", "高跟鞋", "袜子"]


def create_app() -> Flask:
    """A small app with two live charts on one dashboard."""
    app = Flask(__name__)
    charts = Charts(app)

    @charts.chart("sales", refresh=2.0, title="销售情况")
    def sales() -> Bar:
        return (
            Bar()
            .add_xaxis(CATEGORIES)
            .add_yaxis("商家A", [random.randint(5, 100) for _ in CATEGORIES])
            .add_yaxis("商家B", [random.randint(5, 100) for _ in CATEGORIES])
            .set_global_opts(title_opts=opts.TitleOpts(title="某商场销售情况"))
        )

    @charts.chart("temperature", window=120, title="实时温度")
    def temperature() -> Line:
        return (
            Line()
            .add_xaxis([])
            .add_yaxis("温度 (°C)", [], is_smooth=True, is_symbol_show=False)
            .set_global_opts(
                title_opts=opts.TitleOpts(title="实时温度"),
                yaxis_opts=opts.AxisOpts(min_="dataMin"),
            )
        )

    @charts.producer("temperature", every=1.0)
    def readings(cursor: float | None) -> tuple[list, float]:
        value = 21.0 if cursor is None else cursor
        value = round(value + random.uniform(-0.5, 0.5), 2)
        now = datetime.datetime.now().strftime("%H:%M:%S")
        return [(now, value)], value

    charts.dashboard(
        "/", ["sales", "temperature"], title="Flask-PyEcharts 演示", columns=2
    )
    return app
