"""Stream charts over HTTP: append, points, updates, events, producers."""

import threading
import time

import pytest
from flask import Flask
from pyecharts.charts import Bar

from flask_pyecharts import Charts

from .conftest import Clock, LiveServer, make_app, wait_until
from .sse_client import Event, read_events

#: How long a test waits for what must come (only a failing test waits it out).
PATIENCE = 10.0


def test_append_one_point_or_many(client, charts):
    charts.append("temperature", ("12:00:01", 21.5))
    charts.append("temperature", [("12:00:02", 21.6), ("12:00:03", 21.7)], series=0)
    document = client.get("/charts/api/charts/temperature").json
    assert document["option"]["series"][0]["data"] == [
        ["12:00:01", 21.5],
        ["12:00:02", 21.6],
        ["12:00:03", 21.7],
    ]
    assert document["kind"] == "stream" and document["window"] == 5
    assert document["cursor"]
    # the category axis shows the window's categories, as the client sets them
    assert document["option"]["xAxis"][0]["data"] == [
        "12:00:01",
        "12:00:02",
        "12:00:03",
    ]


def test_window_bounds_the_document(client, charts):
    for second in range(12):
        charts.append("temperature", (f"12:00:{second:02}", second))
    data = client.get("/charts/api/charts/temperature").json["option"]["series"][0][
        "data"
    ]
    assert [value for _, value in data] == [7, 8, 9, 10, 11]


def test_points_since_cursor(client, charts):
    charts.append("temperature", ("a", 1))
    cursor = client.get("/charts/api/charts/temperature").json["cursor"]
    charts.append("temperature", [("b", 2), ("c", 3)])
    page = client.get(f"/charts/api/charts/temperature/points?since={cursor}").json
    assert page["reset"] is False
    assert page["points"] == [[0, ["b", 2]], [0, ["c", 3]]]
    limited = client.get(
        f"/charts/api/charts/temperature/points?since={cursor}&limit=1"
    ).json
    assert limited["points"] == [[0, ["b", 2]]]
    rest = client.get(
        f"/charts/api/charts/temperature/points?since={limited['cursor']}"
    ).json
    assert rest["points"] == [[0, ["c", 3]]]


def test_cursor_older_than_the_window_resets(client, charts):
    charts.append("temperature", ("a", 0))
    cursor = client.get("/charts/api/charts/temperature").json["cursor"]
    for value in range(1, 10):
        charts.append("temperature", ("x", value))
    page = client.get(f"/charts/api/charts/temperature/points?since={cursor}").json
    assert page["reset"] is True
    assert [value for _, (_, value) in page["points"]] == [5, 6, 7, 8, 9]


def test_cursor_from_another_epoch_resets(client, charts):
    charts.append("temperature", ("a", 1))
    other_app, other_charts = make_app()  # a restarted server: a new memory store
    other_charts.append("temperature", ("b", 2))
    foreign = (
        other_app.test_client().get("/charts/api/charts/temperature").json["cursor"]
    )
    page = client.get(f"/charts/api/charts/temperature/points?since={foreign}").json
    assert page["reset"] is True and page["points"] == [[0, ["a", 1]]]
    other_charts.shutdown()


@pytest.mark.parametrize("since", ["garbage", "a,b", "x.y", "." * 200])
def test_malformed_cursor_is_400(client, since):
    response = client.get(f"/charts/api/charts/temperature/points?since={since}")
    assert response.status_code == 400
    assert response.json["error"]


@pytest.mark.parametrize("limit", ["-1", "0", "abc", "1e3", "99999999999"])
def test_bad_limit_is_400(client, limit):
    response = client.get(f"/charts/api/charts/temperature/points?limit={limit}")
    assert response.status_code == 400
    assert "limit" in response.json["error"]


def test_points_of_a_full_chart_is_400(client):
    assert client.get("/charts/api/charts/sales/points").status_code == 400


def test_append_wrong_shape_leaves_the_store_unchanged(client, charts):
    charts.append("temperature", ("a", 1))
    before = client.get("/charts/api/charts/temperature").json
    for bad in [
        [("ok", 1), ("bad", object())],
        (1, 2, 3, 4, 5, 6, 7, 8, 9),
        {"v": {"nested": 1}},
    ]:
        with pytest.raises(ValueError):
            charts.append("temperature", bad)
    with pytest.raises(ValueError, match="series"):
        charts.append("temperature", ("a", 1), series=-1)
    with pytest.raises(ValueError, match="not a stream"):
        charts.append("sales", ("a", 1))
    with pytest.raises(ValueError, match="No chart"):
        charts.append("nope", ("a", 1))
    assert client.get("/charts/api/charts/temperature").json == before


def test_nan_and_infinity_become_null(client, charts):
    charts.append("temperature", [("a", float("nan")), ("b", float("inf"))])
    data = client.get("/charts/api/charts/temperature").json["option"]["series"][0][
        "data"
    ]
    assert data == [["a", None], ["b", None]]


def test_updates_batches_many_charts(client, charts):
    first = client.get("/charts/api/updates?charts=sales,temperature").json
    kinds = {update["chart"]: update["type"] for update in first["updates"]}
    assert kinds == {"sales": "option", "temperature": "reset"}
    charts.append("temperature", ("a", 1))
    second = client.get(
        f"/charts/api/updates?charts=sales,temperature&since={first['since']}"
    ).json
    assert [(u["chart"], u["type"], u["points"]) for u in second["updates"]] == [
        ("temperature", "points", [[0, ["a", 1]]])
    ]
    third = client.get(
        f"/charts/api/updates?charts=sales,temperature&since={second['since']}"
    ).json
    assert third["updates"] == []


def test_updates_reports_a_failing_chart_and_keeps_the_others(client, charts):
    charts.append("temperature", ("a", 1))
    body = client.get("/charts/api/updates?charts=broken,temperature").json
    types = {update["chart"]: update["type"] for update in body["updates"]}
    assert types == {"broken": "error", "temperature": "reset"}


def test_a_chart_needing_a_script_that_cannot_be_served_fails_alone():
    """Regression: a map that is not bundled made /updates and /events answer 503
    for every chart of the request."""
    app = Flask(__name__)
    app.config["PYECHARTS_STREAM_TIMEOUT"] = 0.5
    charts = Charts(app)

    @charts.chart("map", refresh=5)
    def needs_a_script() -> Bar:  # as Map(..., "china") does without the map files
        chart = Bar().add_xaxis(["a"]).add_yaxis("x", [1])
        chart.js_dependencies.add("nowhere-extension")
        return chart

    charts.chart("bar", refresh=5)(lambda: {"series": [{"type": "bar", "data": [1]}]})
    client = app.test_client()
    assert client.get("/charts/api/charts/map").status_code == 503
    body = client.get("/charts/api/updates?charts=map,bar").json
    updates = {update["chart"]: update for update in body["updates"]}
    assert updates["map"]["type"] == "error"
    assert "'nowhere-extension' is not bundled" in updates["map"]["error"]
    assert updates["bar"]["type"] == "option"
    again = client.get(f"/charts/api/updates?charts=map,bar&since={body['since']}")
    assert again.json["updates"] == []  # the error is sent once, not again
    server = LiveServer(app)
    try:
        events, _ = read_events(f"{server.url}/charts/api/events?charts=map,bar")
    finally:
        server.stop()
        charts.shutdown()
    assert [event.event for event in events] == ["chart-error", "option"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "charts=",
        "charts=nope",
        "charts=sales,sales",
        "charts=" + ",".join(f"c{i}" for i in range(10_000)),
        "charts=sales,temperature&since=onlyone",
        "charts=temperature&since=bad-cursor",
    ],
)
def test_bad_updates_and_events_requests(client, query):
    for route in ("updates", "events"):
        response = client.get(f"/charts/api/{route}?{query}")
        assert response.status_code in (400, 404, 414), (route, query)
        assert response.json["error"]


def test_oversized_last_event_id_is_400(client):
    response = client.get(
        "/charts/api/events?charts=temperature", headers={"Last-Event-ID": "x" * 10_000}
    )
    assert response.status_code == 400


def test_event_stream_headers_and_first_events():
    app, charts = make_app(PYECHARTS_STREAM_TIMEOUT=0.5)
    charts.append("temperature", ("a", 1))
    server = LiveServer(app)
    try:
        events, response = read_events(
            f"{server.url}/charts/api/events?charts=sales,temperature"
        )
    finally:
        server.stop()
        charts.shutdown()
    assert response.getheader("Content-Type").startswith("text/event-stream")
    assert response.getheader("Cache-Control") == "no-cache"
    assert response.getheader("X-Accel-Buffering") == "no"
    assert [(e.event, e.data["chart"]) for e in events] == [
        ("option", "sales"),
        ("reset", "temperature"),
    ]
    assert events[-1].id.split(",")[0] == events[0].data["etag"]


def test_event_stream_resumes_after_server_side_disconnect_without_gap_or_duplicate():
    app = Flask(__name__)
    app.config["PYECHARTS_STREAM_TIMEOUT"] = 0.3  # the server cuts every stream
    charts = Charts(app)

    @charts.chart("ticks", window=10_000)
    def ticks() -> dict:
        return {"series": [{"type": "line", "data": []}]}

    server = LiveServer(app)
    stop = threading.Event()

    def produce() -> None:
        value = 0
        while not stop.is_set() and value < 400:
            charts.append("ticks", value)
            value += 1
            time.sleep(0.004)

    producer = threading.Thread(target=produce)
    cursor = app.test_client().get("/charts/api/charts/ticks").json["cursor"]
    url = f"{server.url}/charts/api/events?charts=ticks&since={cursor}"
    seen: list[int] = []
    last_id = None
    reconnects = 0
    try:
        producer.start()
        deadline = time.monotonic() + 20
        while len(seen) < 400 and time.monotonic() < deadline:
            events, _ = read_events(url, last_event_id=last_id)
            reconnects += 1
            for event in events:
                assert event.event == "points", event
                seen.extend(value for _, value in event.data["points"])
                last_id = event.id
    finally:
        stop.set()
        producer.join()
        server.stop()
        charts.shutdown()
    assert reconnects >= 2  # the server really cut the stream
    assert seen == list(range(400))


def test_event_stream_pushes_an_append_without_waiting_for_a_periodic_wake_up():
    """Pushed with the next publication (1 / PYECHARTS_MAX_FPS away), not
    found by the feed's periodic wake-up, here five minutes away: the event
    comes long before it could. (How fast it comes is a figure of bench S4.)"""
    app, charts = make_app(PYECHARTS_HEARTBEAT=600, PYECHARTS_STREAM_TIMEOUT=600)
    server = LiveServer(app)
    cursor = app.test_client().get("/charts/api/charts/temperature").json["cursor"]
    received = {}
    opened = threading.Event()

    def listen() -> None:
        events, _ = read_events(
            f"{server.url}/charts/api/events?charts=temperature&since={cursor}",
            until=lambda events: bool(events),
            opened=opened.set,
        )
        received["events"] = events

    listener = threading.Thread(target=listen)
    listener.start()
    try:
        assert opened.wait(PATIENCE)
        assert charts.runtime(app).feed.wake_every == 300
        charts.append("temperature", ("now", 1))
        listener.join(PATIENCE)
    finally:
        server.stop()
        charts.shutdown()
    assert "events" in received, "the append was not pushed"
    assert received["events"][0].data["points"] == [[0, ["now", 1]]]


def test_producer_feeds_a_stream_and_a_failing_one_does_not_stop_it():
    app = Flask(__name__)
    charts = Charts(app)

    @charts.chart("good", window=100)
    def good() -> dict:
        return {"series": [{"type": "line"}]}

    @charts.chart("bad", window=100)
    def bad() -> dict:
        return {"series": [{"type": "line"}]}

    @charts.producer("good", every=0.05)
    def produce_good(cursor):
        value = 0 if cursor is None else cursor + 1
        return [value], value

    @charts.producer("bad", every=0.05)
    def produce_bad(cursor):
        raise RuntimeError("source is down")

    client = app.test_client()

    def five_or_more() -> list | None:
        document = client.get("/charts/api/charts/good").json
        data = document["option"]["series"][0]["data"]
        return data if len(data) >= 5 else None

    try:
        data = wait_until(five_or_more)
    finally:
        charts.shutdown()
    assert len(data) >= 5
    assert data == list(range(len(data)))  # once each, in order, from the stored cursor


def test_viewers_of_a_shared_store_share_their_reads(redis_url):
    app = Flask(__name__)
    app.config.update(PYECHARTS_STORE=redis_url, PYECHARTS_STREAM_TIMEOUT=60)
    charts = Charts(app)

    @charts.chart(f"shared-{time.time_ns()}", window=100)
    def shared() -> dict:
        return {"series": [{"type": "line"}]}

    name = next(iter(charts.registry.charts))
    store = charts.runtime(app).store
    reads = []
    since = store.since

    def counted_since(*args, **kwargs):
        reads.append(args)
        return since(*args, **kwargs)

    store.since = counted_since
    server = LiveServer(app)
    cursor = app.test_client().get(f"/charts/api/charts/{name}").json["cursor"]
    url = f"{server.url}/charts/api/events?charts={name}&since={cursor}"
    opened: list[int] = []
    received = [0] * 10  # points, per viewer
    results: list[list[int]] = []

    def view(index: int) -> None:
        def until(events: list[Event]) -> bool:
            received[index] = sum(len(e.data["points"]) for e in events)
            return len(events) >= 5

        events, _ = read_events(url, until=until, opened=lambda: opened.append(index))
        results.append([value for e in events for _, value in e.data["points"]])

    viewers = [threading.Thread(target=view, args=(i,)) for i in range(10)]
    try:
        for viewer in viewers:
            viewer.start()
        wait_until(lambda: len(opened) == 10, message="the viewers did not connect")
        reads.clear()
        for value in range(5):
            charts.append(name, value)
            # every viewer has it before the next append: one event each
            wait_until(lambda: min(received) > value)  # noqa: B023
        for viewer in viewers:
            viewer.join(PATIENCE)
    finally:
        server.stop()
        charts.shutdown()
    assert results == [[0, 1, 2, 3, 4]] * 10
    assert len(reads) <= 2 * 5  # about one read per append, not one per viewer


def test_every_viewer_gets_every_rebuild_of_a_full_chart():
    """Rebuilds triggered by anyone (here a poller) reach every viewer."""
    app = Flask(__name__)
    app.config.update(PYECHARTS_STREAM_TIMEOUT=60, PYECHARTS_MAX_STREAMS_PER_CLIENT=50)
    clock = Clock()  # the refresh interval passes when the poller says so
    charts = Charts(app, clock=clock)
    versions = iter(range(10_000))
    rebuilds = 10

    @charts.chart("ticker", refresh=0.2)
    def ticker() -> dict:
        return {"series": [{"type": "bar", "data": [next(versions)]}]}

    server = LiveServer(app)
    url = f"{server.url}/charts/api/events?charts=ticker"
    opened: list[int] = []
    seen: list[list[int]] = [[] for _ in range(40)]

    def view(index: int) -> None:
        def until(events: list[Event]) -> bool:
            options = [e.data.get("option") or e.data["patch"] for e in events]
            seen[index] = [option["series"][0]["data"][0] for option in options]
            return seen[index][-1] == rebuilds

        read_events(url, until=until, opened=lambda: opened.append(index))

    viewers = [threading.Thread(target=view, args=(i,)) for i in range(40)]
    try:
        for viewer in viewers:
            viewer.start()
        wait_until(lambda: len(opened) == 40, message="the viewers did not connect")
        client = app.test_client()  # rebuilds happen on its requests
        for version in range(1, rebuilds + 1):
            # the refresh (0.2 s) passes, and the next publication (on the
            # feed's grid, within 1.5 of its 0.2 s intervals) falls due
            clock.advance(0.3)
            client.get("/charts/api/charts/ticker").close()
            wait_until(
                lambda: all(s and s[-1] == version for s in seen),  # noqa: B023
                message=f"not every viewer got version {version}",
            )
        for viewer in viewers:
            viewer.join(PATIENCE)
    finally:
        server.stop()
        charts.shutdown()
    assert seen == [list(range(rebuilds + 1))] * 40  # each once, in order


def test_polls_are_told_when_the_next_rebuild_is_due():
    """The answer's ``next`` is when the earliest rebuild of the request's full
    charts falls due (the page polls just after it); none for streams only."""
    clock = Clock()
    app = Flask(__name__)
    charts = Charts(app, clock=clock)

    @charts.chart("sales", refresh=2.0)
    def sales() -> dict:
        return {"series": [{"type": "bar", "data": [1]}]}

    @charts.chart("slow", refresh=60.0)
    def slow() -> dict:
        return {"series": [{"type": "bar", "data": [1]}]}

    @charts.chart("ticks", window=5)
    def ticks() -> dict:
        return {"series": [{"type": "line"}]}

    client = app.test_client()
    first = client.get("/charts/api/updates?charts=sales,slow").json
    # Built now, on a grid of the wall clock: due 1 to 3 s from now.
    assert 1.0 <= first["next"] <= 3.0, first["next"]
    clock.now += first["next"] - 0.5
    later = client.get(f"/charts/api/updates?charts=sales,slow&since={first['since']}")
    assert later.json["next"] == pytest.approx(0.5, abs=0.01)
    clock.now += 0.51  # due: this poll rebuilds, and says when the next is
    due = client.get(f"/charts/api/updates?charts=sales,slow&since={first['since']}")
    assert 1.0 <= due.json["next"] <= 3.0
    assert "next" not in client.get("/charts/api/updates?charts=ticks").json
    charts.shutdown()
