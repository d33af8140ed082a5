"""Composites stay live, data never becomes markup, and the tutorial's stream
starts with its builder's 10 points in the page."""

from __future__ import annotations

import json
import typing as t

import pytest
from flask import Flask
from markupsafe import Markup
from pyecharts import options as opts
from pyecharts.charts import Bar, Line, Pie, Tab
from pyecharts.components import Table

from flask_pyecharts import Charts
from flask_pyecharts._json import script_safe

from .conftest import BrowserServer, WatchedPage, chart
from .pages import HEAD, separated_html

XSS = '<img src=x onerror="window.__xss=1">'

#: A static composite written by hand, as a hostile server could send it: the
#: client must refuse the image and show the markup as text.
HOSTILE = {
    "kind": "static",
    "functions": [],
    "composite": {
        "type": "page",
        "layout": {"display": "flex", "background-image": "url(javascript:x)"},
        "parts": [
            {"type": "image", "src": "javascript:window.__xss=1", "title": XSS},
            {"type": "image", "src": "//evil.example/a.png"},
            {"type": "table", "title": XSS, "headers": [XSS], "rows": [[XSS, 1]]},
        ],
    },
}


def tutorial_line() -> Line:
    return (
        Line()
        .add_xaxis([str(i) for i in range(10)])
        .add_yaxis("", [50 + i for i in range(10)], is_smooth=True)
        .set_global_opts(
            title_opts=opts.TitleOpts(title="动态数据"),
            xaxis_opts=opts.AxisOpts(type_="value"),
        )
    )


@pytest.fixture
def server(serve: t.Callable[..., BrowserServer]) -> BrowserServer:
    app = Flask(__name__)
    charts = Charts(app)
    count = {"builds": 0}

    @charts.chart("tabs", refresh=0.3)
    def tabs() -> Tab:
        count["builds"] += 1
        build = count["builds"]
        table = Table().add(["build"], [[build]])
        pie = Pie().add("", [("a", build), ("b", 3)])
        return (
            Tab()
            .add(Bar().add_xaxis(["x"]).add_yaxis("n", [build]), "bar")
            .add(pie, "pie")
            .add(table, "table")
        )

    charts.chart("line", window=100)(tutorial_line)

    @app.route("/separated")
    def separated() -> str:
        return separated_html(["tabs", "line"])

    @app.route("/hostile")
    def hostile() -> str:
        initial = Markup(script_safe(json.dumps(HOSTILE).encode()))
        return (
            f"<!doctype html><html><head>{HEAD}{charts.scripts()}</head><body>"
            f'<div class="fpe-chart" id="hostile"><script type="application/json"'
            f' class="fpe-initial">{initial}</script></div></body></html>'
        )

    app.extensions["test_charts"] = charts
    return serve(app)


def test_a_tab_keeps_its_selection_through_whole_updates(
    server: BrowserServer, watched: WatchedPage
) -> None:
    page = watched.page
    page.goto(server.url + "/separated")
    watched.wait_state(chart("tabs"), "live", "polling")
    page.get_by_role("tab", name="table").click()
    first = page.locator(".fpe-table td").text_content()
    # The next rebuilds come as whole composites: the cell changes in place,
    # the third tab stays selected, the hidden pie's element is the same.
    pie = page.locator(".fpe-part--chart").nth(1).element_handle()
    page.wait_for_function(
        "(first) => document.querySelector('.fpe-table td').textContent !== first",
        arg=first,
    )
    assert (
        page.get_by_role("tab", name="table").get_attribute("aria-selected") == "true"
    )
    assert page.evaluate("(el) => el.isConnected", pie)
    page.get_by_role("tab", name="pie").click()
    page.wait_for_function(
        """() => { const el = document.querySelectorAll('.fpe-part--chart')[1];
            const inst = FlaskPyecharts.instance(el);
            return inst && inst.getOption().series[0].type === 'pie'; }"""
    )
    watched.screenshot("composites-live-tab")
    watched.assert_clean(server.url)


def test_the_tutorial_stream_starts_with_its_ten_points(
    server: BrowserServer, watched: WatchedPage
) -> None:
    watched.page.goto(server.url + "/separated")
    watched.wait_state(chart("line"), "live", "polling")
    data = watched.wait_chart(
        chart("line"), "(o) => o.series[0].data.length === 10 && o.series[0].data"
    )
    assert data == [[str(i), 50 + i] for i in range(10)]
    server.app.extensions["test_charts"].append("line", ("10", 99))
    watched.wait_chart(chart("line"), "(o) => o.series[0].data.length === 11")
    assert watched.series_data(chart("line"))[-1] == ["10", 99]
    watched.screenshot("composites-tutorial-stream")
    watched.assert_clean(server.url)


def test_a_hostile_composite_shows_text_and_no_image(
    server: BrowserServer, watched: WatchedPage
) -> None:
    page = watched.page
    page.goto(server.url + "/hostile")
    watched.wait_state("#hostile", "static")
    shown = page.evaluate(
        """() => ({
            images: [...document.querySelectorAll("#hostile img")]
                .map((img) => img.getAttribute("src")),
            cells: [...document.querySelectorAll("#hostile th, #hostile td")]
                .map((cell) => cell.textContent),
            caption: document.querySelector("#hostile caption").textContent,
            figcaption: document.querySelector("#hostile figcaption").textContent,
            background: document.querySelector(".fpe-composite").style.backgroundImage,
            xss: window.__xss || null,
        })"""
    )
    assert shown == {
        "images": [None, None],  # both refused: no src at all
        "cells": [XSS, XSS, "1"],
        "caption": XSS,
        "figcaption": XSS,
        "background": "",
        "xss": None,
    }
    assert watched.dialogs == []
    assert watched.errors == []
