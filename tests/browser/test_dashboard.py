"""The dashboard page: charts, header, pause/resume, dark theme, strict CSP."""

from __future__ import annotations

import itertools
import typing as t

import pytest
from flask import Flask, Response
from pyecharts import options as opts
from pyecharts.charts import Bar, Line, Pie
from pyecharts.globals import ThemeType

from flask_pyecharts import Charts, JsCode

from ..conftest import CATEGORIES, tutorial_bar
from .conftest import WAIT_MS, BrowserServer, WatchedPage, chart
from .pages import separated_html

TITLE = "销售看板"
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self';"
    " img-src 'self' data:"
)
#: Collects CSP violations from the first script of every document.
CSP_LISTENER = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__violations.push(e.violatedDirective + " " + e.blockedURI + " " +
        (e.sample || ""));
});
"""


def make_app(csp: bool = False, transport: str = "sse") -> tuple[Flask, Charts]:
    app = Flask(__name__)
    app.config.update(
        TESTING=True, PYECHARTS_TRANSPORT=transport, PYECHARTS_STRICT_CSP=csp
    )
    charts = Charts(app)
    builds = itertools.count(1)

    @charts.chart("sales", title="各商家销量")
    def sales() -> Bar:
        return tutorial_bar().set_series_opts(
            label_opts=opts.LabelOpts(
                position="top",
                formatter=JsCode("function (p) { return p.value + ' 件'; }"),
            )
        )

    @charts.chart("ticker", refresh=0.5, title="实时订单")
    def ticker() -> Bar:
        n = next(builds)
        return (
            Bar()
            .add_xaxis(["北京", "上海", "广州"])
            .add_yaxis("订单", [n, 2 * n, 3 * n])
            .set_global_opts(title_opts=opts.TitleOpts(title=f"第 {n} 次刷新"))
        )

    @charts.chart("feed", window=20, title="温度")
    def feed() -> Line:
        return (
            Line()
            .add_xaxis([])
            .add_yaxis("温度 °C", [])
            .set_global_opts(tooltip_opts=opts.TooltipOpts(trigger="axis"))
        )

    @charts.chart("share", title="品类占比")
    def share() -> Pie:
        return Pie().add(
            "品类", list(zip(CATEGORIES, [5, 20, 36, 10, 75, 90], strict=True))
        )

    charts.dashboard("/dash", ["sales", "ticker", "feed", "share"], title=TITLE)

    @app.route("/strict")
    def strict_page() -> str:
        """Separated mode, opted in to canvas tooltips for a strict CSP."""
        return separated_html(["sales", "feed"], body='data-csp="strict"')

    if csp:

        @app.after_request
        def strict_csp(response: Response) -> Response:
            response.headers["Content-Security-Policy"] = CSP
            return response

    return app, charts


@pytest.fixture
def site(serve: t.Callable[..., BrowserServer]) -> tuple[BrowserServer, Charts]:
    app, charts = make_app()
    charts.append("feed", [(f"12:00:{i:02d}", 20 + i / 10) for i in range(10)])
    return serve(app), charts


def open_dashboard(watched: WatchedPage, url: str, state: str = "live") -> None:
    watched.page.goto(url)
    check_charts(watched, state)


def check_charts(watched: WatchedPage, state: str) -> None:
    """Every chart drawn and in ``state`` (or, built once, "static")."""
    watched.wait_state(".fpe-card .fpe-chart", state, "static")
    for name in ("sales", "ticker", "feed", "share"):
        assert len(watched.series_data(chart(name))) > 0, name


def test_dashboard_renders_pauses_resumes_and_switches_theme(
    site: tuple[BrowserServer, Charts],
    watched: WatchedPage,
    new_page: t.Callable[[], WatchedPage],
):
    server, charts = site
    page = watched.page
    open_dashboard(watched, f"{server.url}/dash")

    assert page.title() == TITLE
    assert f"{server.url}/charts/static/echarts.min.js" in watched.requests
    assert page.locator("header h1").inner_text() == TITLE
    titles = page.locator(".fpe-card h2").all_inner_texts()
    assert titles == ["各商家销量", "实时订单", "温度", "品类占比"]
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '销售')")
    option = watched.chart_option(chart("sales"))
    assert option["xAxis"][0]["data"] == CATEGORIES
    assert option["title"][0]["text"] == "某商场销售情况"
    page.wait_for_function(
        "() => document.querySelector('[data-fpe-connection]').textContent === 'Live'"
    )
    page.wait_for_function(
        "() => document.querySelector('[data-fpe-updated]').textContent !== '–'"
    )
    first = watched.series_data(chart("ticker"))
    watched.wait_chart(chart("ticker"), "(o, v) => o.series[0].data[0] > v[0]", first)
    watched.screenshot("dashboard-light")

    # Pause: nothing changes any more, whatever the server does.
    toggle = page.locator("[data-fpe-toggle]")
    toggle.click()
    watched.wait_state(".fpe-chart", "paused")
    assert toggle.inner_text() == "Resume"
    assert toggle.get_attribute("aria-pressed") == "true"
    assert page.locator("[data-fpe-connection]").inner_text().startswith("Paused")
    watched.next_frames()
    frozen = watched.series_data(chart("ticker"))
    charts.append("feed", ("12:00:10", 30.5))
    # Meanwhile a live viewer gets the new point and two more rebuilds of
    # 'ticker': the paused page was sent them too, had it not been paused.
    live = new_page()
    open_dashboard(live, f"{server.url}/dash")
    live.wait_chart(chart("ticker"), "(o, v) => o.series[0].data[0] > v[0] + 1", frozen)
    live.wait_chart(
        chart("feed"),
        "(o) => JSON.stringify(o.series[0].data.at(-1)) === '[\"12:00:10\",30.5]'",
    )
    live.page.close()
    watched.next_frames()
    assert watched.series_data(chart("ticker")) == frozen
    assert ["12:00:10", 30.5] not in watched.series_data(chart("feed"))
    watched.screenshot("dashboard-paused")

    # Resume: both kinds of charts catch up.
    toggle.click()
    watched.wait_state(".fpe-chart", "live", "static")
    assert toggle.inner_text() == "Pause"
    watched.wait_chart(chart("ticker"), "(o, v) => o.series[0].data[0] > v[0]", frozen)
    watched.wait_chart(
        chart("feed"),
        "(o) => JSON.stringify(o.series[0].data.at(-1)) === '[\"12:00:10\",30.5]'",
    )
    # Paused while more than a window arrives: resume shows exactly the window.
    toggle.click()
    watched.wait_state(".fpe-chart", "paused")
    charts.append("feed", [(f"12:01:{i:02d}", i) for i in range(25)])
    toggle.click()
    window = [[f"12:01:{i:02d}", i] for i in range(5, 25)]
    watched.wait_chart(
        chart("feed"),
        "(o, w) => JSON.stringify(o.series[0].data) === JSON.stringify(w)",
        window,
    )
    watched.wait_state(".fpe-chart", "live", "static")

    # Dark theme: the page and every chart switch, and the choice is kept.
    light_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    theme = page.locator("[data-fpe-theme-toggle]")
    theme.click()
    assert page.get_attribute("html", "data-fpe-theme") == "dark"
    assert theme.inner_text() == "Light theme"
    for name in ("sales", "ticker", "feed", "share"):
        watched.wait_chart(chart(name), "(o) => o.backgroundColor === 'transparent'")
    dark_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark_background != light_background
    assert luminance(dark_background) < 0.2 < luminance(light_background)
    legend = watched.chart_option(chart("sales"))["legend"][0]["textStyle"]["color"]
    assert luminance(legend) > 0.5  # light text on the dark page
    watched.screenshot("dashboard-dark")

    page.reload()
    open_dashboard(watched, f"{server.url}/dash")
    assert page.get_attribute("html", "data-fpe-theme") == "dark"
    assert page.evaluate("localStorage.getItem('flask-pyecharts-theme')") == "dark"
    watched.wait_chart(chart("sales"), "(o) => o.backgroundColor === 'transparent'")
    theme.click()
    assert page.get_attribute("html", "data-fpe-theme") == "light"
    wait_text_colour(watched, "sales", dark_text=True)
    watched.assert_clean(server.url)


#: Waits for the legend text of a chart to be dark (light theme) or light.
LEGEND_LUMINANCE = """(o, darkText) => {
    const c = o.legend[0].textStyle.color;
    const m = c.match(/^#(..)(..)(..)$/) || c.match(/(\\d+),\\s*(\\d+),\\s*(\\d+)/);
    const rgb = m.slice(1, 4).map((v) => c[0] === "#" ? parseInt(v, 16) : +v);
    const l = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
    return darkText ? l < 0.5 : l > 0.5;
}"""


def wait_text_colour(watched: WatchedPage, name: str, dark_text: bool) -> None:
    watched.wait_chart(chart(name), LEGEND_LUMINANCE, dark_text)


def luminance(color: str) -> float:
    """Relative lightness 0..1 of ``rgb(...)``, ``rgba(...)`` or ``#rrggbb``."""
    if color.startswith("#"):
        digits = color[1:]
        if len(digits) == 3:
            digits = "".join(2 * c for c in digits)
        rgb = [int(digits[i : i + 2], 16) for i in (0, 2, 4)]
    else:
        rgb = [float(v) for v in color[color.index("(") + 1 : -1].split(",")[:3]]
    return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255


@pytest.mark.parametrize("transport", ["sse", "poll"])
def test_dashboard_under_a_strict_csp(
    transport: str, serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    app, charts = make_app(csp=True, transport=transport)
    charts.append("feed", [(f"12:00:{i:02d}", 20 + i / 10) for i in range(10)])
    server = serve(app)
    page = watched.page
    page.add_init_script(CSP_LISTENER)
    response = page.goto(f"{server.url}/dash")
    assert response is not None and response.headers["content-security-policy"] == CSP
    check_charts(watched, "live" if transport == "sse" else "polling")

    # JsCode needs 'unsafe-eval', which this policy grants: labels are formatted.
    kind = watched.wait_chart(
        chart("sales"), "(o) => typeof o.series[0].label.formatter"
    )
    assert kind == "function"
    shown = {text["shown"] for text in watched.texts(chart("sales"))}
    assert "90 件" in shown
    # The stylesheet applied (style-src 'self'), the containers got their size.
    card = page.locator(".fpe-card").first
    assert card.evaluate("(el) => getComputedStyle(el).borderTopStyle") != "none"
    assert page.eval_on_selector(chart("feed"), "(el) => el.clientHeight") >= 200

    charts.append("feed", ("12:00:10", 30.5))
    watched.wait_chart(
        chart("feed"),
        "(o) => JSON.stringify(o.series[0].data.at(-1)) === '[\"12:00:10\",30.5]'",
    )
    first = watched.series_data(chart("ticker"))
    watched.wait_chart(chart("ticker"), "(o, v) => o.series[0].data[0] > v[0]", first)
    page.locator("[data-fpe-theme-toggle]").click()
    watched.wait_chart(chart("sales"), "(o) => o.backgroundColor === 'transparent'")
    page.locator("[data-fpe-theme-toggle]").click()
    wait_text_colour(watched, "sales", dark_text=True)
    assert page.evaluate("window.__violations") == []

    # Tooltips too: drawn on the canvas, hovering violates nothing.
    watched.hover_item(chart("sales"), 0, 5)
    page.wait_for_function(
        """(sel) => FlaskPyecharts.instance(document.querySelector(sel)).getZr()
            .storage.getDisplayList().some((e) => e.style &&
                String(e.style.text).includes("袜子"))""",
        arg=chart("sales"),
        timeout=WAIT_MS,
    )
    watched.hover_item(chart("feed"), 0, 10)
    # The feed's tooltip is drawn on the canvas: its series name beside the
    # legend's.
    page.wait_for_function(
        """(sel) => FlaskPyecharts.instance(document.querySelector(sel)).getZr()
            .storage.getDisplayList().filter((e) => e.style &&
                e.style.text === "温度 °C").length >= 2""",
        arg=chart("feed"),
        timeout=WAIT_MS,
    )
    watched.screenshot(f"dashboard-csp-{transport}")
    assert page.evaluate("window.__violations") == []
    assert [e for e in watched.errors if "Content Security Policy" in e] == []
    watched.assert_clean(server.url)


def test_dark_theme_round_trip_restores_each_chart_theme(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    """Dark, then light again: a chart with its own theme gets it back whole."""
    app = Flask(__name__)
    charts = Charts(app)

    @charts.chart("vintage", title="vintage")
    def vintage() -> Bar:
        return (
            Bar(init_opts=opts.InitOpts(theme=ThemeType.VINTAGE))
            .add_xaxis(["a", "b"])
            .add_yaxis("s", [1, 2])
        )

    charts.dashboard("/dash", ["vintage"])
    server = serve(app)
    page = watched.page
    page.goto(f"{server.url}/dash")
    watched.wait_state(".fpe-chart", "live", "static")
    own = watched.chart_option(chart("vintage"))["backgroundColor"]
    assert own == "#fef8ef"  # the vintage theme's background
    toggle = page.locator("[data-fpe-theme-toggle]")
    toggle.click()
    watched.wait_chart(chart("vintage"), "(o) => o.backgroundColor === 'transparent'")
    toggle.click()
    assert page.get_attribute("html", "data-fpe-theme") == "light"
    wait_text_colour(watched, "vintage", dark_text=True)
    watched.screenshot("dashboard-theme-round-trip")
    assert watched.chart_option(chart("vintage"))["backgroundColor"] == own
    watched.assert_clean(server.url)


def test_separated_page_with_data_csp_strict_violates_nothing(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    """``data-csp="strict"`` draws tooltips on the canvas: nothing is blocked."""
    app, charts = make_app(csp=True)
    charts.append("feed", [(f"12:00:{i:02d}", 20 + i / 10) for i in range(10)])
    server = serve(app)
    page = watched.page
    page.add_init_script(CSP_LISTENER)
    page.goto(f"{server.url}/strict")
    watched.wait_state("[data-chart]", "live", "static")
    assert page.eval_on_selector(chart("sales"), "(el) => el.clientHeight") == 320
    tooltip = watched.chart_option(chart("sales"))["tooltip"][0]
    assert tooltip["renderMode"] == "richText"
    watched.hover_item(chart("sales"), 0, 5)
    watched.hover_item(chart("feed"), 0, 9)
    # The tooltip is drawn on the canvas (legend + tooltip), not as HTML.
    page.wait_for_function(
        """(sel) => FlaskPyecharts.instance(document.querySelector(sel)).getZr()
            .storage.getDisplayList().filter((e) => e.style &&
                e.style.text === "温度 °C").length >= 2""",
        arg=chart("feed"),
        timeout=WAIT_MS,
    )
    html_tips = "(el) => el.querySelectorAll('div[style*=\"z-index: 9999999\"]').length"
    assert page.eval_on_selector(chart("feed"), html_tips) == 0
    watched.screenshot("strict-csp-separated")
    assert page.evaluate("window.__violations") == []
    watched.assert_clean(server.url)
