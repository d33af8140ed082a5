"""Number cards in Chromium: the figure formatted by locale, rolled to each new
value, the change coloured by convention, the sparkline; exports wait for them."""

from __future__ import annotations

import time
import typing as t
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from playwright.sync_api import Browser
from pyecharts.charts import Bar, Page
from pyecharts.components import Table

from flask_pyecharts import Charts
from flask_pyecharts.export import export_dashboard, images, write_image

from ..conftest import Clock
from ..images import read_png
from .conftest import ARTIFACTS, WAIT_MS, BrowserServer, WatchedPage
from .pages import HEAD
from .test_export_images import BARS, in_thread

CARD = '[data-chart$="/charts/{}"]'
ZH_PAGE = (
    '<!doctype html><html lang="zh-CN"><head>' + HEAD + "<title>指标</title>"
    "{{ charts.scripts() }}<style>.cards { display: grid; gap: 12px;"
    " grid-template-columns: repeat(3, 1fr); }</style></head><body>"
    '<div class="cards">{% for name in names %}{{ charts.embed(name) }}{% endfor %}'
    "</div></body></html>"
)
MARKUP = "<img src=x onerror=alert(1)>"
#: The colours of a rise and a fall (flask-pyecharts.css, light theme).
RED, GREEN = "rgb(217, 45, 32)", "rgb(22, 137, 63)"


def card_app() -> tuple[Flask, Charts, Clock, dict[str, t.Any]]:
    clock = Clock()
    app = Flask(__name__)
    charts = Charts(app, clock=clock)
    figures: dict[str, t.Any] = {"sales": 1234.5, "previous": 1122.27}
    figures.update(trend=[900, 1100, 1000, 1300], orders=123_456_789)

    @charts.number("sales", refresh=1, label="今日销售额", prefix="¥", digits=2)
    def sales() -> dict[str, t.Any]:
        value = figures["sales"]
        trend = [*figures["trend"], value]
        return {"value": value, "previous": figures["previous"], "trend": trend}

    @charts.number("orders", refresh=1, label="订单数", suffix=" 单")
    def orders() -> dict[str, t.Any]:
        return {"value": figures["orders"], "previous": 150_000_000}

    @charts.number(
        "refunds", refresh=1, label="退款率", suffix="%", digits=1, up="green"
    )
    def refunds() -> dict[str, t.Any]:
        return {"value": 2.5, "previous": 2.0}

    @charts.number("markup", label=MARKUP, prefix="<b>", suffix="</div>")
    def markup() -> int:
        return 1

    charts.dashboard("/", ["sales", "orders", "refunds"], title="Today", columns=3)

    @app.route("/zh")
    def chinese() -> str:
        names = ["sales", "orders", "refunds", "markup"]
        return render_template_string(ZH_PAGE, names=names)

    return app, charts, clock, figures


def card_text(page: t.Any, name: str) -> str:
    return page.inner_text(CARD.format(name) + " .fpe-number-figure").replace("\n", "")


def change_of(page: t.Any, name: str) -> tuple[str, str]:
    """The change's text and colour."""
    text, colour = page.evaluate(
        """(sel) => {
            const el = document.querySelector(sel + " .fpe-number-change");
            return [el.textContent, getComputedStyle(el).color];
        }""",
        CARD.format(name),
    )
    return text, colour


def run_until(
    page: t.Any,
    condition: str,
    arg: t.Any = None,
    step: int = 50,
    server: Clock | None = None,
) -> None:
    """Advance the page's clock (Playwright's) ``step`` ms at a time until
    ``condition(arg)`` (JS source) holds; network events arrive in between.

    :param server: the server's clock, advanced as much: the feed publishes
        on it (a publication it planned after the test's last move of the
        clock would wait for the next one).
    """
    deadline = time.monotonic() + WAIT_MS / 1000
    while not page.evaluate(f"(arg) => ({condition})(arg)", arg):
        if server is not None:
            server.advance(step / 1000)
        if time.monotonic() > deadline:
            status = page.evaluate(
                "FlaskPyecharts.status().map((s) => [s.chart, s.state, s.message])"
            )
            raise AssertionError(f"never: {condition}; charts: {status}")
        page.clock.run_for(step)
        time.sleep(0.01)


def pause_clock(page: t.Any) -> None:
    """Stop the page's time (Playwright's clock flows with real time once
    installed): from now on it moves only with ``run_for``, so a roll is
    sampled at exact instants however loaded the machine."""
    page.clock.pause_at(page.evaluate("Date.now()") + 1)


FIGURE = """([sel, text]) => {
    const el = document.querySelector(sel + " .fpe-number-figure");
    return !!el && el.textContent === text;
}"""


def test_a_card_rolls_to_each_new_value(serve, watched: WatchedPage):
    app, charts, clock, figures = card_app()
    server: BrowserServer = serve(app)
    page = watched.page
    page.clock.install()
    page.goto(server.url + "/")
    sales = CARD.format("sales")
    run_until(page, FIGURE, [sales, "¥1,234.50"])
    # English page: grouped by thousands, no 万; a rise is green.
    assert card_text(page, "orders") == "123,456,789 单"
    assert change_of(page, "sales") == ("▲ 10.0%", GREEN)
    assert change_of(page, "orders") == ("▼ 17.7%", RED)
    assert change_of(page, "refunds") == ("▲ 25.0%", GREEN)  # up="green"
    style = page.evaluate(
        "(sel) => getComputedStyle(document.querySelector(sel)).fontVariantNumeric",
        sales + " .fpe-number-figure",
    )
    assert style == "tabular-nums"  # digits never jitter in width
    path = page.get_attribute(sales + " .fpe-number-trend .fpe-number-line", "d")
    assert path and path.startswith("M") and path.count("L") == 4
    # The event stream opens (in real time, on a loaded machine maybe late).
    run_until(
        page, "(sel) => document.querySelector(sel).dataset.fpeState === 'live'", sales
    )
    watched.screenshot("number-cards-en")

    # A new value: built on the server's clock, sent as a patch, rolled to.
    pause_clock(page)
    page.evaluate(
        """(sel) => {
            window.__updates = [];
            document.querySelector(sel).addEventListener("fpe:update",
                (event) => window.__updates.push(event.detail.type));
        }""",
        sales,
    )
    figures["sales"] = 5678.25
    clock.advance(1.5)
    app.test_client().get("/charts/api/charts/sales").close()  # rebuilds
    run_until(
        page,
        "(sel) => document.querySelector(sel + ' .fpe-number-figure')"
        ".textContent !== '¥1,234.50'",
        sales,
        step=16,
        server=clock,
    )
    seen = [card_text(page, "sales")]
    for _ in range(15):  # 1.5 s of the page's time, 100 ms at a time
        page.clock.run_for(100)
        seen.append(card_text(page, "sales"))
    assert seen[-1] == "¥5,678.25"  # ends exact
    values = [float(text.strip("¥").replace(",", "")) for text in seen]
    rolling = [v for v in values if 1234.5 < v < 5678.25]
    assert len(set(rolling)) >= 4, seen  # figures in between: 5 a second, about 1 s
    assert values == sorted(values), seen  # never back
    updates = page.evaluate("window.__updates")
    assert updates == ["points"], updates  # a patch, not a whole option
    assert change_of(page, "sales") == ("▲ 406%", GREEN)
    watched.assert_clean(server.url)


def test_a_card_follows_the_filters_and_rolls_to_the_variants_value(
    serve, watched: WatchedPage
):
    app = Flask(__name__)
    charts = Charts(app)
    charts.variable("region", choices=["全国", "华东"], default="全国", label="地区")

    @charts.number("orders", label="订单数", suffix=" 单")
    def orders(region: str) -> int:
        return {"全国": 1200, "华东": 450}[region]

    charts.dashboard("/", ["orders"], title="Orders")
    server: BrowserServer = serve(app)
    page = watched.page
    page.clock.install()
    page.goto(server.url + "/?region=全国")
    card = CARD.format("orders")
    run_until(page, FIGURE, [card, "1,200 单"])
    pause_clock(page)
    page.evaluate("FlaskPyecharts.setVariables({region: '华东'})")
    run_until(
        page,
        "(sel) => document.querySelector(sel + ' .fpe-number-figure')"
        ".textContent !== '1,200 单'",
        card,
        step=16,
    )
    seen = [card_text(page, "orders")]
    for _ in range(12):
        page.clock.run_for(100)
        seen.append(card_text(page, "orders"))
    assert seen[-1] == "450 单"
    assert any(text not in ("1,200 单", "450 单") for text in seen), seen  # rolled
    assert page.input_value("select[data-fpe-variable=region]") == "华东"
    watched.assert_clean(server.url)


def test_reduced_motion_shows_the_new_value_at_once(serve, browser: Browser):
    app, charts, clock, figures = card_app()
    server: BrowserServer = serve(app)
    context = browser.new_context(reduced_motion="reduce")
    try:
        page = context.new_page()
        page.clock.install()
        page.goto(server.url + "/")
        sales = CARD.format("sales")
        run_until(page, FIGURE, [sales, "¥1,234.50"])
        figures["sales"] = 99.0
        clock.advance(1.5)
        app.test_client().get("/charts/api/charts/sales").close()
        run_until(
            page,
            "(sel) => document.querySelector(sel + ' .fpe-number-figure')"
            ".textContent !== '¥1,234.50'",
            sales,
            step=16,
            server=clock,
        )
        assert card_text(page, "sales") == "¥99.00"  # no step between
    finally:
        context.close()


def test_a_chinese_page_abbreviates_and_shows_a_rise_in_red(
    serve, watched: WatchedPage
):
    app, charts, clock, figures = card_app()
    figures.update(sales=12_345_678.9, previous=11_223_344.5)
    figures["trend"] = [9_800_000, 11_000_000, 10_400_000, 11_900_000]
    server: BrowserServer = serve(app)
    page = watched.page
    page.goto(server.url + "/zh")
    page.wait_for_function(FIGURE, arg=[CARD.format("sales"), "¥1,234.57万"])
    assert card_text(page, "orders") == "1.23亿 单"
    assert change_of(page, "sales") == ("▲ 10.0%", RED)  # a rise is red in Chinese
    assert change_of(page, "orders") == ("▼ 17.7%", GREEN)  # a fall is green here
    assert change_of(page, "refunds") == ("▲ 25.0%", GREEN)  # up="green" decides
    label = page.inner_text(CARD.format("sales") + " .fpe-number-label")
    assert label == "今日销售额"  # embedded: the card says what it is
    height = page.evaluate(
        "(sel) => document.querySelector(sel).getBoundingClientRect().height",
        CARD.format("orders"),
    )
    assert height == 140  # embed's card height
    # Text only: markup in a label, prefix or suffix shows as text.
    assert page.inner_text(CARD.format("markup") + " .fpe-number-label") == MARKUP
    assert card_text(page, "markup") == "<b>1</div>"
    assert page.locator("img, b").count() == 0
    watched.screenshot("number-cards-zh")
    watched.assert_clean(server.url)


def test_a_dashboard_with_cards_exports_as_png(
    tmp_path: Path, watched: WatchedPage, monkeypatch: pytest.MonkeyPatch
):
    # The export waits until every chart says it is drawn: cards too (it used
    # to wait for an ECharts instance that a card never has, and give up).
    monkeypatch.setattr(images, "RENDER_TIMEOUT", 10.0)
    app, charts, _, _ = card_app()
    try:
        exported = export_dashboard(app)
    finally:
        charts.shutdown()
    png = ARTIFACTS / "number-cards-export.png"
    ARTIFACTS.mkdir(exist_ok=True)
    assert in_thread(lambda: write_image(exported.html, png, "png")) == []
    assert read_png(png).ink() > 0.02
    page_file = tmp_path / "export.html"
    page_file.write_text(exported.html, encoding="utf-8")
    watched.page.goto(page_file.as_uri())
    watched.wait_state(".fpe-chart", "static")
    figure = watched.page.inner_text(".fpe-chart .fpe-number-figure")
    assert figure.replace("\n", "") == "¥1,234.50"


def test_a_dashboard_with_a_table_and_a_chart_exports_as_png(
    monkeypatch: pytest.MonkeyPatch,
):
    """Composites say when they are drawn too: their parts shown, the charts
    among them done animating."""
    monkeypatch.setattr(images, "RENDER_TIMEOUT", 10.0)
    app = Flask(__name__)
    charts = Charts(app)

    @charts.chart("page")
    def page() -> Page:
        table = Table().add(["城市", "销量"], [["北京", 10], ["上海", 20]])
        bars = Bar().add_xaxis(["北京", "上海"]).add_yaxis("销量", [10, 20])
        return Page().add(table, bars)

    try:
        exported = export_dashboard(app, names=["page"], title="Composite")
    finally:
        charts.shutdown()
    png = ARTIFACTS / "composite-export.png"
    ARTIFACTS.mkdir(exist_ok=True)
    assert in_thread(lambda: write_image(exported.html, png, "png")) == []
    assert read_png(png).count(BARS) > 2_000  # the bars, drawn
