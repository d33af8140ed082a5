"""Bad input, access control, caps and faults."""

from __future__ import annotations

import http.client
import threading
import time

import pytest
from flask import Flask

from flask_pyecharts import Charts

from .conftest import Clock, LiveServer, make_app, tutorial_bar, wait_until
from .conftest_redis import RedisServer
from .sse_client import read_events

#: How long a test waits for what must come (only a failing test waits it out).
PATIENCE = 10.0


class Stream:
    """An open event-stream request; ``close()`` hangs up."""

    def __init__(self, server: LiveServer, query: str) -> None:
        host, port = server.url.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=5)
        self.connection.request("GET", f"/charts/api/events?{query}")
        self.response = self.connection.getresponse()
        self.status = self.response.status
        if self.status == 200:
            self.response.readline()  # the stream started
        else:
            self.response.read()

    def close(self) -> None:
        self.response.close()
        self.connection.close()


def test_event_streams_are_capped_per_client_and_overall():
    app, charts = make_app(PYECHARTS_MAX_STREAMS_PER_CLIENT=2, PYECHARTS_MAX_STREAMS=3)
    server = LiveServer(app)
    runtime = charts.runtime(app)
    try:
        streams = [Stream(server, "charts=temperature") for _ in range(2)]
        assert [stream.status for stream in streams] == [200, 200]
        streams.append(Stream(server, "charts=temperature"))
        assert streams[-1].status == 429
        assert streams[-1].response.getheader("Content-Type") == "application/json"
        runtime.stream_slots.per_client = 10
        streams.append(Stream(server, "charts=temperature"))
        assert streams[-1].status == 200
        streams.append(Stream(server, "charts=temperature"))
        assert streams[-1].status == 503
        for stream in streams:
            stream.close()
    finally:
        server.stop()
        charts.shutdown()


def test_client_disconnect_mid_stream_frees_its_slot():
    app, charts = make_app(PYECHARTS_HEARTBEAT=0.05)
    server = LiveServer(app)
    runtime = charts.runtime(app)
    try:
        stream = Stream(server, "charts=temperature")
        assert stream.status == 200 and runtime.stream_slots.count() == 1
        stream.close()

        def freed() -> bool:
            charts.append("temperature", ("x", 1))  # writes reveal the closed socket
            return runtime.stream_slots.count() == 0

        wait_until(freed, message="the slot of the closed stream was not freed")
    finally:
        server.stop()
        charts.shutdown()


def test_shutdown_ends_open_streams_cleanly():
    app, charts = make_app()
    server = LiveServer(app)
    result = {}
    opened = threading.Event()

    def listen() -> None:
        events, _ = read_events(
            f"{server.url}/charts/api/events?charts=temperature", opened=opened.set
        )
        result["events"] = events

    listener = threading.Thread(target=listen)
    listener.start()
    assert opened.wait(PATIENCE)
    charts.shutdown()
    listener.join(PATIENCE)
    server.stop()
    assert not listener.is_alive()
    assert [event.event for event in result["events"]] == ["reset"]


def test_hung_builder_times_out_and_others_stay_live():
    app = Flask(__name__)
    app.config["PYECHARTS_BUILD_TIMEOUT"] = 0.2
    clock = Clock()
    charts = Charts(app, clock=clock)
    release = threading.Event()
    calls = []

    @charts.chart("hangs", refresh=0.1)
    def hangs() -> dict:
        calls.append(1)
        release.wait(60)  # hangs far longer than any wait of the test
        return {"series": []}

    charts.chart("fine", refresh=0.1)(tutorial_bar)
    client = app.test_client()
    started = time.monotonic()
    response = client.get("/charts/api/charts/hangs")
    assert response.status_code == 503
    assert "timed out" in response.json["error"]
    assert time.monotonic() - started < PATIENCE  # the time limit, not the hang
    clock.advance(0.15)  # the failure's interval is over: the next GET retries
    assert client.get("/charts/api/charts/hangs").status_code == 503
    assert len(calls) == 1  # a hung builder is not started twice
    assert client.get("/charts/api/charts/fine").status_code == 200
    release.set()
    charts.shutdown()


def test_a_refused_chart_answers_exactly_as_an_unknown_one():
    """Regression: a 403 told anyone which names exist, and listings showed them."""
    app, charts = make_app()
    charts.dashboard("/secret", ["sales", "temperature"], title="Secret")
    charts.dashboard("/open", ["temperature"], title="Open")
    charts.access(lambda name: name != "sales")
    client = app.test_client()
    refused = client.get("/charts/api/charts/sales")
    unknown = client.get("/charts/api/charts/nosuch")
    assert refused.status_code == unknown.status_code == 404
    assert refused.json == {"error": "No chart named 'sales'."}
    assert unknown.json == {"error": "No chart named 'nosuch'."}
    names = [item["name"] for item in client.get("/charts/api/charts").json["charts"]]
    assert "sales" not in names and "temperature" in names
    assert client.get("/charts/api/charts/temperature").status_code == 200
    assert client.get("/charts/api/updates?charts=temperature,sales").status_code == 404
    assert client.get("/charts/api/events?charts=sales").status_code == 404
    assert client.get("/charts/api/charts/sales/points").status_code == 404
    assert client.get("/secret").status_code == 404
    assert client.get("/open").status_code == 200
    with app.test_request_context():
        assert str(charts.embed("sales")) == ""
    from flask_pyecharts.export import export_dashboard

    exported = export_dashboard(app, "/secret")
    assert exported.charts == ["temperature"]
    assert "某商场销售情况" not in exported.html  # the sales chart's title
    charts.shutdown()


@pytest.mark.parametrize(
    "path",
    [
        "/charts/api/charts/%ff%fe",
        "/charts/api/charts/temperature/points?since=%ff%fe",
        "/charts/api/updates?charts=%ff&since=%fe",
        "/charts/api/events?charts=temperature&since=" + "a" * 9000,
    ],
)
def test_non_utf8_and_oversized_input_is_a_clear_4xx(client, path):
    response = client.get(path)
    assert 400 <= response.status_code < 500
    assert response.json["error"]


def test_future_cursor_resets(client, charts):
    charts.append("temperature", ("a", 1))
    cursor = client.get("/charts/api/charts/temperature").json["cursor"]
    epoch = cursor.split(".")[0]
    page = client.get(
        f"/charts/api/charts/temperature/points?since={epoch}.999999"
    ).json
    assert page["reset"] is True and page["points"] == [[0, ["a", 1]]]


def test_builder_returning_something_unserializable_is_null_as_in_pyecharts(client):
    app = Flask(__name__)
    charts = Charts(app)

    @charts.chart("odd")
    def odd() -> dict:
        return {"series": [{"data": [object()]}]}

    @charts.chart("huge")
    def huge() -> dict:
        return {"series": [{"data": [2**70]}]}

    response = app.test_client().get("/charts/api/charts/odd")
    assert response.status_code == 200
    assert response.json["option"]["series"][0]["data"] == [None]
    app.debug = True  # viewers see why (outside debug mode: an error id)
    response = app.test_client().get("/charts/api/charts/huge")
    assert "'huge'" in response.json["error"] and "64 bits" in response.json["error"]
    charts.shutdown()


def test_redis_restart_during_streaming_resets_and_never_skips():
    server = RedisServer()
    server.start()
    app = Flask(__name__)
    app.config.update(PYECHARTS_STORE=server.url, PYECHARTS_STREAM_TIMEOUT=0.5)
    charts = Charts(app)

    @charts.chart("ticks", window=1000)
    def ticks() -> dict:
        return {"series": [{"type": "line"}]}

    live = LiveServer(app)
    stop = threading.Event()
    appended: list[int] = []

    def produce() -> None:
        value = 0
        while not stop.is_set():
            try:
                charts.append("ticks", value)
                appended.append(value)
                value += 1
            except Exception:
                pass  # Redis is restarting
            time.sleep(0.01)

    producer = threading.Thread(target=produce)
    producer.start()
    runs: list[list[int]] = [[]]  # the values seen since the last reset
    last_id = None
    url = f"{live.url}/charts/api/events?charts=ticks"
    restarted_in: int | None = None  # the run that was current at the restart
    try:
        # Stream until 20 values arrived, restart Redis, stream until 20 values
        # arrived after the restart's reset; the deadline is only for failures.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if restarted_in is None and len(runs[-1]) >= 20:
                server.restart()
                restarted_in = len(runs) - 1
            elif restarted_in is not None and len(runs) > restarted_in + 1:
                if len(runs[-1]) >= 20:
                    break
            try:
                events, _ = read_events(url, last_event_id=last_id, timeout=3)
            except OSError:
                continue
            for event in events:
                if event.event == "reset":
                    runs.append([])
                runs[-1].extend(value for _, value in event.data["points"])
                last_id = event.id
    finally:
        stop.set()
        producer.join()
        live.stop()
        charts.shutdown()
        server.stop()
    assert restarted_in is not None, "the stream never carried 20 values"
    assert len(runs) >= 3  # the first connection's reset, then the restart's
    for run in runs:  # between resets: no gap, no duplicate
        assert run == list(range(run[0], run[0] + len(run))) if run else True
    assert runs[-1], "nothing arrived after the restart"
