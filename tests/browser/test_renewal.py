"""Charts are renewed on pages left on for days: every `data-renew-after`
seconds each gets a new ECharts instance drawing the same picture, keeps its
points and stream position, and nothing is asked of the server."""

from __future__ import annotations

import threading
import typing as t

from flask import Flask, request
from pyecharts.charts import Bar, Line

from flask_pyecharts import Charts

from .conftest import DOCUMENT_DRAWN, BrowserServer, WatchedPage, chart
from .pages import add_pages

RENEW_AFTER = """document.addEventListener("DOMContentLoaded", () => {
  document.body.setAttribute("data-renew-after", "60");
}, {once: true});"""

#: Each chart's instance id, picture and points.
SHOWN = """() => [...document.querySelectorAll("[data-chart]")].map((el) => {
  const chart = FlaskPyecharts.instance(el);
  return [chart.id, chart.getDataURL({type: "png"}), chart.getOption().series[0].data];
})"""


def make_app() -> tuple[Flask, Charts]:
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app)

    @charts.chart("sales")
    def sales() -> Bar:
        return (
            Bar()
            .add_xaxis(["衬衫", "羊毛衫", "雪纺衫"])
            .add_yaxis("商家A", [5, 20, 36])
        )

    @charts.chart("feed", window=10)
    def feed() -> Line:
        return Line().add_xaxis([]).add_yaxis("feed", [])

    add_pages(app, ["sales", "feed"])
    return app, charts


def test_charts_are_renewed_without_a_change_on_screen_or_a_point_lost(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    app, charts = make_app()
    server = serve(app)
    charts.append("feed", [(f"t{i}", i) for i in range(4)])
    page = watched.page
    page.add_init_script(RENEW_AFTER)
    page.clock.install()
    page.goto(f"{server.url}/separated")
    watched.run_until_live(chart("feed"), chart("sales"))
    page.clock.run_for(2000)  # animations over
    before = page.evaluate(SHOWN)
    asked = len(watched.requests)
    page.clock.run_for(45_000)  # under 60 s since the page started: the same
    assert [row[0] for row in page.evaluate(SHOWN)] == [row[0] for row in before]
    page.clock.run_for(20_000)  # past 60 s: renewed, one chart after the other
    after = page.evaluate(SHOWN)
    assert all(new[0] != old[0] for new, old in zip(after, before, strict=True))
    assert [row[1:] for row in after] == [row[1:] for row in before]  # same picture
    # No document asked again (the page's clock outran the server's heartbeats,
    # so its stream was replaced meanwhile: that asks the stream, not charts).
    documents = [u for u in watched.requests[asked:] if "/api/charts/" in u]
    assert documents == []
    charts.append("feed", ("t4", 4))  # the stream goes on from where it was
    watched.wait_chart(chart("feed"), "(o) => o.series[0].data.length === 5")
    assert [point[1] for point in watched.series_data(chart("feed"))] == list(range(5))
    watched.assert_clean(server.url)


def test_dashboards_and_screens_say_when_to_renew(
    serve: t.Callable[..., BrowserServer],
):
    app, charts = make_app()
    app.config["PYECHARTS_RENEW_AFTER"] = 0  # read at init_app: too late here
    charts.dashboard("/dash", ["sales", "feed"], title="看板")
    charts.screen("/screen", layout="sales feed", title="大屏")
    client = app.test_client()
    for rule in ("/dash", "/screen"):
        page = client.get(rule).get_data(as_text=True)
        assert 'data-renew-after="10800.0"' in page, rule
    configured = Flask(__name__)
    configured.config["PYECHARTS_RENEW_AFTER"] = 0
    other = Charts(configured)
    other.chart("sales")(lambda: {"series": []})
    other.dashboard("/", ["sales"])
    assert 'data-renew-after="0.0"' in configured.test_client().get("/").get_data(
        as_text=True
    )
    other.shutdown()
    charts.shutdown()


#: In the screen's top document: after every change of its body (a frame
#: added, shown or removed), whether what is visible has drawn: the page's
#: own charts until a frame is shown, then the shown frame's. A blank frame
#: would be a step with nothing visible drawn.
RECORD_VISIBLE = (
    """() => {
    const drawn = """
    + DOCUMENT_DRAWN
    + """;
    window.__steps = [];
    const record = () => {
        const shown = document.querySelector(".fpe-renewal-frame--shown");
        window.__steps.push({
            frames: document.querySelectorAll("iframe").length,
            drawn: drawn(shown ? shown.contentDocument : document),
        });
    };
    new MutationObserver(record).observe(document.body, {
        childList: true, attributes: true, subtree: true, attributeFilter: ["class"],
    });
}"""
)

#: The shown frame's stream chart: its points' values.
FRAME_FEED = """() => {
    const doc = document.querySelector(".fpe-renewal-frame--shown").contentDocument;
    const el = doc.querySelector('[data-chart$="/charts/feed"]');
    return FlaskPyecharts.instance(el).getOption().series[0].data.map((p) => p[1]);
}"""


#: Every event stream a document opens, in ``window.__sources``.
TRACK_SOURCES = """(() => {
    const Native = window.EventSource;
    window.__sources = [];
    window.EventSource = function (url, options) {
        const source = new Native(url, options);
        window.__sources.push(source);
        return source;
    };
    window.EventSource.prototype = Native.prototype;
})();"""


def make_screen_app() -> tuple[Flask, Charts, threading.Event]:
    """The screen's app, and a gate its page (``/screen``) waits at while it
    is closed."""
    app = Flask(__name__)
    app.config.update(TESTING=True, PYECHARTS_RENEW_AFTER=60)
    charts = Charts(app)
    gate = threading.Event()
    gate.set()

    @app.before_request
    def held() -> None:
        if request.path == "/screen":
            gate.wait(10)

    charts.variable("region", choices=["华东", "华北", "华南"])

    @charts.chart("sales", label="销售额")
    def sales(region: str) -> Bar:
        return Bar().add_xaxis([region]).add_yaxis("销售额", [len(region)])

    @charts.chart("feed", window=10, label="实时")
    def feed() -> Line:
        return Line().add_xaxis([]).add_yaxis("feed", [])

    charts.screen("/screen", layout="sales feed", title="大屏", size=(800, 450))
    return app, charts, gate


def test_a_screen_renews_as_a_new_document_with_no_blank_frame(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    """Every ``PYECHARTS_RENEW_AFTER`` seconds a screen loads its URL again in
    a hidden frame and shows it once drawn, in place of what was shown: its
    variables and its stream's points kept, every later point once, the
    page's API the shown frame's, never a blank frame."""
    app, charts, gate = make_screen_app()
    server = serve(app)
    charts.append("feed", [(f"t{i}", i) for i in range(4)])
    page = watched.page
    page.add_init_script(TRACK_SOURCES)
    page.clock.install()
    page.goto(f"{server.url}/screen?region=华东")
    watched.run_until_live(chart("feed"), chart("sales"))
    page.evaluate("FlaskPyecharts.setVariables({region: '华北'})")
    watched.wait_chart(chart("sales"), "(o) => o.xAxis[0].data[0] === '华北'")
    page.evaluate(RECORD_VISIBLE)
    page.clock.fast_forward(61_000)  # renewed: a frame over the page
    page.wait_for_function(
        "document.querySelector('.fpe-renewal-frame--shown') &&"
        " document.body.children.length === 1"
    )
    # The page's own charts are gone, and their stream closed.
    page.wait_for_function("window.__sources.every((s) => s.readyState === 2)")
    frame = page.frame_locator(".fpe-renewal-frame--shown")
    assert "region=%E5%8D%8E%E5%8C%97" in frame.owner.get_attribute("src")
    assert page.evaluate(FRAME_FEED) == [0, 1, 2, 3]
    assert sorted(page.evaluate("FlaskPyecharts.status().map((s) => s.state)")) == [
        "live",
        "static",
    ]
    charts.append("feed", ("t4", 4))  # the new document's stream goes on
    page.wait_for_function(f"({FRAME_FEED})().length === 5")
    assert page.evaluate(FRAME_FEED) == [0, 1, 2, 3, 4]
    # The shown frame's variables reach the top's URL: the next renewal keeps them.
    page.evaluate("FlaskPyecharts.setVariables({region: '华南'})")
    page.wait_for_function("location.search.includes('region=%E5%8D%8E%E5%8D%97')")
    page.evaluate("document.querySelector('iframe').id = 'first'")
    gate.clear()  # the next renewal's page waits at the server...
    page.clock.fast_forward(61_000)  # renewed again: the first frame removed
    page.wait_for_function("document.querySelectorAll('iframe').length === 2")
    # ... while the variables change: the frame loading is out of date.
    page.evaluate("FlaskPyecharts.setVariables({region: '华北'})")
    gate.set()
    page.wait_for_function(
        "!document.getElementById('first') && document.querySelectorAll('iframe')"
        ".length === 1 && !!document.querySelector('.fpe-renewal-frame--shown')"
    )
    assert "region=%E5%8D%8E%E5%8C%97" in frame.owner.get_attribute("src")
    charts.append("feed", ("t5", 5))
    page.wait_for_function(f"({FRAME_FEED})().length === 6")
    steps = page.evaluate("window.__steps")
    assert max(step["frames"] for step in steps) == 2  # the next loaded hidden
    assert all(step["drawn"] for step in steps), steps
    page.clock.run_for(2000)  # the frame's animations over (settle sees the top)
    watched.screenshot("screen-renewed")
    watched.assert_clean(server.url)
