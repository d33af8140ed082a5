"""The demo in a real browser: the dashboard, the report page, the offline export."""

from __future__ import annotations

import contextlib
import sqlite3
import time
import typing as t
from pathlib import Path

import pytest
from flask import Flask

from flask_pyecharts.demo import create_app, db
from flask_pyecharts.demo.report import TITLES
from flask_pyecharts.export import export_dashboard

from ..conftest import LiveServer
from .conftest import WatchedPage

#: True once every chart container holds a drawn ECharts instance with data.
ALL_RENDERED = """(count) => {
    const els = [...document.querySelectorAll(".fpe-chart")];
    return els.length === count && els.every((el) => {
        const chart = FlaskPyecharts.instance(el);
        if (!chart) return false;
        const series = chart.getOption().series || [];
        return series.length > 0
            && series.every((s) => (s.data || []).length > 0)
            && chart.getZr().storage.getDisplayList().length > 3;
    });
}"""

#: What each chart drew: its series types and data lengths, and its state.
SUMMARY = """() => [...document.querySelectorAll(".fpe-chart")].map((el) => {
    const option = FlaskPyecharts.instance(el).getOption();
    return {
        chart: el.getAttribute("data-chart"),
        state: el.dataset.fpeState,
        types: option.series.map((s) => s.type),
        sizes: option.series.map((s) => s.data.length),
    };
})"""

#: Whether CJK text draws real glyphs: a missing font draws the same box as
#: for an unassigned code point.
CJK_GLYPHS = """() => {
    const pixels = (text) => {
        const canvas = document.createElement("canvas");
        canvas.width = 40; canvas.height = 40;
        const context = canvas.getContext("2d");
        context.font = "32px sans-serif";
        context.fillText(text, 2, 32);
        return Array.from(context.getImageData(0, 0, 40, 40).data).join(",");
    };
    const tofu = pixels("\\u0378");
    return ["销", "售", "额", "省"].every((c) => pixels(c) !== tofu);
}"""

HAS_POINT = """([selector, amount]) => {
    const chart = FlaskPyecharts.instance(document.querySelector(selector));
    const data = chart ? chart.getOption().series[0].data : [];
    return data.some((d) => (Array.isArray(d) ? d[1] : d && d.value && d.value[1])
        === amount);
}"""


@pytest.fixture
def demo_app(database: Path) -> t.Iterator[Flask]:
    app = create_app(database, progress=False)
    yield app
    app.jinja_env.globals["charts"].shutdown()


@pytest.fixture
def server(demo_app: Flask) -> t.Iterator[LiveServer]:
    live = LiveServer(demo_app)
    yield live
    live.stop()


def selector(name: str) -> str:
    return f'[data-chart$="/charts/{name}"]'


def insert_order(path: Path, amount: float) -> None:
    with contextlib.closing(sqlite3.connect(path, timeout=10)) as connection:
        connection.execute(
            "INSERT INTO orders (created_at, product_id, province_id, channel_id,"
            " quantity, amount) VALUES (?, 2, 3, 4, 1, ?)",
            (db.stamp(db.now()), amount),
        )
        connection.commit()


def open_offline(page: t.Any, path: Path) -> list[str]:
    """Open the file ``path`` with every other request aborted; return those."""
    blocked: list[str] = []

    def block(route: t.Any) -> None:
        if route.request.url == path.as_uri():
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", block)
    page.context.set_offline(True)
    page.goto(path.as_uri())
    return blocked


def test_dashboard_renders_every_chart_and_updates_live(
    watched: WatchedPage, server: LiveServer, database: Path
) -> None:
    page = watched.page
    page.goto(server.url + "/")
    page.wait_for_function(ALL_RENDERED, arg=len(TITLES), timeout=15_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.fpe-chart')]"
        ".every((el) => el.dataset.fpeState === 'live')",
        timeout=10_000,
    )
    summary = page.evaluate(SUMMARY)
    assert [item["chart"].rsplit("/", 1)[1] for item in summary] == list(TITLES)
    types = {kind for item in summary for kind in item["types"]}
    assert types >= {"gauge", "line", "bar", "pie", "heatmap"}
    assert page.evaluate(CJK_GLYPHS), "Chinese labels draw as boxes: no CJK font"

    # An order inserted by another program shows in the live chart within 2 s.
    insert_order(database, 98765.43)
    inserted = time.monotonic()
    page.wait_for_function(
        HAS_POINT, arg=[selector("live_orders"), 98765.43], timeout=2000
    )
    assert time.monotonic() - inserted < 2.0

    watched.screenshot("demo-dashboard")
    assert watched.errors == []
    foreign = [url for url in watched.requests if not url.startswith(server.url)]
    assert foreign == []


def test_report_page_renders_embedded_charts(
    watched: WatchedPage, server: LiveServer
) -> None:
    page = watched.page
    page.goto(server.url + "/report")
    page.wait_for_function(ALL_RENDERED, arg=7, timeout=15_000)
    states = [item["state"] for item in page.evaluate(SUMMARY)]
    assert states.count("static") == 1  # the one-off daily trend
    page.wait_for_function(
        "() => document.querySelectorAll('.fpe-chart[data-fpe-state=\"live\"]')"
        ".length === 6",
        timeout=10_000,
    )
    assert page.locator("table tbody tr").count() == 10
    watched.screenshot("demo-report")
    assert watched.errors == []


def test_exported_dashboard_renders_with_the_network_cut_off(
    watched: WatchedPage, demo_app: Flask, tmp_path: Path
) -> None:
    exported = export_dashboard(demo_app)
    assert exported.problems == []
    path = tmp_path / "export.html"
    path.write_text(exported.html, encoding="utf-8")

    page = watched.page
    blocked = open_offline(page, path)
    page.wait_for_function(ALL_RENDERED, arg=len(TITLES), timeout=15_000)
    summary = page.evaluate(SUMMARY)
    assert [item["state"] for item in summary] == ["static"] * len(TITLES)
    assert summary[1]["sizes"] == [120]  # the live stream's window, as exported
    formatter = page.evaluate(
        "(sel) => typeof FlaskPyecharts.instance(document.querySelector(sel))"
        ".getOption().xAxis[0].axisLabel.formatter",
        '[data-fpe-name="category_sales"]',
    )
    assert formatter == "function"  # JsCode revived in the file too
    assert page.evaluate(CJK_GLYPHS)
    time.sleep(0.5)  # anything the page would still fetch
    watched.screenshot("demo-export-offline")
    assert blocked == []
    assert watched.requests == [path.as_uri()]
    assert watched.errors == []


def test_exported_extension_charts_render_offline(
    watched: WatchedPage, tmp_path: Path
) -> None:
    """Themes and extensions (liquidfill) are inlined in the exported file too."""
    from pyecharts import options as opts
    from pyecharts.charts import Bar, Liquid
    from pyecharts.globals import ThemeType

    from flask_pyecharts import Charts

    app = Flask("extensions")
    charts = Charts(app)

    @charts.chart("liquid", title="完成率")
    def liquid() -> Liquid:
        return Liquid().add("完成率", [0.6, 0.5])

    @charts.chart("themed", title="主题")
    def themed() -> Bar:
        chart = Bar(init_opts=opts.InitOpts(theme=ThemeType.MACARONS))
        return chart.add_xaxis(["衬衫", "羊毛衫"]).add_yaxis("商家A", [5, 20])

    charts.dashboard("/", ["liquid", "themed"], title="扩展")
    try:
        path = tmp_path / "extensions.html"
        path.write_text(export_dashboard(app).html, encoding="utf-8")
    finally:
        charts.shutdown()
    page = watched.page
    blocked = open_offline(page, path)
    page.wait_for_function(ALL_RENDERED, arg=2, timeout=15_000)
    summary = page.evaluate(SUMMARY)
    assert [item["types"] for item in summary] == [["liquidFill"], ["bar"]]
    color = page.evaluate(
        "() => FlaskPyecharts.instance(document.querySelectorAll('.fpe-chart')[1])"
        ".getOption().color[0]"
    )
    assert color == "#2ec7c9"  # the macarons theme's first colour
    watched.screenshot("demo-export-extensions")
    assert blocked == [] and watched.errors == []
