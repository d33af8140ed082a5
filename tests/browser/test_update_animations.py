"""Update animations on a page updated often (a wall screen): each update is
drawn at once, without motion, whatever ECharts' own durations. A pie has
its own 500 ms of update animation, and a live line's new points and the
ticks of its grown axis enter with the first drawing's second of motion:
each would make the page draw (and upload every canvas) for that long."""

from __future__ import annotations

import typing as t

from flask import Flask
from pyecharts.charts import Line, Pie

from flask_pyecharts import Charts

from .conftest import BrowserServer, WatchedPage, chart
from .pages import add_pages

#: The page's updates, counted as they are drawn.
COUNT = """() => { window.__updates = 0;
  document.addEventListener("fpe:update", () => { window.__updates += 1; }, true); }"""

#: Whether a chart's ECharts instance has nothing left to animate.
STILL = """(sel) => FlaskPyecharts.instance(document.querySelector(sel))
  .getZr().animation.isFinished()"""


def make_app() -> tuple[Flask, Charts, list[int]]:
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app)
    shares = [62]

    @charts.chart("share", refresh=0.2)
    def share() -> Pie:
        return Pie().add("", [("线上", shares[-1]), ("门店", 100 - shares[-1])])

    @charts.chart("feed", window=20)
    def feed() -> Line:
        return Line().add_xaxis([]).add_yaxis("订单", [])

    add_pages(app, ["share", "feed"])
    return app, charts, shares


def test_frequent_updates_are_drawn_without_motion(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    app, charts, shares = make_app()
    server = serve(app)
    charts.append("feed", [(f"t{i}", 10) for i in range(4)])
    page = watched.page
    page.clock.install()
    page.goto(f"{server.url}/separated")
    watched.run_until_live(chart("feed"), chart("share"))
    page.clock.run_for(2000)  # the first drawing's animations are over
    page.evaluate(COUNT)
    moving = []
    for step in range(10):
        # An update every 300 ms: the pie's share moves, the line's axis grows.
        shares.append(40 + step * 5)
        charts.append("feed", (f"u{step}", 10 ** (step % 4 + 2)))
        drawn = page.evaluate("() => window.__updates")
        watched.wait_events(
            lambda drawn=drawn: (
                page.clock.run_for(16)
                or page.evaluate("() => window.__updates") >= drawn + 2
            )
        )
        page.clock.run_for(50)
        if step >= 3:  # once the page's pace is known
            moving += [
                name
                for name in ("share", "feed")
                if not page.evaluate(STILL, chart(name))
            ]
        page.clock.run_for(250)
    assert moving == []
    assert watched.series_data(chart("feed"))[-1][1] == 10**3
    watched.assert_clean(server.url)
    charts.shutdown()
