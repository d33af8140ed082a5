"""Mixed mode: the server renders the page with the chart's option inlined.

The classic recipe returns ``Markup(chart.render_embed())``; here the template
writes ``{{ charts.embed("bar") }}``: the option travels as escaped JSON, the
page loads ECharts from this app (no CDN), and the chart stays live.

Run: .venv/bin/flask --app examples/mixed_mode.py run
Then open http://127.0.0.1:5000/
"""

from __future__ import annotations

from flask import Flask, render_template
from pyecharts import options as opts
from pyecharts.charts import Bar

from flask_pyecharts import Charts

app = Flask(__name__)
charts = Charts(app)


@charts.chart("bar")
def bar() -> Bar:
    return (
        Bar()
        .add_xaxis(["衬衫", "羊毛衫", "雪纺衫", "裤子", "高跟鞋", "袜子"])
        .add_yaxis("商家A", [5, 20, 36, 10, 75, 90])
        .set_global_opts(title_opts=opts.TitleOpts(title="某商场销售情况"))
    )


@app.route("/")
def index() -> str:
    return render_template("mixed_mode.html")
