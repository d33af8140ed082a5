"""pyecharts' ``add_js_funcs`` in every mode: the gallery's professional
candlestick chart defines its data there (``var barData = ...``) and its bar
colours are JsCode that reads it."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask, render_template_string
from pyecharts import options as opts
from pyecharts.charts import Bar, Grid, Kline

from flask_pyecharts import Charts, JsCode
from flask_pyecharts.export import export_dashboard

from .conftest import BrowserServer, WatchedPage
from .pages import HEAD, separated_html

DAYS = ["2015-10-16", "2015-10-19", "2015-10-20", "2015-10-21"]
#: open, close, low, high: up, down, down, up
PRICES = [[18.4, 18.58, 18.33, 18.79], [18.56, 18.25, 18.19, 18.56],
          [18.3, 18.22, 18.05, 18.41], [18.18, 18.69, 18.02, 18.98]]  # fmt: skip
COLOUR = JsCode(
    "function (params) { return barData[params.dataIndex][1] >"
    " barData[params.dataIndex][0] ? '#ef232a' : '#14b143'; }"
)


def professional_kline() -> Grid:
    """The gallery's shape: a Grid whose volume bars are coloured by JsCode
    reading ``barData``, a global that ``add_js_funcs`` defines."""
    kline = Kline().add_xaxis(DAYS).add_yaxis("日K", PRICES)
    volume = (
        Bar()
        .add_xaxis(DAYS)
        .add_yaxis(
            "Volumn",
            [67, 55, 37, 89],
            xaxis_index=1,
            yaxis_index=1,
            label_opts=opts.LabelOpts(is_show=False),
            itemstyle_opts=opts.ItemStyleOpts(color=COLOUR),
        )
        .set_global_opts(
            xaxis_opts=opts.AxisOpts(type_="category", grid_index=1),
            yaxis_opts=opts.AxisOpts(grid_index=1),
            legend_opts=opts.LegendOpts(is_show=False),
        )
    )
    grid = Grid()
    grid.add_js_funcs(f"var barData = {PRICES}")
    grid.add(kline, grid_opts=opts.GridOpts(height="50%"))
    grid.add(volume, grid_opts=opts.GridOpts(pos_top="70%", height="20%"))
    return grid


def make_app() -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app)
    charts.chart("kline", refresh=60)(professional_kline)
    charts.dashboard("/dashboard", ["kline"], title="K线")

    @app.route("/mixed")
    def mixed() -> str:
        return render_template_string(
            "<!doctype html><html><head>" + HEAD + "{{ charts.scripts() }}</head>"
            "<body>{{ charts.embed('kline') }}{{ charts.embed(static) }}</body></html>",
            static=professional_kline(),
        )

    @app.route("/separated")
    def separated() -> str:
        return separated_html(["kline"])

    @app.route("/export")
    def export() -> str:
        return export_dashboard(app, "/dashboard").html

    return app


#: The colours ECharts gave the volume bars, in each chart of the page.
BAR_COLOURS = """() => [...document.querySelectorAll("[data-fpe-state]")].map((el) => {
    const chart = FlaskPyecharts.instance(el);
    if (!chart) return null;
    const data = chart.getModel().getSeriesByIndex(1).getData();
    return data.mapArray((index) => data.getItemVisual(index, "style").fill);
})"""


@pytest.mark.parametrize("path", ["/mixed", "/separated", "/dashboard", "/export"])
def test_add_js_funcs_run_before_the_option_reads_them(
    path: str, watched: WatchedPage, serve: t.Callable[..., BrowserServer]
) -> None:
    server = serve(make_app())
    watched.page.goto(server.url + path)
    watched.wait_state("[data-fpe-state]", "live", "static")
    colours = watched.page.evaluate(BAR_COLOURS)
    assert colours and all(
        found == ["#ef232a", "#14b143", "#14b143", "#ef232a"] for found in colours
    ), colours
    watched.assert_clean(server.url)  # no "barData is not defined"
