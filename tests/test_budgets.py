"""Memory bounded by bytes: option caches of variants, the feed's frames and
appended points each have a budget; ``/api/stats`` and ``flask pyecharts
stats`` show what a process holds against them."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from pyecharts.charts import Bar, Line

from flask_pyecharts import Charts
from flask_pyecharts.commands import flask_group, format_stats
from flask_pyecharts.live.feed import RING

from .conftest import LiveServer


def sized_app(clock, **config) -> tuple[Flask, Charts]:
    """A chart whose option weighs about ``size`` KB, one variant per size."""
    app = Flask(__name__)
    app.config.update(TESTING=True, **config)
    charts = Charts(app, clock=clock)
    charts.variable("size", type=int, min=1, max=1000, default=1)

    @charts.chart("heavy", refresh=10)
    def heavy(size: int) -> Bar:
        return Bar().add_xaxis(["x" * 1000] * size).add_yaxis("y", [1] * size)

    @charts.chart("live", window=100)
    def live() -> Line:
        return Line().add_xaxis([]).add_yaxis("y", [])

    return app, charts


def sizes(runtime) -> list[int]:
    return [int(key.split("size=")[1]) for key in runtime.variants()]


def test_variants_beyond_the_byte_budget_go_least_recently_used_first(clock):
    app, charts = sized_app(clock, PYECHARTS_MAX_VARIANT_BYTES=250_000)
    runtime = charts.runtime(app)
    client = app.test_client()
    for size in (50, 60, 70):  # about 180 KB: all kept
        assert client.get(f"/charts/api/charts/heavy?size={size}").status_code == 200
    assert sizes(runtime) == [50, 60, 70]
    client.get("/charts/api/charts/heavy?size=50")  # now the most recent
    client.get("/charts/api/charts/heavy?size=80")  # 260 KB: drops 60
    assert sizes(runtime) == [70, 50, 80]
    client.get("/charts/api/charts/heavy?size=90")  # 290 KB: drops 70
    assert sizes(runtime) == [50, 80, 90]
    assert runtime.stats()["options"]["variants_bytes"] <= 250_000
    client.get("/charts/api/charts/heavy?size=400")  # alone over the budget: kept
    assert sizes(runtime) == [400]
    charts.shutdown()


def test_a_variant_that_grows_is_trimmed_at_the_feeds_wake_up(clock):
    app, charts = sized_app(clock, PYECHARTS_MAX_VARIANT_BYTES=100_000)
    runtime = charts.runtime(app)
    client = app.test_client()
    client.get("/charts/api/charts/heavy?size=40")
    client.get("/charts/api/charts/heavy?size=50")
    assert sizes(runtime) == [40, 50]
    runtime._caches.max_bytes = 60_000  # as if the options had grown past it
    runtime._caches.trim()
    assert sizes(runtime) == [50]
    charts.shutdown()


def test_the_feeds_frames_beyond_the_byte_budget_are_dropped_and_nothing_is_lost(
    clock,
):
    app, charts = sized_app(clock, PYECHARTS_MAX_FEED_BYTES=20_000)
    runtime = charts.runtime(app)
    feed = runtime.feed
    topic = runtime.topic(runtime.registry.chart("live"))
    viewer = feed.watch([topic], [""], None)
    first = feed.catch_up(viewer)
    assert first is not None
    since = viewer.since
    for second in range(40):  # 40 frames of about 1.2 KB each
        charts.append("live", (f"{second:02d}" + "z" * 600, second))
        feed._publish()  # the feed's own publications wait for the test's clock
    assert feed.stats()["frame_bytes"] > 20_000
    feed._bound_bytes()
    assert feed.stats()["frame_bytes"] <= 20_000
    assert len(feed._states[topic].frames) < RING
    # a viewer from the first position still gets every point, once, in order
    viewer.tokens = [since]
    chunk = feed.catch_up(viewer).decode()
    values = [int(text[:2]) for text in chunk.split('["')[1:] if text[:2].isdigit()]
    assert values == list(range(40))
    feed.release(viewer)
    charts.shutdown()


@pytest.mark.parametrize(
    ("point", "message"),
    [
        (("é" * 1001, 1), "a text of 1001 characters; at most 1000"),
        ({str(key): key for key in range(17)}, "a data item of 17 keys; at most 16"),
        ({"name": "a", "value": list(range(9))}, "a value of 9 items; at most 8"),
    ],
)
def test_a_point_is_bounded_so_windows_are(clock, point, message):
    app, charts = sized_app(clock)
    with pytest.raises(ValueError, match=message):
        charts.append("live", point)
    charts.append("live", ("é" * 1000, 1))  # at the bound
    charts.shutdown()


@pytest.mark.parametrize(
    "key", ["PYECHARTS_MAX_VARIANT_BYTES", "PYECHARTS_MAX_FEED_BYTES"]
)
@pytest.mark.parametrize("value", [0, -1, 1.5, "lots", True])
def test_a_bad_budget_fails_at_start_up(key, value):
    app = Flask(__name__)
    app.config[key] = value
    with pytest.raises(ValueError, match=key):
        Charts(app)


def test_stats_show_what_a_running_server_holds(clock):
    app, charts = sized_app(clock, PYECHARTS_MAX_VARIANT_BYTES=5 * 2**20)
    client = app.test_client()
    client.get("/charts/api/charts/heavy?size=3")
    client.get("/charts/api/charts/heavy?size=4")
    stats = client.get("/charts/api/stats").get_json()
    assert stats["options"]["variants"] == 2
    assert stats["options"]["max_variant_bytes"] == 5 * 2**20
    assert stats["options"]["variants_bytes"] > 7000
    assert stats["rss_bytes"] > 10 * 2**20
    assert stats["streams"] == {"open": 0, "max": 5000}
    assert "heavy" not in json.dumps(stats)  # counts and bytes, no names or values
    server = LiveServer(app)
    try:
        runner = app.test_cli_runner()
        result = runner.invoke(flask_group, ["stats", "--url", server.url])
        assert result.exit_code == 0, result.output
        assert "2 of at most 1000 variants" in result.output
        assert "of 5.0 MiB" in result.output
        result = runner.invoke(flask_group, ["stats", "--url", server.url, "--json"])
        assert json.loads(result.output)["options"]["variants"] == 2
    finally:
        server.stop()
    result = app.test_cli_runner().invoke(
        flask_group, ["stats", "--url", "http://127.0.0.1:9/"]
    )
    assert result.exit_code == 1
    assert "Cannot read http://127.0.0.1:9/charts/api/stats" in result.output
    charts.shutdown()


def test_format_stats_says_no_limit_when_there_is_none():
    lines = format_stats(
        {
            "pid": 7,
            "rss_bytes": None,
            "options": {
                "charts": 1,
                "charts_bytes": 2**20,
                "variants": 0,
                "max_variants": 10,
                "variants_bytes": 0,
                "max_variant_bytes": None,
            },
            "feed": {
                "topics": 2,
                "followed": 1,
                "viewers": 3,
                "frames": 4,
                "frame_bytes": 0,
                "max_frame_bytes": 2**20,
            },
            "streams": {"open": 3, "max": 5},
        }
    )
    assert lines[0] == "process 7: ? resident"
    assert "(1.0 MiB)" in lines[1] and "of no limit" in lines[1]
    assert lines[3] == "event streams: 3 of at most 5"
