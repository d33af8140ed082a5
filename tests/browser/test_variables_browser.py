"""Filters and drill-down in Chromium: clicks, the URL, back and forward, embeds."""

from __future__ import annotations

import collections
import typing as t
import urllib.parse

import pytest
from flask import Flask, render_template_string
from pyecharts import options as opts
from pyecharts.charts import Bar, Line

from flask_pyecharts import Charts

from ..conftest import CATEGORIES, Clock
from .conftest import BrowserServer, WatchedPage, chart
from .pages import HEAD

REGIONS = ["华东", "华北", "华南"]
MIXED = (
    "<!doctype html><html><head>" + HEAD + "<title>embeds</title>"
    "{{ charts.scripts() }}</head><body>"
    '{{ charts.embed("by_category", height="300px") }}'
    '{{ charts.embed("plain", height="300px") }}</body></html>'
)


def make_app(transport: str = "sse") -> tuple[Flask, Charts, collections.Counter[str]]:
    app = Flask(__name__)
    app.config.update(TESTING=True, PYECHARTS_TRANSPORT=transport)
    charts = Charts(app)
    builds: collections.Counter[str] = collections.Counter()
    charts.variable("region", choices=["全国", *REGIONS], default="全国", label="地区")
    charts.variable("days", type=int, choices=[7, 30, 90], default=30, label="近 N 天")

    @charts.chart("by_region", refresh=60, title="各地区", on_click={"region": "name"})
    def by_region(days: int) -> Bar:  # 火星 is no allowed region
        builds[f"by_region {days}"] += 1
        return (
            Bar()
            .add_xaxis([*REGIONS, "火星"])
            .add_yaxis(f"近 {days} 天", [3 * days, 2 * days, days, days])
        )

    @charts.chart("by_category", refresh=60, title="品类")
    def by_category(region: str, days: int) -> Bar:
        builds[f"by_category {region} {days}"] += 1
        text = f"{region} · 近 {days} 天"
        return (
            Bar()
            .add_xaxis(CATEGORIES)
            .add_yaxis(text, [len(region) * days + n for n in range(6)])
            .set_global_opts(title_opts=opts.TitleOpts(title=text))
        )

    @charts.chart("plain", refresh=60, title="不随筛选")
    def plain() -> Bar:
        builds["plain"] += 1
        return Bar().add_xaxis(CATEGORIES).add_yaxis("件", [5, 20, 36, 10, 75, 90])

    @charts.chart("ticks", window=50, title="实时")
    def ticks() -> Line:
        return Line().add_xaxis([]).add_yaxis("t", [])

    charts.dashboard(
        "/", ["by_region", "by_category", "plain", "ticks"], title="销售分析"
    )
    charts.screen("/wall", layout="by_region by_category", title="大屏")

    @app.route("/embeds")
    def embeds() -> str:
        return render_template_string(MIXED)

    return app, charts, builds


@pytest.fixture
def site(
    serve: t.Callable[..., BrowserServer],
) -> tuple[BrowserServer, Charts, collections.Counter[str]]:
    app, charts, builds = make_app()
    return serve(app), charts, builds


def title_of(watched: WatchedPage, name: str) -> str:
    return t.cast(str, watched.chart_option(chart(name))["title"][0]["text"])


def wait_title(watched: WatchedPage, name: str, text: str) -> None:
    watched.wait_chart(chart(name), "(o, text) => o.title[0].text === text", text)


def query_of(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def api_requests(watched: WatchedPage, since: int, path: str) -> list[str]:
    """The requests to ``/charts/api/{path}`` made after the ``since``-th one."""
    return [
        urllib.parse.unquote(url)
        for url in watched.requests[since:]
        if f"/charts/api/{path}" in url
    ]


def ticks(watched: WatchedPage) -> list[int]:
    return [value[1] for value in watched.series_data(chart("ticks"))]


def test_a_click_filters_the_other_charts_and_the_url_keeps_the_state(
    site: tuple[BrowserServer, Charts, collections.Counter[str]], watched: WatchedPage
):
    server, charts, builds = site
    page = watched.page
    charts.append("ticks", [(f"t{n}", n) for n in range(5)])
    page.goto(f"{server.url}/?days=7&utm_source=mail")
    watched.wait_state(".fpe-card .fpe-chart", "live")
    assert title_of(watched, "by_category") == "全国 · 近 7 天"
    assert page.locator('select[data-fpe-variable="days"]').input_value() == "7"
    assert page.locator('select[data-fpe-variable="region"]').input_value() == "全国"
    assert page.locator("[data-fpe-breadcrumb]").is_hidden()
    assert ticks(watched) == list(range(5))
    assert api_requests(watched, 0, "charts/") == []  # first paint from the page

    # A click on 华北's bar: the chart that uses region follows, the others not.
    before = len(watched.requests)
    moved = "/api/events?charts=by_category,by_region,plain,ticks&since="  # sorted
    with page.expect_request(lambda r: moved in r.url and "region=" in r.url):
        watched.click_item(chart("by_region"), 0, 1)
    wait_title(watched, "by_category", "华北 · 近 7 天")
    assert query_of(page.url) == {"days": "7", "region": "华北", "utm_source": "mail"}
    assert page.locator('select[data-fpe-variable="region"]').input_value() == "华北"
    crumbs = page.locator("[data-fpe-breadcrumb]")
    assert crumbs.inner_text().split() == ["地区:", "全国", "›", "华北", "×", "地区"]
    assert api_requests(watched, before, "charts/") == [
        f"{server.url}/charts/api/charts/by_category?days=7&region=华北"
    ]
    # The event stream moved to the new variant; the stream kept its cursor.
    watched.wait_state(".fpe-card .fpe-chart", "live")
    charts.append("ticks", [(f"t{n}", n) for n in range(5, 10)])
    watched.wait_chart(chart("ticks"), "(o) => o.series[0].data.length === 10")
    assert ticks(watched) == list(range(10))  # no point lost, none twice
    assert builds["plain"] == 1 and builds["by_region 7"] == 1
    watched.screenshot("variables-dashboard-drilled")

    # Back and forward move between the two states.
    page.go_back()
    wait_title(watched, "by_category", "全国 · 近 7 天")
    assert "region" not in query_of(page.url)
    assert page.locator('select[data-fpe-variable="region"]').input_value() == "全国"
    assert page.locator("[data-fpe-breadcrumb]").is_hidden()
    page.go_forward()
    wait_title(watched, "by_category", "华北 · 近 7 天")
    assert query_of(page.url)["region"] == "华北"

    # A reload shows the same state, painted by the server.
    before = len(watched.requests)
    page.reload()
    watched.wait_state(".fpe-card .fpe-chart", "live")
    assert title_of(watched, "by_category") == "华北 · 近 7 天"
    assert page.locator('select[data-fpe-variable="region"]').input_value() == "华北"
    assert api_requests(watched, before, "charts/") == []

    # The same bar again: back to the default; the chip clears too.
    watched.click_item(chart("by_region"), 0, 1)
    wait_title(watched, "by_category", "全国 · 近 7 天")
    assert "region" not in query_of(page.url)
    watched.click_item(chart("by_region"), 0, 0)
    wait_title(watched, "by_category", "华东 · 近 7 天")
    page.locator("[data-fpe-breadcrumb] .fpe-clear").click()
    wait_title(watched, "by_category", "全国 · 近 7 天")

    # A filter: both charts that use days follow.
    page.locator('select[data-fpe-variable="days"]').select_option("90")
    wait_title(watched, "by_category", "全国 · 近 90 天")
    watched.wait_chart(chart("by_region"), "(o) => o.series[0].name === '近 90 天'")
    assert query_of(page.url) == {"days": "90", "utm_source": "mail"}
    assert builds["plain"] == 1
    watched.assert_clean(server.url)


def test_a_misspelt_variable_in_the_url_is_named_and_dropped_from_it(
    site: tuple[BrowserServer, Charts, collections.Counter[str]], watched: WatchedPage
):
    server, _, _ = site
    page = watched.page
    page.goto(f"{server.url}/?regoin=华东&utm_source=mail")
    watched.wait_state(".fpe-card .fpe-chart", "live")
    notice = page.locator("[data-fpe-filter-notice]")
    assert notice.is_visible()
    assert notice.inner_text() == (
        'Unknown variable "regoin": did you mean "region"?'
        " The variables are region, days."
    )
    assert page.url == f"{server.url}/?utm_source=mail"
    assert title_of(watched, "by_category") == "全国 · 近 30 天"  # the default
    assert page.locator('select[data-fpe-variable="region"]').input_value() == "全国"
    watched.screenshot("variables-misspelt")
    page.reload()  # the URL no longer has it
    watched.wait_state(".fpe-card .fpe-chart", "live")
    assert notice.is_hidden()

    page.goto(f"{server.url}/?utm_source=mail")
    watched.wait_state(".fpe-card .fpe-chart", "live")
    assert page.url == f"{server.url}/?utm_source=mail"
    assert notice.is_hidden() and notice.inner_text() == ""

    # A screen has no notice line; it drops the parameter all the same.
    page.goto(f"{server.url}/wall?reigon=华北&utm_source=mail")
    watched.wait_state(".fpe-chart", "live")
    assert page.url == f"{server.url}/wall?utm_source=mail"
    assert title_of(watched, "by_category") == "全国 · 近 30 天"
    watched.assert_clean(server.url)


def test_a_click_on_a_value_not_allowed_says_so_and_asks_nothing(
    site: tuple[BrowserServer, Charts, collections.Counter[str]], watched: WatchedPage
):
    server, _, _ = site
    page = watched.page
    page.goto(server.url + "/")
    watched.wait_state(".fpe-card .fpe-chart", "live")
    before = len(watched.requests)
    watched.click_item(chart("by_region"), 0, 3)  # 火星
    notice = page.locator("[data-fpe-filter-notice]")
    notice.wait_for(state="visible")
    assert (
        notice.inner_text() == '"火星" is not an allowed 地区 (全国, 华东, 华北, 华南)'
    )
    badge = page.locator(chart("by_region") + " .fpe-state--notice")
    assert "火星" in badge.inner_text()
    assert "region" not in page.url
    assert watched.requests[before:] == []
    watched.screenshot("variables-refused-click")
    watched.assert_clean(server.url)


def test_an_update_waits_until_a_press_on_its_chart_is_released(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    """A click is a press and a release on the same drawn bar: an update drawn
    in between would replace the bar and lose the click."""
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app)
    charts.variable("region", choices=["全国", *REGIONS], default="全国")
    shape = {"series": 1}

    @charts.chart("by_region", refresh=0.2, on_click={"region": "name"})
    def by_region() -> Bar:
        bar = Bar().add_xaxis(REGIONS)
        for n in range(shape["series"]):
            bar.add_yaxis(f"第 {n + 1} 组", [30, 20, 10])
        return bar

    @charts.chart("ticks", window=50)
    def ticks() -> Line:
        return Line().add_xaxis([]).add_yaxis("t", [])

    charts.dashboard("/", ["by_region", "ticks"])
    server = serve(app)
    page = watched.page
    page.goto(server.url + "/")
    watched.wait_state(".fpe-card .fpe-chart", "live")
    x, y = watched.item_point(chart("by_region"), 0, 1)  # 华北
    page.mouse.move(x - 3, y - 3)
    page.mouse.move(x, y)
    page.mouse.down()
    shape["series"] = 2  # a new structure: drawn whole, every bar replaced
    document = f"{server.url}/charts/api/charts/by_region"
    page.wait_for_function(
        "(url) => fetch(url).then((r) => r.text()).then((t) => t.includes('第 2 组'))",
        arg=document,
        polling=100,
    )
    # Sent after the new option on the same stream: once it is drawn, the
    # new option has reached the page too.
    charts.append("ticks", [("t0", 1)])
    watched.wait_chart(chart("ticks"), "(o) => o.series[0].data.length === 1")
    assert len(watched.chart_option(chart("by_region"))["series"]) == 1  # held
    page.mouse.up()
    page.wait_for_function("() => location.search.includes('region=')")
    assert query_of(page.url) == {"region": "华北"}
    watched.wait_chart(chart("by_region"), "(o) => o.series.length === 2")
    watched.assert_clean(server.url)


def test_a_chart_refused_for_too_many_new_variants_waits_retry_after(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    clock = Clock()
    app = Flask(__name__)
    app.config.update(TESTING=True, PYECHARTS_MAX_NEW_VARIANTS_PER_CLIENT=1)
    charts = Charts(app, clock=clock)
    charts.variable("top", type=int, default=10, min=1, max=100, label="前 N 名")
    for name in ("first", "second"):
        charts.chart(name, refresh=60)(
            lambda top: Bar().add_xaxis(["甲"]).add_yaxis(f"前 {top} 名", [top])
        )
    charts.dashboard("/", ["first", "second"])
    server = serve(app)
    page = watched.page
    page.clock.install()
    page.goto(server.url + "/?top=5")  # two new variants: one inlined, one refused
    watched.wait_state(chart("first"), "live")
    watched.wait_state(chart("second"), "error")
    badge = page.locator(chart("second") + " .fpe-state").inner_text()
    assert "Too many new variable values" in badge and "Try again in 60 s" in badge
    watched.screenshot("variables-budget-spent")
    asked = len(api_requests(watched, 0, "charts/second"))
    page.clock.fast_forward(50_000)  # before Retry-After: not asked again
    assert len(api_requests(watched, 0, "charts/second")) == asked
    clock.advance(60)  # the server's budget refilled
    page.clock.fast_forward(15_000)
    watched.wait_state(chart("second"), "live")
    assert watched.chart_option(chart("second"))["series"][0]["name"] == "前 5 名"
    watched.assert_clean(server.url, allowed_errors=["429 (TOO MANY REQUESTS)"])


def test_a_url_value_not_allowed_says_why_once(
    site: tuple[BrowserServer, Charts, collections.Counter[str]], watched: WatchedPage
):
    server, _, _ = site
    page = watched.page
    page.clock.install()
    page.goto(server.url + "/?region=%E7%81%AB%E6%98%9F")  # 火星
    watched.wait_state(chart("by_category"), "error")
    watched.wait_state(chart("plain"), "live")  # the others are live
    badge = page.locator(chart("by_category") + " .fpe-state").inner_text()
    # the server refused it (400); the page says why in its own language
    assert badge == 'Error: "火星" is not an allowed 地区 (全国, 华东, 华北, 华南)'
    assert page.locator("[data-fpe-filter-notice]").inner_text() == (
        '"火星" is not an allowed 地区 (全国, 华东, 华北, 华南)'
    )
    watched.screenshot("variables-refused-url")
    page.clock.fast_forward(120_000)  # any retry timer would have fired
    page.evaluate("() => fetch('/charts/api/charts').then((r) => r.json())")
    asked = api_requests(watched, 0, "charts/by_category")
    assert len(asked) == 1  # refused once, never asked again
    # Choosing an allowed value recovers it.
    page.locator('select[data-fpe-variable="region"]').select_option("华南")
    watched.wait_state(chart("by_category"), "live")
    assert title_of(watched, "by_category") == "华南 · 近 30 天"
    assert page.locator(".fpe-filter--invalid").count() == 0
    watched.assert_clean(server.url, allowed_errors=["400 (BAD REQUEST)"])


@pytest.mark.parametrize("transport", ["sse", "poll"])
def test_embeds_and_the_js_api_share_the_state_of_the_url(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage, transport: str
):
    app, _, builds = make_app(transport)
    server = serve(app)
    page = watched.page
    page.goto(server.url + "/embeds?region=%E5%8D%8E%E4%B8%9C&days=90")
    watched.wait_state(chart("by_category"), "live", "polling")
    assert title_of(watched, "by_category") == "华东 · 近 90 天"
    assert api_requests(watched, 0, "charts/") == []  # painted by the server
    assert page.evaluate("FlaskPyecharts.variables()") == {
        "region": "华东",
        "days": "90",
    }
    changed = page.evaluate("FlaskPyecharts.setVariables({region: '华南', days: 7})")
    assert changed == ["region", "days"]  # resolved once the charts have them
    wait_title(watched, "by_category", "华南 · 近 7 天")  # drawn on the next frame
    assert query_of(page.url) == {"region": "华南", "days": "7"}
    error = page.evaluate(
        "() => { try { FlaskPyecharts.setVariables({days: 5}); }"
        " catch (e) { return e.message; } }"
    )
    assert error == 'Flask-PyEcharts: "5" is not an allowed 近 N 天 (7, 30, 90)'
    assert page.evaluate("FlaskPyecharts.variables().days") == "7"
    page.evaluate("FlaskPyecharts.setVariables({region: null}, {history: 'replace'})")
    wait_title(watched, "by_category", "全国 · 近 7 天")
    page.go_back()  # replace left no entry: back to the first URL
    wait_title(watched, "by_category", "华东 · 近 90 天")
    assert builds["plain"] == 1
    watched.assert_clean(server.url)
