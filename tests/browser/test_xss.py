"""Script-like data never runs: embed (mixed), separated and dashboard pages."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import Bar

from flask_pyecharts import Charts

from .conftest import WAIT_MS, BrowserServer, WatchedPage, chart
from .pages import add_pages, separated_html

BREAKOUT = "</script><img src=x onerror=alert(1)>"
SVG = "<svg onload=alert(2)>"
FUNCTION = "function(){alert(3)}"
PAYLOADS = [BREAKOUT, SVG, FUNCTION]

#: Nothing a payload could have added to the page, and nothing it could run.
#: (ECharts' SVG renderer draws into its own <svg baseProfile="full">.)
INJECTED = """() => ({
    img: document.querySelectorAll("img").length,
    svg: document.querySelectorAll('svg:not([baseProfile="full"])').length,
    handlers: document.querySelectorAll("[onerror], [onload]").length,
    pwned: window.__pwned || 0,
})"""
CLEAN = {"img": 0, "svg": 0, "handlers": 0, "pwned": 0}


def make_app() -> tuple[Flask, Charts]:
    app = Flask(__name__)
    app.config.update(TESTING=True)
    app.debug = True  # builders' exception text (with payloads) reaches the page
    charts = Charts(app)

    @charts.chart("xss", refresh=30.0, title=BREAKOUT)
    def xss() -> Bar:
        """Every payload as category, series name, title, formatter-like string."""
        return (
            Bar()
            .add_xaxis(PAYLOADS)
            .add_yaxis(BREAKOUT, [3, 5, 7])
            .add_yaxis(SVG, [2, 4, 6])
            .set_series_opts(label_opts=opts.LabelOpts(formatter=FUNCTION))
            .set_global_opts(
                title_opts=opts.TitleOpts(title=BREAKOUT, subtitle=SVG),
                tooltip_opts=opts.TooltipOpts(trigger="axis"),
                yaxis_opts=opts.AxisOpts(name=FUNCTION),
            )
        )

    @charts.chart("xss_item", title=SVG + FUNCTION)
    def xss_item() -> Bar:
        """An item tooltip with a string template: its values are data."""
        return (
            Bar()
            .add_xaxis([SVG, BREAKOUT])
            .add_yaxis(FUNCTION, [4, 8])
            .set_global_opts(
                title_opts=opts.TitleOpts(title=SVG),
                tooltip_opts=opts.TooltipOpts(
                    trigger="item", formatter="{a} | {b} | {c}"
                ),
            )
        )

    @charts.chart("xss_error", title=BREAKOUT)
    def xss_error() -> Bar:
        raise RuntimeError(f"bad row {BREAKOUT}{SVG}")

    @app.route("/errors")
    def errors() -> str:
        return separated_html(["xss_error"])

    add_pages(app, ["xss", "xss_item"])
    charts.dashboard("/dash", ["xss", "xss_item"], title=BREAKOUT + SVG)
    charts.dashboard("/dash-errors", ["xss_error"], title=SVG)
    return app, charts


@pytest.fixture
def server(serve: t.Callable[..., BrowserServer]) -> BrowserServer:
    app, _ = make_app()
    return serve(app)


def assert_nothing_ran(watched: WatchedPage) -> None:
    assert watched.page.evaluate(INJECTED) == CLEAN
    assert watched.dialogs == []
    assert not [url for url in watched.requests if url.rstrip("/").endswith("/x")]


@pytest.mark.parametrize("path", ["mixed", "separated", "dash"])
def test_payloads_in_data_are_shown_as_text_and_never_run(
    path, server: BrowserServer, watched: WatchedPage
):
    page = watched.page
    page.goto(f"{server.url}/{path}")
    watched.wait_state("[data-chart]", "live", "static")
    page.wait_for_timeout(200)  # time for an injected element to load and fire
    assert_nothing_ran(watched)

    # The payloads reach ECharts unchanged, as data: drawn as plain text.
    option = watched.chart_option(chart("xss"))
    assert option["title"][0]["text"] == BREAKOUT
    assert option["title"][0]["subtext"] == SVG
    assert option["xAxis"][0]["data"] == PAYLOADS
    assert [series["name"] for series in option["series"]] == [BREAKOUT, SVG]
    kind = page.evaluate(
        """(sel) => typeof FlaskPyecharts.instance(document.querySelector(sel))
            .getOption().series[0].label.formatter""",
        chart("xss"),
    )
    assert kind == "string"  # a function-like string is not a function
    drawn = {text["full"] for text in watched.texts(chart("xss"))}
    assert {BREAKOUT, SVG, FUNCTION} <= drawn

    # Hovering shows the tooltips: payloads are their text, not their markup.
    watched.hover_item(chart("xss"), 0, 0)
    page.wait_for_function(
        "(sel) => document.querySelector(sel).textContent.includes('onerror')",
        arg=chart("xss"),
        timeout=WAIT_MS,
    )
    tip = watched.tooltip_text(chart("xss"))
    assert BREAKOUT in tip and SVG in tip
    assert_nothing_ran(watched)
    watched.screenshot(f"xss-{path}-axis-tooltip")

    watched.hover_item(chart("xss_item"), 0, 1)
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel).textContent.includes(text)",
        arg=[chart("xss_item"), f"{FUNCTION} | {BREAKOUT} | 8"],
        timeout=WAIT_MS,
    )
    page.wait_for_timeout(200)
    assert_nothing_ran(watched)
    watched.screenshot(f"xss-{path}-item-tooltip")

    if path == "dash":
        titles = page.locator(".fpe-card h2").all_inner_texts()
        assert titles == [BREAKOUT, SVG + FUNCTION]
        assert page.locator("header h1").inner_text() == BREAKOUT + SVG
        assert page.title() == BREAKOUT + SVG
    watched.assert_clean(server.url)


@pytest.mark.parametrize("path", ["errors", "dash-errors"])
def test_error_message_with_markup_is_shown_as_text(
    path, server: BrowserServer, watched: WatchedPage
):
    """A builder's exception text reaches the badge as text, never as markup."""
    watched.page.goto(f"{server.url}/{path}")
    watched.wait_state(chart("xss_error"), "error")
    watched.page.wait_for_timeout(200)
    assert_nothing_ran(watched)
    badge = watched.page.locator(f"{chart('xss_error')} .fpe-state")
    assert f"bad row {BREAKOUT}{SVG}" in badge.inner_text()
    watched.screenshot(f"xss-error-badge-{path}")
    watched.assert_clean(server.url, allowed_errors=["status of 503"])
