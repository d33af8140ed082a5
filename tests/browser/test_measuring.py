"""Text measurement on a live page: no canvas kept only to measure measures
more than a bounded number of strings (Chromium keeps the shaping of each
until that canvas draws, and such a canvas never does)."""

from __future__ import annotations

import typing as t

from flask import Flask
from pyecharts.charts import Line

from flask_pyecharts import Charts

from .conftest import BrowserServer, WatchedPage, chart
from .pages import add_pages

#: Counts measureText calls per canvas that is not in the page.
SPY = """(() => {
  const counts = new WeakMap();
  const seen = window.__measures = { canvases: 0, most: 0, total: 0 };
  const measure = CanvasRenderingContext2D.prototype.measureText;
  CanvasRenderingContext2D.prototype.measureText = function (text) {
    if (!this.canvas.isConnected) {
      const count = (counts.get(this) || 0) + 1;
      counts.set(this, count);
      if (count === 1) seen.canvases += 1;
      seen.most = Math.max(seen.most, count);
      seen.total += 1;
    }
    return measure.call(this, text);
  };
})();"""
MEASURES_PER_CANVAS = 500  # client/src/measure.js


def test_no_measuring_canvas_keeps_more_than_its_share_of_labels(
    serve: t.Callable[..., BrowserServer], new_page: t.Callable[[], WatchedPage]
):
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app)

    @charts.chart("orders", window=300)
    def orders() -> Line:
        return Line().add_xaxis([]).add_yaxis("订单", [])

    add_pages(app, ["orders"])
    server = serve(app)
    watched = new_page()
    watched.page.add_init_script(SPY)
    watched.page.goto(f"{server.url}/separated")
    watched.wait_state(chart("orders"), "live")
    for batch in range(12):  # 1,200 labels never seen before, as a live line has
        labels = [f"订单 {batch:02d}-{i:03d}" for i in range(100)]
        charts.append("orders", [(label, i) for i, label in enumerate(labels)])
        watched.wait_chart(
            chart("orders"),
            "(o, last) => (o.xAxis[0].data || []).slice(-1)[0] === last",
            labels[-1],
        )
    seen = watched.page.evaluate("window.__measures")
    assert seen["total"] > 2 * MEASURES_PER_CANVAS, seen  # the test measures enough
    assert seen["most"] <= MEASURES_PER_CANVAS, seen
    assert seen["canvases"] >= 3, seen
    assert watched.errors == []
