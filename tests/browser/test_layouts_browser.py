"""Layout dashboards in Chromium: areas where the picture puts them, short
rows of number cards, and one column in reading order on a phone."""

from __future__ import annotations

import dataclasses
import typing as t
from pathlib import Path

import pytest
from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import Bar, Line, Pie

from flask_pyecharts import Charts
from flask_pyecharts.export import export_dashboard

from .conftest import BrowserServer, WatchedPage, chart

PICTURE = """
    k1      k2      k3      k4
    by_day  by_day  by_day  share
    region  region  orders  share
"""
READING_ORDER = ["k1", "k2", "k3", "k4", "by_day", "share", "region", "orders"]


def line() -> Line:
    return (
        Line()
        .add_xaxis([f"10-{day:02d}" for day in range(1, 15)])
        .add_yaxis("销售额", [820 + 40 * (day % 5) for day in range(14)])
    )


def bar(title: str | None = None) -> Bar:
    chart = (
        Bar()
        .add_xaxis(["华东", "华北", "华南", "西南", "东北"])
        .add_yaxis("订单", [320, 210, 280, 120, 90])
    )
    if title:
        chart.set_global_opts(title_opts=opts.TitleOpts(title=title))
    return chart


def pie() -> Pie:
    return Pie().add("", [("线上", 62), ("门店", 38)], radius=["40%", "65%"])


def as_number(charts: Charts, name: str) -> None:
    """Show ``name`` as a number card would be (``ChartSpec.display``), so
    that its row is sized as one."""
    spec = dataclasses.replace(charts.registry.charts[name], display="number")
    charts.registry.charts = {**charts.registry.charts, name: spec}


def layout_app() -> Flask:
    """Four number cards over three rows of charts (:data:`PICTURE`)."""
    app = Flask(__name__)
    charts = Charts(app)
    for name in ("k1", "k2", "k3", "k4"):
        charts.chart(name, label=f"指标 {name}")(lambda: bar())
        as_number(charts, name)
    charts.chart("by_day", label="每日销售额")(line)
    charts.chart("share")(pie)  # no label, no title: no heading
    charts.chart("region")(lambda: bar("各地区订单"))  # the option's title
    charts.chart("orders", label="订单")(lambda: bar())
    charts.dashboard("/", layout=PICTURE, title="销售总览", description="近 14 天")
    return app


@pytest.fixture
def server(serve: t.Callable[..., BrowserServer]) -> BrowserServer:
    return serve(layout_app())


def boxes(watched: WatchedPage) -> dict[str, dict[str, float]]:
    """Each card's box, by chart name."""
    return watched.page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll(".fpe-card")]
            .map((card) => {
                const name = card.querySelector("[data-chart]").dataset.chart
                    .split("/").pop();
                const r = card.getBoundingClientRect();
                return [name, {x: r.left, y: r.top + scrollY, w: r.width,
                               h: r.height}];
            }))"""
    )


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["w"] - 0.5
        and b["x"] < a["x"] + a["w"] - 0.5
        and a["y"] < b["y"] + b["h"] - 0.5
        and b["y"] < a["y"] + a["h"] - 0.5
    )


def open_page(
    new_page: t.Callable[[], WatchedPage], server: BrowserServer, width: int
) -> WatchedPage:
    watched = new_page()
    watched.page.set_viewport_size(
        {"width": width, "height": 1080 if width > 600 else 844}
    )
    watched.page.goto(server.url + "/")
    watched.wait_state("[data-chart]", "live", "polling", "static")
    watched.settle()
    return watched


def test_areas_follow_the_picture(
    new_page: t.Callable[[], WatchedPage], server: BrowserServer
) -> None:
    watched = open_page(new_page, server, 1920)
    box = boxes(watched)
    assert list(box) == READING_ORDER
    names = list(box)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not overlap(box[a], box[b]), (a, b)
    # by_day spans three columns, share two rows.
    assert box["by_day"]["w"] > 2.9 * box["k1"]["w"]
    assert abs(box["by_day"]["x"] - box["k1"]["x"]) < 1
    assert abs(box["share"]["y"] - box["by_day"]["y"]) < 1
    assert (
        abs(
            box["share"]["y"]
            + box["share"]["h"]
            - (box["orders"]["y"] + box["orders"]["h"])
        )
        < 1
    )
    # A row of number cards is short, a row of charts tall.
    assert box["k1"]["h"] < 0.6 * box["by_day"]["h"]
    assert box["by_day"]["h"] >= 280
    # Charts fill their card: the canvas is as wide as the card, less its margin.
    fill = watched.page.evaluate(
        """() => [...document.querySelectorAll(".fpe-card")].map((card) =>
            card.querySelector("canvas").getBoundingClientRect().width
              / card.getBoundingClientRect().width)"""
    )
    assert min(fill) > 0.95
    headings = watched.page.eval_on_selector_all(
        "h2", "(els) => els.map((e) => e.textContent)"
    )
    # Number cards draw their own label; a chart without one has no heading.
    assert headings == [
        "每日销售额",
        "各地区订单",
        "订单",
    ]
    # The heading shows the option's title; the chart does not draw it again.
    region = watched.chart_option(chart("region"))
    assert [title["show"] for title in region["title"]] == [False]
    assert region["title"][0]["text"] == "各地区订单"
    watched.screenshot("layout-1920")
    watched.assert_clean(server.url)


def test_an_export_keeps_the_layout(watched: WatchedPage, tmp_path: Path) -> None:
    """Regression: an exported layout dashboard was a grid of equal cards
    (number cards as tall as charts)."""
    path = tmp_path / "export.html"
    path.write_text(export_dashboard(layout_app()).html, encoding="utf-8")
    watched.page.set_viewport_size({"width": 1920, "height": 1080})
    watched.page.goto(path.as_uri())
    box = watched.page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll(".fpe-card")]
            .map((card) => {
                const r = card.getBoundingClientRect();
                const name = card.querySelector(".fpe-chart").dataset.fpeName;
                return [name, {x: r.left, y: r.top, w: r.width, h: r.height}];
            }))"""
    )
    assert list(box) == READING_ORDER
    assert box["by_day"]["w"] > 2.9 * box["k1"]["w"]
    assert abs(box["share"]["y"] - box["by_day"]["y"]) < 1
    assert box["k1"]["h"] < 0.6 * box["by_day"]["h"]
    # Headings as on the live page: labels, the option's title, never an id.
    headings = watched.page.eval_on_selector_all(
        "h2", "(els) => els.map((e) => e.textContent)"
    )
    assert headings == ["每日销售额", "各地区订单", "订单"]
    watched.page.wait_for_function(
        "() => FlaskPyecharts.instance(document.querySelector("
        "'[data-fpe-name=region]'))",
        timeout=5000,
    )
    shown = watched.page.evaluate(
        "() => FlaskPyecharts.instance(document.querySelector("
        "'[data-fpe-name=region]')).getOption().title.map((t) => t.show)"
    )
    assert shown == [False]  # drawn once, as the heading
    watched.screenshot("layout-export")


def test_on_a_phone_areas_stack_in_reading_order(
    new_page: t.Callable[[], WatchedPage], server: BrowserServer
) -> None:
    watched = open_page(new_page, server, 390)
    box = boxes(watched)
    assert list(box) == READING_ORDER
    order = sorted(box, key=lambda name: box[name]["y"])
    assert order == READING_ORDER
    widths = {round(b["w"]) for b in box.values()}
    assert len(widths) == 1 and widths.pop() > 340
    for above, below in zip(READING_ORDER, READING_ORDER[1:], strict=False):
        assert box[above]["y"] + box[above]["h"] <= box[below]["y"] + 0.5
    assert box["k1"]["h"] < box["by_day"]["h"]
    assert box["by_day"]["h"] >= 300
    scroll = watched.page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 390  # no sideways scrolling
    watched.screenshot("layout-390")
    watched.assert_clean(server.url)
