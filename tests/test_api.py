import concurrent.futures
import logging
import re
import threading
import time
import urllib.request

import orjson
import pytest
from flask import Flask
from pyecharts.charts import Bar

from flask_pyecharts import Charts

from .conftest import Clock, LiveServer, make_app, tutorial_bar


def test_list_charts(client):
    response = client.get("/charts/api/charts")
    assert response.status_code == 200
    charts = {item["name"]: item for item in response.json["charts"]}
    assert charts["sales"] == {
        "name": "sales",
        "kind": "full",
        "display": "chart",
        "refresh": 2.0,
        "window": None,
        "title": "Sales",
        "variables": [],
        "on_click": {},
    }
    assert response.json["variables"] == []
    assert charts["temperature"]["kind"] == "stream"
    assert charts["temperature"]["window"] == 5


def test_chart_document(client):
    response = client.get("/charts/api/charts/sales")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.json
    assert set(document) >= {"option", "functions", "cursor", "refresh", "window"}
    assert document["option"]["xAxis"][0]["data"][0] == "衬衫"
    assert document["cursor"] is None and document["refresh"] == 2.0
    assert response.headers["ETag"] == document["etag"]
    assert b"\n" not in response.data  # compact


def test_body_is_at_most_55_percent_of_the_classic_recipe(client):
    body = client.get("/charts/api/charts/sales").data
    assert len(body) <= 0.55 * len(tutorial_bar().dump_options_with_quotes().encode())


def test_if_none_match_answers_304_without_body(client):
    etag = client.get("/charts/api/charts/sales").headers["ETag"]
    response = client.get("/charts/api/charts/sales", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    other = client.get("/charts/api/charts/sales", headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200


def test_jscode_paths_are_listed(client):
    document = client.get("/charts/api/charts/formatted").json
    assert document["functions"] == [
        ["series", 0, "label", "formatter"],
        ["series", 1, "label", "formatter"],
    ]
    assert document["option"]["series"][0]["label"]["formatter"].startswith(
        "function (p)"
    )


def test_unknown_chart_is_404_json(client):
    response = client.get("/charts/api/charts/nope")
    assert response.status_code == 404
    assert response.json == {"error": "No chart named 'nope'."}


def test_unknown_route_under_prefix_is_json(client):
    response = client.get("/charts/api/nothing-here")
    assert response.status_code == 404
    assert "error" in response.json


def test_failing_builder_is_503_for_that_chart_only(client, caplog):
    with caplog.at_level(logging.ERROR, logger="flask_pyecharts"):
        response = client.get("/charts/api/charts/broken")
    assert response.status_code == 503
    assert "could not be built" in response.json["error"]
    assert any(record.exc_info for record in caplog.records)  # traceback logged
    assert client.get("/charts/api/charts/sales").status_code == 200


def test_builder_exception_text_reaches_no_viewer_outside_debug(app, client, caplog):
    """Viewers get an id; the log shows it with the traceback. The same
    message in the 503, the updates and the event stream."""
    assert not app.debug
    with caplog.at_level(logging.ERROR, logger="flask_pyecharts"):
        error = client.get("/charts/api/charts/broken").json["error"]
    found = re.fullmatch(
        r"Chart 'broken' could not be built \(error id (\w+)\)\.", error
    )
    assert found, error
    (record,) = [r for r in caplog.records if found[1] in r.getMessage()]
    assert record.exc_info and "database is down" in str(record.exc_info[1])
    updates = client.get("/charts/api/updates?charts=broken").json
    assert updates["updates"][0]["error"] == error
    events = client.get("/charts/api/events?charts=broken", buffered=False)
    frame = next(iter(events.response)).decode()
    events.close()
    assert "could not be built" in frame and "database is down" not in frame
    assert "database is down" not in str(updates)


def test_builder_exception_text_is_shown_in_debug_mode(app, client):
    app.debug = True
    error = client.get("/charts/api/charts/broken").json["error"]
    assert error == "Chart 'broken' could not be built: RuntimeError: database is down"


def test_failing_builder_answers_retry_after_its_refresh_interval(client):
    """Regression: a failing builder's card retried its 503 more than 8 times
    in 10 s; the answer says when the chart is built again."""
    app = Flask(__name__)
    charts = Charts(app)

    for name, refresh in [
        ("hourly", 3600.0),
        ("slow", 30.0),
        ("fast", 0.5),
        ("once", None),
    ]:

        @charts.chart(name, refresh=refresh)
        def failing() -> Bar:
            raise RuntimeError("source is down")

    answers = {
        name: app.test_client().get(f"/charts/api/charts/{name}")
        for name in ("hourly", "slow", "fast", "once")
    }
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(
        answers, 503
    )
    assert {name: a.headers["Retry-After"] for name, a in answers.items()} == {
        "hourly": "3600",
        "slow": "30",
        "fast": "1",
        "once": "5",
    }
    charts.shutdown()


def test_failing_builder_is_retried_after_the_interval():
    app = Flask(__name__)
    clock = Clock()
    charts = Charts(app, clock=clock)
    calls = []

    @charts.chart("flaky", refresh=0.2)
    def flaky() -> Bar:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first build fails")
        return tutorial_bar()

    client = app.test_client()
    assert client.get("/charts/api/charts/flaky").status_code == 503
    assert client.get("/charts/api/charts/flaky").status_code == 503
    clock.advance(0.1)  # within the interval: the failure is remembered
    assert client.get("/charts/api/charts/flaky").status_code == 503
    assert len(calls) == 1
    clock.advance(0.15)
    assert client.get("/charts/api/charts/flaky").status_code == 200
    charts.shutdown()


def test_refresh_rebuilds_after_the_interval():
    app = Flask(__name__)
    clock = Clock()
    charts = Charts(app, clock=clock)
    values = iter(range(100))

    @charts.chart("counter", refresh=0.2)
    def counter() -> dict:
        return {"series": [{"type": "bar", "data": [next(values)]}]}

    client = app.test_client()
    first = client.get("/charts/api/charts/counter").json["option"]
    assert client.get("/charts/api/charts/counter").json["option"] == first
    clock.advance(0.2)  # a whole interval, wherever the first build fell on the grid
    assert client.get("/charts/api/charts/counter").json["option"] != first
    charts.shutdown()


def test_coalescing_50_concurrent_requests_build_once():
    app = Flask(__name__)
    charts = Charts(app)
    builds = []
    started = threading.Event()

    @charts.chart("slow", refresh=60)
    def slow() -> Bar:
        builds.append(1)
        started.set()
        time.sleep(0.3)
        return tutorial_bar()

    server = LiveServer(app)
    url = f"{server.url}/charts/api/charts/slow"

    def fetch(_: int) -> bytes:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read()

    try:
        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            bodies = list(pool.map(fetch, range(50)))
    finally:
        server.stop()
        charts.shutdown()
    assert len(builds) == 1
    assert len(set(bodies)) == 1


def test_two_apps_side_by_side_keep_their_own_charts_and_config():
    first, first_charts = make_app()
    second = Flask("second")
    second.config["PYECHARTS_URL_PREFIX"] = "/viz"
    second_charts = Charts(second)

    @second_charts.chart("only-here")
    def only_here() -> dict:
        return {"series": []}

    assert first.test_client().get("/charts/api/charts/only-here").status_code == 404
    assert second.test_client().get("/viz/api/charts/only-here").status_code == 200
    assert second.test_client().get("/charts/api/charts").status_code == 404
    names = [
        c["name"] for c in second.test_client().get("/viz/api/charts").json["charts"]
    ]
    assert names == ["only-here"]
    first_charts.shutdown()
    second_charts.shutdown()


def test_app_factory_init_app():
    charts = Charts()

    @charts.chart("sales")
    def sales() -> Bar:
        return tutorial_bar()

    def create_app() -> Flask:
        app = Flask(__name__)
        charts.init_app(app)
        return app

    apps = [create_app(), create_app()]
    for app in apps:
        assert app.test_client().get("/charts/api/charts/sales").status_code == 200
    charts.shutdown()


def test_double_registration_is_refused(app, charts):
    with pytest.raises(RuntimeError, match="already been registered"):
        Charts(app)


@pytest.mark.parametrize(
    "name", ["", "a,b", "a/b", "../x", "x" * 65, "sp ace", "-lead", 5]
)
def test_unsafe_chart_names_are_refused(charts, name):
    with pytest.raises(ValueError, match="Invalid chart name"):
        charts.chart(name)


def test_duplicate_chart_name_is_refused(charts):
    with pytest.raises(ValueError, match="already registered"):
        charts.chart("sales")(lambda: {})


def test_static_runtime_and_echarts_are_served(client):
    with client.get("/charts/static/flask-pyecharts.js") as response:
        assert response.status_code == 200
    with client.get("/charts/static/echarts.min.js") as response:
        assert response.status_code == 200
        assert len(response.data) > 500_000
    assert client.get("/charts/static/nope.js").json == {
        "error": "No static file named 'nope.js'."
    }


def test_cors_is_off_by_default_and_allow_listed_by_config():
    app, charts = make_app(PYECHARTS_CORS_ORIGINS=["https://reports.example"])
    client = app.test_client()
    allowed = client.get(
        "/charts/api/charts", headers={"Origin": "https://reports.example"}
    )
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://reports.example"
    other = client.get("/charts/api/charts", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    charts.shutdown()


def test_responses_are_parseable_json(client):
    for path in [
        "/charts/api/charts",
        "/charts/api/charts/sales",
        "/charts/api/charts/broken",
    ]:
        orjson.loads(client.get(path).data)


def test_a_failure_shared_through_redis_keeps_its_error_id(redis_url):
    """Every worker of a deployment answers the same id, the one logged."""
    from flask_pyecharts.live.option_cache import BuildError, OptionCache
    from flask_pyecharts.streams.stores.redis import RedisStore

    store = RedisStore(redis_url, prefix=f"test-{time.monotonic_ns()}:")

    def failing() -> dict:
        raise RuntimeError("connection to db.internal:5432 refused")

    caches = [
        OptionCache("c", "c", failing, 10.0, shared=store),
        OptionCache("c", "c", lambda: {"series": []}, 10.0, shared=store),
    ]
    errors = []
    for cache in caches:
        with pytest.raises(BuildError) as raised:
            cache.get()
        errors.append(str(raised.value))
    store.close()
    assert errors[0] == errors[1]
    assert re.fullmatch(r"Chart 'c' could not be built \(error id \w+\)\.", errors[1])
