"""A stream exports its whole window: the demo's live orders, from a new process."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from flask_pyecharts.demo import create_app
from flask_pyecharts.export import export_dashboard


def exported_points(html: str, name: str) -> list[list[object]]:
    found = re.search(
        rf'data-fpe-name="{name}"><script type="application/json"'
        r' class="fpe-initial">(.*?)</script>',
        html,
    )
    assert found, f"no card {name!r}"
    return json.loads(found.group(1))["option"]["series"][0]["data"]


def test_the_live_order_stream_exports_its_whole_window(database: Path) -> None:
    app = create_app(database, simulate=False, progress=False)
    charts = app.jinja_env.globals["charts"]
    try:
        window = charts.registry.chart("live_orders").window
        result = export_dashboard(app, "/live")  # the live report
    finally:
        charts.shutdown()
    with sqlite3.connect(database) as connection:
        latest = connection.execute(
            "SELECT created_at, amount FROM orders ORDER BY id DESC LIMIT ?", (window,)
        ).fetchall()
    points = exported_points(result.html, "live_orders")
    assert len(latest) == window == 200
    assert len(points) == window  # not the first 120 orders of it
    assert [time for time, _ in points] == [time for time, _ in reversed(latest)]
