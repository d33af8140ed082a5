"""Charts are renewed on pages left on for days: every `data-renew-after`
seconds each gets a new ECharts instance drawing the same picture, keeps its
points and stream position, and nothing is asked of the server."""

from __future__ import annotations

import typing as t

from flask import Flask
from pyecharts.charts import Bar, Line

from flask_pyecharts import Charts

from .conftest import BrowserServer, WatchedPage, chart
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
