"""Streams in the browser: viewers on SSE and polling see exactly the server's
window; pages recover from a server restart."""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
import typing as t

import pytest
from flask import Flask, request
from pyecharts import options as opts
from pyecharts.charts import Bar, Line

from flask_pyecharts import Charts

from ..net import CuttableProxy
from .conftest import WAIT_MS, BrowserServer, WatchedPage, chart
from .pages import add_pages

WINDOW = 20
#: What Chromium logs while the server is down: the cut stream, refused
#: connections (network errors only; any script error still fails the test).
CUT = ["Failed to load resource: net::ERR_"]


def make_app(label: str = "A") -> tuple[Flask, Charts]:
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app)
    builds = itertools.count(1)

    @charts.chart("feed", window=WINDOW)
    def feed() -> Line:
        return Line().add_xaxis([]).add_yaxis("feed", [])

    @charts.chart("ticker", refresh=0.5)
    def ticker() -> Bar:
        n = next(builds)
        return (
            Bar()
            .add_xaxis(["x", "y"])
            .add_yaxis("ticks", [n, n])
            .set_global_opts(title_opts=opts.TitleOpts(title=f"server {label}"))
        )

    add_pages(app, ["feed", "ticker"])
    return app, charts


def feed_data(watched: WatchedPage) -> list[t.Any]:
    return watched.series_data(chart("feed"))


def wait_feed(watched: WatchedPage, expected: list[t.Any], timeout: float = WAIT_MS):
    watched.wait_chart(
        chart("feed"),
        "(o, e) => JSON.stringify(o.series[0].data) === JSON.stringify(e)",
        expected,
        timeout=timeout,
    )
    categories = watched.chart_option(chart("feed"))["xAxis"][0]["data"]
    assert categories == [point[0] for point in expected]


def test_sse_and_polling_viewers_end_with_the_server_window(
    serve: t.Callable[..., BrowserServer], new_page: t.Callable[[], WatchedPage]
):
    app, charts = make_app()
    server = serve(app)
    charts.append("feed", [(f"p{i:02d}", i) for i in range(5)])
    pushed, polled = new_page(), new_page()
    pushed.page.goto(f"{server.url}/separated")
    polled.page.goto(f"{server.url}/separated?transport=poll")
    pushed.wait_state("[data-chart]", "live", "static")
    polled.wait_state("[data-chart]", "polling")
    for viewer in (pushed, polled):
        viewer.record_updates(chart("feed"))

    def produce() -> None:  # 60 points at ~20/s
        for i in range(5, 65):
            charts.append("feed", (f"p{i:02d}", i))
            time.sleep(0.05)

    producer = threading.Thread(target=produce)
    producer.start()
    producer.join()

    with app.test_client() as client:
        window = client.get("/charts/api/charts/feed/points").get_json()["points"]
    expected = [value for _, value in window]
    assert expected == [[f"p{i:02d}", i] for i in range(45, 65)]
    for viewer in (pushed, polled):
        wait_feed(viewer, expected)
        # Every intermediate state was a gap-free window of at most WINDOW points.
        snapshots = viewer.snapshots()
        assert len(snapshots) >= 2
        for data in snapshots:
            values = [point[1] for point in data]
            assert 0 < len(values) <= WINDOW
            assert values == list(range(values[0], values[0] + len(values)))
        assert viewer.state(chart("feed")) in ("live", "polling")
    assert not [url for url in polled.requests if "/api/events" in url]
    assert [url for url in pushed.requests if "/api/events" in url]
    pushed.screenshot("stream-window-sse")
    polled.screenshot("stream-window-poll")
    pushed.assert_clean(server.url)
    polled.assert_clean(server.url)


def restart(
    serve: t.Callable[..., BrowserServer], old: BrowserServer
) -> tuple[BrowserServer, Charts]:
    """A new app (new memory store: new epoch) on the port of ``old``."""
    app, charts = make_app("B")
    charts.append("feed", [(f"b{i}", 100 + i) for i in range(3)])
    for _ in range(50):
        try:
            return serve(app, old.port), charts
        except OSError:  # the port is being released
            time.sleep(0.05)
    raise AssertionError(f"port {old.port} not free after the restart")


def test_page_recovers_after_a_quick_server_restart(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    app, charts = make_app("A")
    old = serve(app)
    charts.append("feed", [(f"a{i}", i) for i in range(8)])
    watched.page.goto(f"{old.url}/mixed")
    watched.wait_state("[data-chart]", "live", "static")
    wait_feed(watched, [[f"a{i}", i] for i in range(8)])

    old.stop()
    watched.wait_state(chart("feed"), "stale", "error")
    watched.screenshot("restart-stale")
    new, charts = restart(serve, old)
    assert new.url == old.url

    # Back to live on the event stream; the stream holds the new server's window
    # only: the old epoch's cursor answered a reset.
    watched.wait_state("[data-chart]", "live")
    wait_feed(watched, [[f"b{i}", 100 + i] for i in range(3)])
    watched.wait_chart(chart("ticker"), "(o) => o.title[0].text === 'server B'")
    charts.append("feed", ("b3", 103))
    wait_feed(watched, [[f"b{i}", 100 + i] for i in range(4)])
    watched.screenshot("restart-recovered")
    # While the server was down the browser logged the failed reconnections.
    watched.assert_clean(old.url, allowed_errors=CUT)


#: Records, on the page's (fake) clock, every request the client makes and
#: every event stream it opens, and how many requests are in flight.
RECORDER = """
window.__fetches = []; window.__streams = []; window.__pending = 0;
const realFetch = window.fetch;
window.fetch = function (url) {
  window.__fetches.push([Date.now(), String(url)]);
  window.__pending += 1;
  return realFetch.apply(this, arguments).finally(() => { window.__pending -= 1; });
};
const RealEventSource = window.EventSource;
window.EventSource = class extends RealEventSource {
  constructor(url, init) { super(url, init); window.__streams.push(Date.now()); }
};
"""


@pytest.mark.parametrize("outage_s", [20, 120])
def test_a_page_is_live_on_the_event_stream_within_3_s_of_the_server_answering(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage, outage_s: int
):
    """However long the outage, the page probes the server at most 2.4 s apart
    (jittered, so that pages do not come back at once) and reopens the event
    stream as soon as a probe is answered: no fall-back to polling, no
    back-off that grew during the outage. Time is the page's clock."""
    app, charts = make_app("A")
    old = serve(app)
    charts.append("feed", [(f"a{i}", i) for i in range(8)])
    page = watched.page
    page.add_init_script(RECORDER)
    page.clock.install()
    page.goto(f"{old.url}/separated")

    def settle() -> None:  # let the requests in flight land (real time)
        for _ in range(2000):
            if not page.evaluate("window.__pending"):
                return
            time.sleep(0.005)

    def step(ms: int) -> None:
        page.clock.run_for(ms)
        settle()

    for _ in range(40):
        if watched.state(chart("feed")) == "live":
            break
        step(250)
    assert watched.state(chart("feed")) == "live"

    old.stop()
    went = page.evaluate("Date.now()")
    for _ in range(outage_s * 4):
        step(250)
    assert watched.state(chart("feed")) in ("stale", "error")
    badge = page.locator(f"{chart('feed')} .fpe-state").inner_text()
    assert "does not answer" in badge
    assert page.evaluate("FlaskPyecharts.status().every((s) => s.transport === 'sse')")
    probes = [
        at
        for at, url in page.evaluate("window.__fetches")
        if at >= went and url.endswith("/charts/api/charts")
    ]
    gaps = [b - a for a, b in itertools.pairwise(probes)]
    assert len(probes) >= outage_s / 2.4
    assert all(150 <= gap <= 2400 + 250 for gap in gaps), gaps  # one step of slack

    new, charts = restart(serve, old)
    back = page.evaluate("Date.now()")
    opened = len(page.evaluate("window.__streams"))
    for _ in range(40):
        if len(page.evaluate("window.__streams")) > opened:
            break
        step(100)
    reopened = page.evaluate("window.__streams")[opened]
    assert reopened - back <= 3000
    watched.wait_state("[data-chart]", "live")
    wait_feed(watched, [[f"b{i}", 100 + i] for i in range(3)])
    charts.append("feed", ("b3", 103))
    wait_feed(watched, [[f"b{i}", 100 + i] for i in range(4)])
    watched.assert_clean(old.url, allowed_errors=CUT)


def step(page: t.Any, ms: int, settle: bool = True) -> None:
    """Run the page's clock ``ms`` on; then, if ``settle``, let the fetches
    it started finish."""
    page.clock.run_for(ms)
    for _ in range(2000 if settle else 10):
        if not page.evaluate("window.__pending"):
            return
        time.sleep(0.005)


def a_new_stream_within(page: t.Any, seconds: int, streams: int) -> bool:
    """Whether the page opens more than ``streams`` event streams within
    ``seconds`` of its clock."""
    for _ in range(seconds * 4):
        if len(page.evaluate("window.__streams")) > streams:
            return True
        step(page, 250, settle=False)
    return len(page.evaluate("window.__streams")) > streams


@contextlib.contextmanager
def live_through_a_proxy(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
) -> t.Iterator[tuple[Charts, CuttableProxy]]:
    """The separated page of :func:`make_app` through a :class:`CuttableProxy`,
    on the page's clock, live with three points: the app's charts, the proxy.
    No script error but the cut network's."""
    app, charts = make_app("A")
    server = serve(app)
    proxy = CuttableProxy(server.port)
    page = watched.page
    page.add_init_script(RECORDER)
    page.clock.install()
    try:
        page.goto(f"{proxy.url}/separated")
        for _ in range(40):
            if watched.state(chart("feed")) == "live":
                break
            step(page, 250)
        charts.append("feed", [(f"a{i}", i) for i in range(3)])
        wait_feed(watched, [[f"a{i}", i] for i in range(3)])
        yield charts, proxy
    finally:
        proxy.close()
    watched.assert_clean(proxy.url, allowed_errors=CUT)


def test_a_stream_silenced_by_a_cut_network_is_replaced_with_nothing_lost(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    """Regression: a network that loses packets gives an event stream no error:
    the page showed Live and froze. The server sends a ping event every
    heartbeat (15 s); a stream silent for 1.25 of them makes the page probe
    the server, and it is replaced once a probe is answered: within 3 s of
    the network coming back. The page's clock runs the test's time; the cut
    is a proxy that forwards nothing."""
    page = watched.page
    with live_through_a_proxy(serve, watched) as (charts, proxy):
        proxy.cut()
        charts.append("feed", [(f"a{i}", i) for i in range(3, 6)])
        streams = len(page.evaluate("window.__streams"))
        for _ in range(30 * 4):  # 30 s: the silence is noticed after 18.75 s
            step(page, 250, settle=False)
        assert watched.state(chart("feed")) in ("stale", "error")
        assert len(page.evaluate("window.__streams")) == streams  # none got through

        proxy.mend()
        # Live again within 3 s of the network's return.
        assert a_new_stream_within(page, 3, streams)
        watched.wait_state(chart("feed"), "live")
        wait_feed(watched, [[f"a{i}", i] for i in range(6)])  # none lost, none twice
        charts.append("feed", ("a6", 6))
        wait_feed(watched, [[f"a{i}", i] for i in range(7)])


def test_a_stream_opened_into_a_cut_network_is_replaced_too(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    """Regression: a stream opened while the network is cut (the device
    flapping, a filter changed, a renewal) is never answered and never fails:
    it waited forever, and the page stayed frozen after the network came
    back. A stream that neither opens nor says anything for 1.25 heartbeats
    is checked like a silent one."""
    page = watched.page
    with live_through_a_proxy(serve, watched) as (charts, proxy):
        proxy.cut()
        page.evaluate("window.dispatchEvent(new Event('online'))")  # reopens now
        step(page, 1000, settle=False)
        streams = len(page.evaluate("window.__streams"))
        charts.append("feed", [(f"a{i}", i) for i in range(3, 6)])
        step(page, 5000, settle=False)
        proxy.mend()
        # The stuck stream is checked 18.75 s after it opened.
        assert a_new_stream_within(page, 25, streams)
        watched.wait_state(chart("feed"), "live")
        wait_feed(watched, [[f"a{i}", i] for i in range(6)])  # none lost, none twice


def test_a_device_back_online_reconnects_at_once(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    """The browser says when the device's network is back: the page then opens
    a new stream at once instead of waiting for the old one's silence."""
    app, charts = make_app("A")
    server = serve(app)
    page = watched.page
    page.add_init_script(RECORDER)
    page.clock.install()
    page.goto(f"{server.url}/separated")
    watched.run_until_live(chart("feed"), steps=40)
    streams = len(page.evaluate("window.__streams"))
    page.context.set_offline(True)
    page.clock.run_for(1000)
    page.context.set_offline(False)
    page.wait_for_function(f"() => window.__streams.length > {streams}")
    charts.append("feed", ("a0", 0))
    wait_feed(watched, [["a0", 0]])
    watched.assert_clean(server.url, allowed_errors=CUT)


def test_a_page_that_fell_back_to_polling_returns_to_the_event_stream(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
) -> None:
    """Regression: after a fallback the page polled until it was reloaded.
    The page's clock is Playwright's: the retry back-off takes no real time."""
    app = Flask(__name__)
    charts = Charts(app)
    blocked = {"events": True}
    opened: list[str] = []

    @charts.chart("ticker", refresh=1.0)
    def ticker() -> dict:
        return {
            "xAxis": {"data": ["a"]},
            "yAxis": {},
            "series": [{"type": "bar", "data": [1]}],
        }

    @app.before_request
    def refuse_streams() -> t.Any:
        if request.path.endswith("/api/events"):
            opened.append("refused" if blocked["events"] else "opened")
            if blocked["events"]:
                return {"error": "no streams today"}, 503
        return None

    add_pages(app, ["ticker"])
    server = serve(app)
    page = watched.page
    page.clock.install()
    page.goto(f"{server.url}/separated")

    def run_until(state: str, most_ms: int) -> None:
        for _ in range(most_ms // 500):
            if watched.state(chart("ticker")) == state:
                return
            page.clock.run_for(500)
        assert watched.state(chart("ticker")) == state, opened

    run_until("polling", 20_000)  # three refused streams: polling
    refused = len(opened)
    assert refused >= 3 and "opened" not in opened
    blocked["events"] = False
    run_until("live", 20_000)  # the retry, 5 s later, opens the stream
    assert opened[refused:] == ["opened"]
    watched.assert_clean(server.url, allowed_errors=["503"])
