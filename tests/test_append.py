"""What append and producers accept: points the browser can draw, or a
ValueError saying what was expected, with nothing appended."""

from __future__ import annotations

import logging
import typing as t

import pytest
from flask import Flask
from pyecharts.charts import Bar, Line

from flask_pyecharts import Charts

from .conftest import LiveServer, wait_until
from .sse_client import read_events

BEYOND_64_BITS = 2**64
BEYOND_SAFE = 2**53


def shapes_app(**config: t.Any) -> tuple[Flask, Charts]:
    """Stream charts on each kind of axis, and a dashboard of them."""
    app = Flask(__name__)
    app.config.update(TESTING=True, **config)
    charts = Charts(app)

    @charts.chart("by_category", window=50)  # pyecharts: an x-axis with data: []
    def by_category() -> Line:
        return Line().add_xaxis([]).add_yaxis("°C", [])

    @charts.chart("xy", window=50)
    def xy() -> dict:
        return {
            "xAxis": {"type": "value"},
            "yAxis": {"type": "value"},
            "series": [{"type": "line"}, {"type": "scatter"}],
        }

    @charts.chart("timeline", window=50)
    def timeline() -> dict:
        return {"xAxis": {"type": "time"}, "yAxis": {}, "series": [{"type": "line"}]}

    @charts.chart("ranking", window=50)  # horizontal bars
    def ranking() -> Bar:
        return Bar().add_xaxis([]).add_yaxis("sales", []).reversal_axis()

    @charts.chart("share", window=50)
    def share() -> dict:
        return {"series": [{"type": "pie"}]}

    charts.dashboard("/", ["by_category", "xy", "timeline", "ranking", "share"])
    return app, charts


@pytest.fixture
def shapes() -> t.Iterator[tuple[Flask, Charts]]:
    app, charts = shapes_app()
    yield app, charts
    charts.shutdown()


ACCEPTED = [
    ("by_category", 21.5, 0),
    ("by_category", ("12:00:01", 21.5), 0),
    ("by_category", ("12:00:02", None), 0),  # a gap
    ("by_category", {"name": "a", "value": 3}, 0),
    ("by_category", {"value": ("12:00:03", 4)}, 0),
    ("xy", (1, 2.5), 0),
    ("xy", (2, None), 0),
    ("xy", (1, 2, 30), 1),  # scatter: a third value for the symbol size
    # a line: extra dimensions after (x, y), for a tooltip or encode
    ("by_category", ("12:00:04", 5, 1767268800.5), 0),
    ("timeline", ("2026-01-01 12:00:00", 1), 0),
    ("timeline", (1767268800000, 1), 0),
    ("ranking", 5, 0),
    ("ranking", (5, "衬衫"), 0),
    ("share", {"name": "天猫", "value": 3}, 0),
    ("share", 3, 0),
    ("by_category", BEYOND_SAFE - 1, 0),
    ("by_category", -(BEYOND_SAFE - 1), 0),
]


@pytest.mark.parametrize("chart, point, series", ACCEPTED)
def test_points_the_browser_can_draw_are_appended(shapes, chart, point, series):
    app, charts = shapes
    charts.append(chart, point, series=series)
    page = app.test_client().get(f"/charts/api/charts/{chart}/points").json
    assert len(page["points"]) == 1 and page["points"][0][0] == series


REFUSED = [
    # chart, point, series, what the message says
    ("by_category", "abc", 0, "expected a number, or (category, number)"),
    ("by_category", ("a",), 0, "1 values; expected a number"),
    ("by_category", ("a", "abc"), 0, "('a', 'abc'); expected"),
    ("by_category", None, 0, "a point cannot be None"),
    ("by_category", ("a", 1), 3, "has 1 series (0 to 0); there is no series 3"),
    ("by_category", {"name": "a"}, 0, "without a 'value'"),
    ("xy", 5, 0, "expected (x, y) (or more values) with x a number and y a number"),
    ("xy", ("a", 1), 0, "('a', 1)"),
    ("xy", (None, 1), 0, "(None, 1)"),
    ("xy", (1, 2, 3, 4, 5, 6, 7, 8, 9), 0, "9 values"),
    ("timeline", 5, 0, "x a time (milliseconds or a date string)"),
    ("ranking", ("衬衫", 5), 0, "expected a number, or (number, category)"),
    ("share", None, 0, "a point cannot be None"),
    ("share", 1, 1, "has 1 series"),
    ("by_category", BEYOND_SAFE, 0, "beyond JavaScript's safe integers"),
    ("by_category", ("a", BEYOND_64_BITS), 0, "beyond JavaScript's safe integers"),
    ("xy", (-BEYOND_SAFE, 1), 0, "beyond JavaScript's safe integers"),
]


@pytest.mark.parametrize("chart, point, series, message", REFUSED)
def test_points_that_would_vanish_are_refused_saying_what_was_expected(
    shapes, chart, point, series, message
):
    app, charts = shapes
    with pytest.raises(ValueError, match=f"{chart!r}|Point") as refused:
        charts.append(chart, [point], series=series)
    assert message in str(refused.value)
    assert (
        app.test_client().get(f"/charts/api/charts/{chart}/points").json["points"] == []
    )  # nothing appended


def test_one_bad_point_in_a_batch_appends_nothing(shapes):
    app, charts = shapes
    with pytest.raises(ValueError, match="point 2"):
        charts.append("by_category", [("a", 1), ("b", 2), ("c", "x"), ("d", 4)])
    assert (
        app.test_client().get("/charts/api/charts/by_category/points").json["points"]
        == []
    )


@pytest.mark.parametrize("store", ["memory", "sqlite", "redis"])
def test_an_int_beyond_64_bits_is_refused_and_every_read_keeps_working(
    store, request, tmp_path
):
    """Regression: it was accepted, then every read of the chart answered 500."""
    config = {}
    if store == "redis":
        config["PYECHARTS_STORE"] = request.getfixturevalue("redis_url")
    if store == "sqlite":
        config["PYECHARTS_STORE"] = f"sqlite:///{tmp_path}/streams.db"
    app, charts = shapes_app(**config)
    server = LiveServer(app)
    try:
        charts.append("by_category", ("a", 1))
        with pytest.raises(ValueError, match="safe integers"):
            charts.append("by_category", ("b", BEYOND_64_BITS))
        client = app.test_client()
        for path in [
            "/charts/api/charts/by_category",
            "/charts/api/charts/by_category/points",
            "/charts/api/updates?charts=by_category",
            "/",
        ]:
            response = client.get(path)
            assert response.status_code == 200, (path, response.data[:200])
        events, _ = read_events(
            f"{server.url}/charts/api/events?charts=by_category",
            until=lambda events: True,
        )
        assert events[0].data["points"] == [[0, ["a", 1]]]
    finally:
        server.stop()
        charts.shutdown()


def test_a_builder_returning_an_int_beyond_64_bits_is_a_503_naming_chart_and_path():
    app = Flask(__name__)
    charts = Charts(app)

    @charts.chart("ids")
    def ids() -> dict:
        return {"series": [{"type": "bar", "data": [1, BEYOND_64_BITS]}]}

    charts.dashboard("/", ["ids"])
    app.debug = True  # viewers see why (outside debug mode: an error id)
    client = app.test_client()
    response = client.get("/charts/api/charts/ids")
    assert response.status_code == 503
    error = response.json["error"]
    assert "'ids'" in error and "series/0/data/1" in error and "64 bits" in error
    assert client.get("/charts/api/updates?charts=ids").status_code == 200
    assert client.get("/").status_code == 200  # the card shows the error
    charts.shutdown()


@pytest.mark.parametrize(
    "returned, message",
    [
        (["abc"], "point 0 is 'abc'; expected a number, or (category, number)"),
        ([("a", BEYOND_64_BITS)], "safe integers"),
        ({5: [1.0]}, "there is no series 5"),
    ],
)
def test_a_producer_returning_bad_points_logs_why_and_appends_nothing(
    caplog, returned, message
):
    app = Flask(__name__)
    charts = Charts(app)
    calls = []

    @charts.chart("readings", window=10)
    def readings() -> Line:
        return Line().add_xaxis([]).add_yaxis("°C", [])

    with caplog.at_level(logging.ERROR, logger="flask_pyecharts"):

        @charts.producer("readings", every=0.02)
        def produce(cursor: int | None) -> tuple[t.Any, int]:
            calls.append(cursor)
            return returned, (cursor or 0) + 1

        record = wait_until(
            lambda: next(
                (r for r in caplog.records if "cannot be charted" in r.getMessage()),
                None,
            )
        )
    charts.shutdown()
    text = record.getMessage()
    assert "'readings'" in text and "nothing was appended" in text and message in text
    assert record.exc_info is None  # bad data, not a crash: no traceback
    assert set(calls) == {None}  # the cursor did not move past the bad points
    page = app.test_client().get("/charts/api/charts/readings/points").json
    assert page["points"] == []


def test_producers_and_dashboards_naming_an_unknown_chart_are_refused():
    app = Flask(__name__)
    charts = Charts(app)

    @charts.chart("sales")
    def sales() -> dict:
        return {"series": []}

    with pytest.raises(ValueError, match="'nosuch'.*register it first"):
        charts.producer("nosuch", every=1)(lambda cursor: ([], cursor))
    with pytest.raises(ValueError, match="'sales', which is not a stream"):
        charts.producer("sales", every=1)(lambda cursor: ([], cursor))
    with pytest.raises(ValueError, match="shows 'nosuch'.*register the charts first"):
        charts.dashboard("/", ["sales", "nosuch"])
    assert app.test_client().get("/").status_code == 404  # nothing half-registered
    charts.shutdown()


@pytest.mark.parametrize("refresh", [0, 0.0, -1, 86_401, True, "2"])
def test_a_bad_refresh_says_the_allowed_range(refresh):
    """Regression: refresh=0 was refused 'between 0 and 86400', which 0 is."""
    charts = Charts()
    with pytest.raises(ValueError) as refused:
        charts.chart("sales", refresh=refresh)
    assert str(refused.value) == (
        "Chart 'sales': refresh must be a number of seconds above 0 and at most"
        f" 86400, not {refresh!r}."
    )
    with pytest.raises(ValueError, match="every must be a number of seconds above 0"):
        charts.producer("sales", every=0)
