"""The wire end to end, in Chromium: line separators in data arrive intact
(event stream and polling); a cross-origin page gets a 304 through CORS."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from pyecharts.charts import Bar, Line

from flask_pyecharts import Charts

from .conftest import BrowserServer, WatchedPage, chart
from .pages import HEAD, add_pages

#: Characters that end a line for str.splitlines() (and, for U+2028 and
#: U+2029, in older JavaScript), but not for the EventSource parser.
SEPARATORS = ["a\u2028b", "c\u2029d", "e\u0085f"]

SAME_JSON = "(value, expected) => JSON.stringify(value) === JSON.stringify(expected)"


class Recorder:
    """WSGI middleware keeping ``(method, path, status)`` of every request."""

    def __init__(self, app: Flask) -> None:
        self.seen: list[tuple[str, str, int]] = []
        self._wrapped = app.wsgi_app
        app.wsgi_app = self  # type: ignore[method-assign]

    def __call__(self, environ: dict[str, t.Any], start_response: t.Any) -> t.Any:
        def record(status: str, headers: t.Any, exc_info: t.Any = None) -> t.Any:
            self.seen.append(
                (environ["REQUEST_METHOD"], environ["PATH_INFO"], int(status[:3]))
            )
            return start_response(status, headers, exc_info)

        return self._wrapped(environ, record)


def separator_app() -> tuple[Flask, Charts, list[str]]:
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app)
    labels = ["plain"]

    @charts.chart("notes", window=20)
    def notes() -> Line:
        return Line().add_xaxis([]).add_yaxis("notes", [])

    @charts.chart("labels", refresh=0.2)
    def labelled() -> Bar:
        return Bar().add_xaxis(list(labels)).add_yaxis("n", [1] * len(labels))

    add_pages(app, ["notes", "labels"])
    return app, charts, labels


@pytest.mark.parametrize("transport, state", [("sse", "live"), ("poll", "polling")])
def test_line_separators_in_points_and_labels_reach_the_browser_intact(
    transport: str, state: str, serve: t.Any, watched: WatchedPage
) -> None:
    """Regression: U+2028, U+2029 or U+0085 in data broke the event stream's
    framing (its data lines were split with str.splitlines())."""
    app, charts, labels = separator_app()
    server = serve(app)
    page = watched.page
    page.goto(f"{server.url}/separated?transport={transport}")
    watched.wait_state(chart("notes"), state)
    watched.wait_state(chart("labels"), state)
    # Sent after the page connected: through the event stream, or polling.
    points = [(text, n) for n, text in enumerate(SEPARATORS)]
    charts.append("notes", points)
    labels[:] = SEPARATORS
    expected = [list(point) for point in points]
    watched.wait_chart(
        chart("notes"), f"(o, e) => ({SAME_JSON})(o.series[0].data, e)", expected
    )
    watched.wait_chart(
        chart("notes"), f"(o, e) => ({SAME_JSON})(o.xAxis[0].data, e)", SEPARATORS
    )
    watched.wait_chart(
        chart("labels"), f"(o, e) => ({SAME_JSON})(o.xAxis[0].data, e)", SEPARATORS
    )
    assert watched.state(chart("notes")) == state
    watched.assert_clean(server.url)
    # The polling JSON, read directly, carries them too.
    body = app.test_client().get("/charts/api/updates?charts=notes,labels").json
    by_chart = {update["chart"]: update for update in body["updates"]}
    assert by_chart["notes"]["points"] == [[0, point] for point in expected]
    assert by_chart["labels"]["option"]["xAxis"][0]["data"] == SEPARATORS


CONDITIONAL_GET = """async ([url, weak]) => {
    const first = await fetch(url, { cache: "no-store" });
    const etag = first.headers.get("ETag");
    const body = await first.json();
    const again = await fetch(url, {
        cache: "no-store",
        headers: { "If-None-Match": weak ? "W/" + etag : etag },
    });
    return { first: first.status, etag, name: body.name, again: again.status,
             text: await again.text() };
}"""


@pytest.mark.parametrize("weak", [False, True], ids=["strong", "weak"])
def test_a_cross_origin_page_gets_a_304_for_a_conditional_get(
    weak: bool, serve: t.Any, watched: WatchedPage
) -> None:
    """Regression: the CORS preflight lacked Access-Control-Allow-Headers, so a
    cross-origin If-None-Match request failed; weak ETags never matched."""
    site = Flask("site")
    site.add_url_rule(
        "/", "index", lambda: f"<!doctype html><html><head>{HEAD}</head></html>"
    )
    page_server = serve(site)
    api = Flask("api")
    api.config["PYECHARTS_CORS_ORIGINS"] = [page_server.url]
    charts = Charts(api)

    @charts.chart("sales")
    def sales() -> Bar:
        return Bar().add_xaxis(["衬衫"]).add_yaxis("商家A", [5])

    recorder = Recorder(api)
    api_server: BrowserServer = serve(api)
    assert api_server.url != page_server.url
    watched.page.goto(page_server.url + "/")
    result = watched.page.evaluate(
        CONDITIONAL_GET, [f"{api_server.url}/charts/api/charts/sales", weak]
    )
    assert result["first"] == 200 and result["name"] == "sales"
    assert result["etag"], "the ETag is not exposed to the page"
    assert result["again"] == 304 and result["text"] == ""
    assert ("OPTIONS", "/charts/api/charts/sales", 200) in recorder.seen
    assert watched.errors == []
