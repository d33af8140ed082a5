"""Pages with several live charts: mixed and separated mode, full refresh and
streams, JsCode formatters, 304s for unchanged charts, a failing builder."""

from __future__ import annotations

import itertools
import typing as t
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, request
from pyecharts import options as opts
from pyecharts.charts import Bar, Line

from flask_pyecharts import Charts, JsCode
from flask_pyecharts.web.api import get_chart

from ..conftest import tutorial_bar
from .conftest import WAIT_MS, BrowserServer, WatchedPage, chart
from .pages import add_pages, separated_html

MODES = ["mixed", "separated"]
#: The only console errors a page with a failing chart may show: Chromium
#: logs every 5xx answer to fetch() itself.
HTTP_503 = "the server responded with a status of 503"


def make_app(**config: t.Any) -> tuple[Flask, Charts, dict[str, t.Any]]:
    app = Flask(__name__)
    app.config.update(TESTING=True, **config)
    charts = Charts(app)
    state: dict[str, t.Any] = {"builds": itertools.count(1), "flaky": False}

    @charts.chart("ticker", refresh=0.5)
    def ticker() -> Bar:
        n = next(state["builds"])
        return (
            Bar()
            .add_xaxis(["a", "b", "c"])
            .add_yaxis("ticks", [n, n + 1, n + 2])
            .set_global_opts(title_opts=opts.TitleOpts(title=f"build {n}"))
        )

    @charts.chart("feed", window=20)
    def feed() -> Line:
        return Line().add_xaxis([]).add_yaxis("feed", [])

    @charts.chart("steady", refresh=0.5)
    def steady() -> Bar:
        return tutorial_bar()

    @charts.chart("fmt")
    def fmt() -> Bar:
        return tutorial_bar().set_series_opts(
            label_opts=opts.LabelOpts(
                formatter=JsCode(
                    "function (p) { window.__formatted = (window.__formatted || 0)"
                    " + 1; return 'FMT:' + p.value; }"
                )
            )
        )

    @charts.chart("fmt_live", refresh=0.5)
    def fmt_live() -> Bar:
        n = next(state["builds"])
        return (
            Bar()
            .add_xaxis(["a", "b"])
            .add_yaxis("live", [n, n + 1])
            .set_series_opts(
                label_opts=opts.LabelOpts(
                    formatter=JsCode("function (p) { return 'LIVE:' + p.value; }")
                )
            )
        )

    @charts.chart("broken", refresh=1.0)
    def broken() -> Bar:
        raise RuntimeError("database is down")

    @charts.chart("flaky", refresh=0.5)
    def flaky() -> Bar:
        if state["flaky"]:
            raise ConnectionError("warehouse unreachable")
        return tutorial_bar()

    @app.route("/docs/steady")
    def steady_document() -> t.Any:
        """The chart document at a URL outside the API: polled with If-None-Match."""
        return get_chart("steady")

    @app.route("/docs-page")
    def docs_page() -> str:
        return separated_html([]).replace(
            "</body>", '<div id="doc" data-chart="/docs/steady"></div></body>'
        )

    return app, charts, state


@pytest.fixture
def site(serve: t.Callable[..., BrowserServer]):
    app, charts, state = make_app()
    add_pages(app, ["ticker", "feed"])
    server = serve(app)
    return server, charts, state


@pytest.mark.parametrize("mode", MODES)
def test_two_charts_render_and_refresh(mode, site, watched: WatchedPage):
    server, charts, _ = site
    charts.append("feed", [("t1", 1), ("t2", 2)])
    page = watched.page
    page.goto(f"{server.url}/{mode}")
    watched.wait_state("[data-chart]", "live", "static")

    # Both render: each ECharts instance holds its series data.
    first = watched.series_data(chart("ticker"))
    assert len(first) == 3 and all(isinstance(value, int) for value in first)
    assert watched.series_data(chart("feed")) == [["t1", 1], ["t2", 2]]
    if mode == "mixed":  # first paint from the inlined option: no document GET
        assert not [url for url in watched.requests if "/api/charts/" in url]

    # The full chart refreshes: its builder's changing data reaches the page.
    watched.wait_chart(
        chart("ticker"), "(o, first) => o.series[0].data[0] > first[0]", first
    )
    # The stream: a point appended on the server reaches the instance.
    charts.append("feed", ("t3", 3))
    watched.wait_chart(
        chart("feed"),
        '(o) => JSON.stringify(o.series[0].data) === \'[["t1",1],["t2",2],["t3",3]]\'',
    )
    assert watched.chart_option(chart("feed"))["xAxis"][0]["data"] == ["t1", "t2", "t3"]
    # Second refresh, and the title (another part of the option) follows.
    second = watched.series_data(chart("ticker"))
    watched.wait_chart(
        chart("ticker"),
        "(o, v) => o.series[0].data[0] > v[0] && "
        "o.title[0].text === 'build ' + o.series[0].data[0]",
        second,
    )
    # One event stream for the whole page, not one per chart.
    streams = [url for url in watched.requests if "/charts/api/events?" in url]
    assert len(streams) == 1
    query = parse_qs(urlsplit(streams[0]).query)
    assert sorted(query["charts"][0].split(",")) == ["feed", "ticker"]
    # ECharts and the runtime come from the app itself: no CDN.
    assert f"{server.url}/charts/static/echarts.min.js" in watched.requests
    assert f"{server.url}/charts/static/flask-pyecharts.js" in watched.requests
    watched.screenshot(f"two-charts-{mode}")
    watched.assert_clean(server.url)


@pytest.mark.parametrize("mode", MODES)
def test_jscode_formatter_is_a_function_in_the_browser(
    mode, serve, watched: WatchedPage
):
    app, _, _ = make_app()
    add_pages(app, ["fmt"])
    server = serve(app)
    watched.page.goto(f"{server.url}/{mode}")
    watched.wait_state(chart("fmt"), "static")
    kind = watched.wait_chart(chart("fmt"), "(o) => typeof o.series[0].label.formatter")
    assert kind == "function"
    # ECharts called it to draw the labels, and drew what it returned.
    assert watched.page.evaluate("window.__formatted") >= 12
    shown = {text["shown"] for text in watched.texts(chart("fmt"))}
    assert {"FMT:5", "FMT:90", "FMT:8"} <= shown
    assert "5" not in shown  # no label drawn without the formatter
    watched.screenshot(f"jscode-formatter-{mode}")
    watched.assert_clean(server.url)


@pytest.mark.parametrize("transport", ["sse", "poll"])
def test_jscode_survives_option_updates(transport, serve, watched: WatchedPage):
    """Each refreshed option revives its functions again (event stream, polling)."""
    app, _, _ = make_app()
    add_pages(app, ["fmt_live"])
    server = serve(app)
    watched.page.goto(f"{server.url}/separated?transport={transport}")
    watched.wait_state(chart("fmt_live"), "live", "polling")
    for _ in range(2):
        before = watched.series_data(chart("fmt_live"))
        watched.wait_chart(
            chart("fmt_live"), "(o, v) => o.series[0].data[0] > v[0]", before
        )
    kind = watched.wait_chart(
        chart("fmt_live"), "(o) => typeof o.series[0].label.formatter"
    )
    assert kind == "function"
    watched.next_frames()
    value = watched.series_data(chart("fmt_live"))[0]
    watched.page.wait_for_function(
        """([sel, text]) => FlaskPyecharts.instance(document.querySelector(sel))
            .getZr().storage.getDisplayList().some((e) => e.style &&
                e.style.text === text)""",
        arg=[chart("fmt_live"), f"LIVE:{value}"],
        timeout=WAIT_MS,
    )
    watched.assert_clean(server.url)


def test_unchanged_chart_costs_nothing_when_polled(serve, watched: WatchedPage):
    """Batched polling: /api/updates answers no option for an unchanged chart."""
    app, _, _ = make_app()
    add_pages(app, ["steady"])
    server = serve(app)
    responses = []
    watched.page.on(
        "response",
        lambda response: responses.append(response) if "/api/" in response.url else 0,
    )
    watched.page.goto(f"{server.url}/separated?transport=poll")
    watched.wait_state(chart("steady"), "polling")
    watched.page.wait_for_function(
        "() => performance.getEntriesByType('resource')"
        ".filter((e) => e.name.includes('/api/updates')).length >= 3",
        timeout=WAIT_MS,
    )
    watched.wait_events(  # the page had them
        lambda: len([r for r in responses if "/charts/api/updates?" in r.url]) >= 3
    )
    polls = [r for r in responses if "/charts/api/updates?" in r.url]
    assert len(polls) >= 3
    etag = watched.page.evaluate(
        "fetch('/charts/api/charts/steady').then((r) => r.headers.get('ETag'))"
    )
    for response in polls[:3]:
        assert response.status == 200
        body = response.json()
        assert body["updates"] == []  # rebuilt every 0.5 s, same option: no update
        assert body["since"] == etag
    assert "charts=steady&since=" in polls[0].url
    assert [url for url in watched.requests if "/events" in url] == []
    assert watched.state(chart("steady")) == "polling"
    watched.screenshot("poll-unchanged")
    watched.assert_clean(server.url)


def test_chart_document_outside_the_api_is_answered_304(serve, watched: WatchedPage):
    """A chart URL outside the API is polled with If-None-Match: 304s."""
    app, _, _ = make_app()
    server = serve(app)
    statuses: list[tuple[int, str | None]] = []

    def on_response(response: t.Any) -> None:
        if response.url.endswith("/docs/steady"):
            statuses.append(
                (response.status, response.request.headers.get("if-none-match"))
            )

    watched.page.on("response", on_response)
    watched.page.goto(f"{server.url}/docs-page")
    watched.wait_state("#doc", "polling")
    watched.page.wait_for_function(
        "() => performance.getEntriesByType('resource')"
        ".filter((e) => e.name.endsWith('/docs/steady')).length >= 4",
        timeout=WAIT_MS,
    )
    watched.wait_events(lambda: len(statuses) >= 4)  # the page had them
    assert statuses[0] == (200, None)
    etag = watched.page.evaluate(
        "fetch('/docs/steady').then((r) => r.headers.get('ETag'))"
    )
    later = statuses[1:3]
    assert later == [(304, etag)] * 2
    assert watched.series_data("#doc")[0] == 5
    watched.assert_clean(server.url)


@pytest.mark.parametrize("mode", MODES)
def test_failing_builder_shows_its_error_and_neighbour_refreshes(
    mode, serve, watched: WatchedPage
):
    app, _, _ = make_app()
    add_pages(app, ["broken", "ticker"])
    server = serve(app)
    watched.page.goto(f"{server.url}/{mode}")
    watched.wait_state(chart("broken"), "error")
    watched.wait_state(chart("ticker"), "live")
    badge = watched.page.locator(f"{chart('broken')} .fpe-state")
    assert badge.is_visible()
    text = badge.inner_text()
    assert "Error" in text and "could not be built (error id" in text
    assert "database is down" not in text  # outside debug mode
    assert badge.get_attribute("role") == "status"
    # The neighbour keeps refreshing, twice.
    for _ in range(2):
        before = watched.series_data(chart("ticker"))
        watched.wait_chart(
            chart("ticker"), "(o, v) => o.series[0].data[0] > v[0]", before
        )
    assert watched.state(chart("broken")) == "error"
    assert watched.state(chart("ticker")) == "live"
    watched.screenshot(f"failing-builder-{mode}")
    watched.assert_clean(server.url, allowed_errors=[HTTP_503])


def test_builder_failing_later_is_stale_then_recovers(serve, watched: WatchedPage):
    app, _, state = make_app()
    add_pages(app, ["flaky", "ticker"])
    server = serve(app)
    watched.page.goto(f"{server.url}/separated")
    watched.wait_state("[data-chart]", "live", "static")
    before = watched.series_data(chart("flaky"))
    state["flaky"] = True
    watched.wait_state(chart("flaky"), "stale")
    badge = watched.page.locator(f"{chart('flaky')} .fpe-state")
    assert "could not be built (error id" in badge.inner_text()
    assert badge.is_visible()
    # The last option stays on screen while the builder fails.
    assert watched.series_data(chart("flaky")) == before
    ticks = watched.series_data(chart("ticker"))
    watched.wait_chart(chart("ticker"), "(o, v) => o.series[0].data[0] > v[0]", ticks)
    watched.screenshot("builder-stale")
    state["flaky"] = False
    watched.wait_state(chart("flaky"), "live")
    assert badge.is_hidden() or "Live" in badge.inner_text()
    assert watched.series_data(chart("flaky")) == before
    watched.assert_clean(server.url, allowed_errors=[HTTP_503])


@pytest.mark.parametrize("mode", MODES)
def test_a_failing_builder_is_asked_again_only_after_its_refresh_interval(
    mode, serve, watched: WatchedPage
):
    """Regression: a failing builder's card retried its 503 every few seconds
    (2, 4, 8 s...), whatever its refresh interval. The 503 says when the chart
    is built again (``Retry-After``); the page's clock is Playwright's."""
    app = Flask(__name__)
    charts = Charts(app)
    asked: list[str] = []

    @charts.chart("hourly", refresh=30.0)
    def hourly() -> Bar:
        asked.append("built")
        raise RuntimeError("warehouse unreachable")

    @app.before_request
    def count() -> None:
        if request.path.endswith("/api/charts/hourly"):
            asked.append("asked")

    add_pages(app, ["hourly"])
    server = serve(app)
    page = watched.page
    page.clock.install()
    page.goto(f"{server.url}/{mode}")
    watched.wait_state(chart("hourly"), "error")
    first = asked.count("asked")
    for _ in range(28):  # 28 s of the page's time
        page.clock.run_for(1000)
        page.wait_for_timeout(20)  # lets an answer arrive
    assert asked.count("asked") == first, asked
    for _ in range(4):  # past 30 s: asked again, once
        page.clock.run_for(1000)
        page.wait_for_timeout(20)
    watched.wait_state(chart("hourly"), "error")
    assert asked.count("asked") == first + 1, asked
    watched.assert_clean(server.url, allowed_errors=[HTTP_503])
