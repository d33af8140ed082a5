"""Variables: declarations, strict parsing on every route, one build per variant."""

from __future__ import annotations

import collections
import concurrent.futures
import datetime
import re
import threading
import time
import typing as t
import urllib.error
import urllib.parse
import urllib.request

import pytest
from flask import Flask, request
from pyecharts.charts import Line

from flask_pyecharts import Charts
from flask_pyecharts.live.limits import LimitReached, VariantBudget
from flask_pyecharts.registry import Topic
from flask_pyecharts.variables import misspelling_of

from .conftest import Clock, LiveServer, wait_until
from .sse_client import read_events

REGIONS = ["全国", "华东", "华北"]


def make_app(
    clock: Clock | None = None, **config: t.Any
) -> tuple[Flask, Charts, collections.Counter[str]]:
    """Variables region, days, day, top; charts using some, none, and a stream."""
    app = Flask(__name__)
    app.config.update(TESTING=True, **config)
    charts = Charts(app, clock=clock or time.monotonic)
    builds: collections.Counter[str] = collections.Counter()
    charts.variable("region", choices=REGIONS, default="全国", label="地区")
    charts.variable("days", type=int, choices=[7, 30, 90], default=30, label="近 N 天")
    charts.variable(
        "day", type=datetime.date, default=lambda: datetime.date(2024, 5, 1)
    )
    charts.variable("top", type=int, default=10, min=1, max=100, label="前 N 名")
    charts.variable("ratio", type=float, default=0.5, min=0, max=1)

    @charts.chart("by_category", refresh=10, on_click={"region": "name"})
    def by_category(region: str, days: int) -> dict:
        builds[f"by_category {region} {days}"] += 1
        return {"title": {"text": f"{region} {days}"}, "series": [{"type": "bar"}]}

    @charts.chart("daily", refresh=10)
    def daily(day: datetime.date, top: int, ratio: float) -> dict:
        assert isinstance(day, datetime.date) and isinstance(top, int)
        assert isinstance(ratio, float)
        builds[f"daily {day.isoformat()} {top} {ratio}"] += 1
        return {"title": {"text": f"{day} {top} {ratio}"}, "series": []}

    @charts.chart("plain", refresh=10)
    def plain() -> dict:
        builds["plain"] += 1
        return {"series": [{"type": "bar", "data": [1]}]}

    @charts.chart("ticks", window=10)
    def ticks() -> Line:
        return Line().add_xaxis([]).add_yaxis("t", [])

    return app, charts, builds


@pytest.fixture
def setup(clock: Clock) -> t.Iterator[tuple[Flask, Charts, collections.Counter[str]]]:
    app, charts, builds = make_app(clock)
    yield app, charts, builds
    charts.shutdown()


def get(app: Flask, path: str, **params: str) -> t.Any:
    query = urllib.parse.urlencode(params)
    return app.test_client().get(f"{path}?{query}" if query else path)


# -- declarations -------------------------------------------------------------


def declare(charts: Charts, source: str) -> None:
    exec(source, {"charts": charts, "datetime": datetime, "Line": Line})


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("charts.variable('charts', default='a')", "reserved"),
        ("charts.variable('since', default='a')", "reserved"),
        ("charts.variable('limit', type=int, default=1)", "reserved"),
        ("charts.variable('class', default='a')", "reserved"),
        ("charts.variable('a-b', default='a')", "Invalid variable name"),
        ("charts.variable('x', type=list, default=[])", "type must be"),
        ("charts.variable('x')", "needs a default"),
        ("charts.variable('x', type=int, default='7')", "is not a whole number"),
        ("charts.variable('x', type=int, default=True)", "is not a whole number"),
        ("charts.variable('x', choices=[])", "must not be empty"),
        ("charts.variable('x', choices='abc')", "a list of values"),
        ("charts.variable('x', type=int, choices=[1, 'b'])", "is not a whole number"),
        ("charts.variable('x', type=int, default=0, min=1)", "outside"),
        ("charts.variable('x', default='a', min='b')", "numbers and dates"),
        ("charts.variable('region', default='a')", "already declared"),
        (
            "charts.variable('d', type=datetime.date,"
            " default=datetime.datetime(2024, 1, 1))",
            "is not a date",
        ),
        (
            "charts.chart('c')(lambda city: {})",
            "no variable of that name is declared",
        ),
        ("charts.chart('c')(lambda **kw: {})", "takes **kw"),
        (
            "charts.chart('c', window=5)(lambda region: {})",
            "streams are the same for every viewer",
        ),
        ("charts.chart('c', on_click={'city': 'name'})", "declare it first"),
        ("charts.chart('c', on_click={'region': 'color'})", "on_click reads 'color'"),
        ("charts.chart('c', on_click='region')", "on_click must map"),
    ],
)
def test_bad_declarations_are_refused_with_the_fix(source, message):
    app = Flask(__name__)
    charts = Charts(app)
    charts.variable("region", choices=REGIONS, default="全国")
    with pytest.raises(ValueError, match=re.escape(message)):
        declare(charts, source)
    assert "c" not in charts.registry.charts
    charts.shutdown()


def test_a_builder_parameter_declared_later_is_refused_then_works_once_declared():
    app = Flask(__name__)
    charts = Charts(app)

    def by_city(city: str) -> dict:
        return {"title": {"text": city}}

    with pytest.raises(ValueError, match="declare variables before charts"):
        charts.chart("by_city")(by_city)
    charts.variable("city", choices=["上海", "北京"])
    charts.chart("by_city")(by_city)
    document = app.test_client().get("/charts/api/charts/by_city?city=北京").json
    assert document["option"]["title"]["text"] == "北京"
    assert document["variables"] == {"city": "北京"}
    charts.shutdown()


# -- requests ---------------------------------------------------------------

ROUTES = [
    "/charts/api/charts/by_category",
    "/charts/api/updates?charts=by_category,ticks",
    "/charts/api/events?charts=by_category,ticks",
    "/charts/api/charts/ticks/points",
]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("region=火星", "the allowed values are 全国, 华东, 华北"),
        ("region=华东&region=华北", "given 2 times"),
        ("days=31", "the allowed values are 7, 30, 90"),
        ("days=abc", "must be a whole number"),
        ("days=%2B7", "must be a whole number"),
        ("days=7.0", "must be a whole number"),
        ("days=1e1", "must be a whole number"),
        ("days=%EF%BC%97", "must be a whole number"),  # a full-width 7
        ("days=1_0", "must be a whole number"),
        ("days=%207", "must be a whole number"),
        ("top=0", "must be from 1 to 100"),
        ("top=101", "must be from 1 to 100"),
        ("top=99999999999999999999", "must be a whole number"),
        ("ratio=1.5", "must be from 0.0 to 1.0"),
        ("ratio=nan", "must be a number"),
        ("ratio=inf", "must be a number"),
        ("day=2024-02-30", "not a valid date"),
        ("day=20240501", "must be a date"),
        ("day=2024-5-1", "must be a date"),
        ("city=上海", "Unknown query parameter 'city': the variables are region"),
        (
            "regoin=华东",
            "Unknown query parameter 'regoin': did you mean 'region'? the variables",
        ),
        ("region=" + "x" * 201, "at most 200 characters"),
    ],
)
def test_values_not_allowed_answer_400_naming_the_allowed_ones(
    setup, route, query, message
):
    app, _, builds = setup
    separator = "&" if "?" in route else "?"
    response = app.test_client().get(route + separator + query)
    assert response.status_code == 400, response.data
    assert response.mimetype == "application/json"
    assert message in response.json["error"]
    assert not builds  # nothing was built for a refused request


def test_a_control_character_in_a_text_is_refused(setup):
    app, _, _ = setup
    response = get(app, "/charts/api/charts/by_category", region="华\x00东")
    assert response.status_code == 400
    assert "control characters" in response.json["error"]


def free_text_app() -> tuple[Flask, Charts, list[str]]:
    app = Flask(__name__)
    charts = Charts(app)
    charts.variable("q", default="全部")
    built: list[str] = []

    @charts.chart("search", refresh=10)
    def search(q: str) -> dict:
        built.append(q)
        return {"title": {"text": q}, "series": []}

    charts.dashboard("/", ["search"], title="搜索")
    return app, charts, built


@pytest.mark.parametrize("character", ["\x80", "\x85", "\x9f"])
@pytest.mark.parametrize(
    "route", ["/charts/api/charts/search", "/charts/api/updates?charts=search"]
)
def test_a_c1_control_character_in_a_text_is_refused(character, route):
    app, charts, built = free_text_app()
    separator = "&" if "?" in route else "?"
    query = urllib.parse.urlencode({"q": f"a{character}b"})
    response = app.test_client().get(route + separator + query)
    assert response.status_code == 400, response.data
    assert "control characters" in response.json["error"]
    assert not built
    charts.shutdown()


@pytest.mark.parametrize(
    "route",
    [
        "/charts/api/charts/search",
        "/charts/api/updates?charts=search",
        "/charts/api/events?charts=search",
    ],
)
def test_undecodable_bytes_in_a_query_are_400_not_the_percent_text(route):
    """Regression: ``?q=%ff`` was the same variant as ``?q=%25FF``."""
    app, charts, built = free_text_app()
    separator = "&" if "?" in route else "?"
    response = app.test_client().get(route + separator + "q=%ff")
    assert response.status_code == 400, response.data
    assert "'q' is not UTF-8" in response.json["error"]
    assert not built
    page = app.test_client().get("/?q=%ff").text
    assert "q is not UTF-8 text" in page  # the filter's wording: label, no quotes
    assert not built
    escaped = app.test_client().get("/charts/api/charts/search?q=%25FF")
    assert escaped.status_code == 200
    assert escaped.json["option"]["title"]["text"] == "%FF"
    charts.shutdown()


def test_an_overlong_query_string_is_414(setup):
    app, _, _ = setup
    response = get(app, "/charts/api/charts/plain", region="x" * 20_000)
    assert response.status_code == 414
    assert "longer than" in response.json["error"]


def test_the_document_says_which_values_it_was_built_for(setup):
    app, _, builds = setup
    document = get(app, "/charts/api/charts/by_category", region="华东", days="7").json
    assert document["variables"] == {"days": "7", "region": "华东"}
    assert document["on_click"] == {"region": "name"}
    assert document["option"]["title"]["text"] == "华东 7"
    defaults = get(app, "/charts/api/charts/daily").json
    assert defaults["variables"] == {"day": "2024-05-01", "ratio": "0.5", "top": "10"}
    assert builds == {"by_category 华东 7": 1, "daily 2024-05-01 10 0.5": 1}


def test_a_chart_ignores_the_variables_it_does_not_use(setup):
    app, _, builds = setup
    first = get(app, "/charts/api/charts/plain").json
    other = get(app, "/charts/api/charts/plain", region="华东", days="7").json
    assert first == other and "variables" not in first
    assert builds == {"plain": 1}


def test_one_value_has_one_spelling_and_one_build(setup):
    app, charts, builds = setup
    for days in ("7", "07", "007"):
        document = get(app, "/charts/api/charts/by_category", days=days).json
        assert document["variables"]["days"] == "7"
    for ratio in ("0.5", "0.50", "0.500"):
        get(app, "/charts/api/charts/daily", ratio=ratio)
    get(app, "/charts/api/charts/daily", ratio="1")  # an int spelling of a float
    assert builds["by_category 全国 7"] == 1
    assert builds["daily 2024-05-01 10 0.5"] == 1
    assert builds["daily 2024-05-01 10 1.0"] == 1
    assert set(charts.runtime(app).variants()) == {
        "by_category?days=7&region=全国",
        "daily?day=2024-05-01&ratio=0.5&top=10",
        "daily?day=2024-05-01&ratio=1.0&top=10",
    }


def test_updates_and_events_serve_each_chart_its_variant(setup):
    app, charts, _ = setup
    charts.append("ticks", [("a", 1)])
    client = app.test_client()
    body = client.get(
        "/charts/api/updates?charts=by_category,plain,ticks&region=华北&days=90"
    ).json
    by_chart = {update["chart"]: update for update in body["updates"]}
    assert by_chart["by_category"]["option"]["title"]["text"] == "华北 90"
    assert by_chart["plain"]["option"]["series"][0]["data"] == [1]
    assert by_chart["ticks"]["points"] == [[0, ["a", 1]]]
    server = LiveServer(app)
    try:
        query = "charts=by_category,ticks&days=7&region=" + urllib.parse.quote("华东")
        events, response = read_events(
            f"{server.url}/charts/api/events?{query}",
            until=lambda events: len(events) >= 2,
        )
    finally:
        server.stop()
    assert response.status == 200
    assert [event.data["chart"] for event in events] == ["by_category", "ticks"]
    assert events[0].data["option"]["title"]["text"] == "华东 7"


def due_of(charts: Charts, app: Flask, region: str) -> float:
    """When the by_category variant of ``region`` falls due (on the clock)."""
    runtime = charts.runtime(app)
    topic = runtime.topic(runtime.registry.chart("by_category"), {"region": region})
    due = runtime.cache(topic).next_due()
    assert due is not None
    return due


def test_variants_are_built_once_per_refresh_and_rebuilt_after_it(setup, clock):
    app, charts, builds = setup
    for _ in range(5):
        for region in REGIONS:
            get(app, "/charts/api/charts/by_category", region=region)
    assert builds == {f"by_category {region} 30": 1 for region in REGIONS}
    due = due_of(charts, app, "华东")
    assert clock.now + 5 <= due <= clock.now + 15  # refresh=10, on a shared grid
    clock.now = due - 0.01
    get(app, "/charts/api/charts/by_category", region="华东")
    assert builds["by_category 华东 30"] == 1
    clock.now = due
    get(app, "/charts/api/charts/by_category", region="华东")
    assert builds["by_category 华东 30"] == 2
    assert builds["by_category 华北 30"] == 1  # nobody asked for it again


def test_variants_are_bounded_least_recently_used_out_first(clock):
    app, charts, builds = make_app(clock, PYECHARTS_MAX_VARIANTS=3)
    runtime = charts.runtime(app)
    for top in ("1", "2", "3"):
        get(app, "/charts/api/charts/daily", top=top)
    get(app, "/charts/api/charts/daily", top="1")  # now the most recent
    get(app, "/charts/api/charts/daily", top="4")  # drops top=2
    assert [key.split("top=")[1] for key in runtime.variants()] == ["3", "1", "4"]
    get(app, "/charts/api/charts/plain")  # charts without variables do not count
    assert len(runtime.variants()) == 3
    get(app, "/charts/api/charts/daily", top="1")
    get(app, "/charts/api/charts/daily", top="2")
    assert builds["daily 2024-05-01 1 0.5"] == 1  # kept
    assert builds["daily 2024-05-01 2 0.5"] == 2  # dropped, so built again
    for top in range(10, 60):  # many variants polled once: the feed stays bounded
        app.test_client().get(f"/charts/api/updates?charts=daily&top={top}")
    assert len(runtime.variants()) == 3
    assert len(runtime.feed.topics()) <= 3
    charts.shutdown()


def test_new_variants_are_budgeted_per_client_address(clock):
    """A client spraying values of a free variable gets 429s, not builds."""
    app, charts, builds = make_app(clock, PYECHARTS_MAX_NEW_VARIANTS_PER_CLIENT=3)
    charts.dashboard("/daily", ["daily", "plain"], title="日报")
    for top in ("1", "2", "3"):
        assert get(app, "/charts/api/charts/daily", top=top).status_code == 200
    refused = get(app, "/charts/api/charts/daily", top="4")
    assert refused.status_code == 429
    assert refused.json["error"] == (
        "Too many new variable values from this address: at most 3 new chart"
        " variants a minute. Try again in 20 s."
    )
    assert refused.headers["Retry-After"] == "20"
    assert "daily 2024-05-01 4 0.5" not in builds  # refused before any build
    page = get(app, "/daily", top="4")
    assert page.status_code == 200  # plain inlined; daily's client asks (429)
    assert page.get_data(as_text=True).count('class="fpe-initial"') == 1
    # Variants already kept, and charts without variables, cost nothing.
    assert get(app, "/charts/api/charts/daily", top="2").status_code == 200
    assert get(app, "/charts/api/charts/plain").status_code == 200
    # Another address has its own budget.
    other = app.test_client().get(
        "/charts/api/charts/daily?top=4", environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 200
    # The budget refills evenly: one new variant every 20 s.
    clock.advance(19.9)
    assert get(app, "/charts/api/charts/daily", top="5").status_code == 429
    clock.advance(0.1)
    assert get(app, "/charts/api/charts/daily", top="5").status_code == 200
    # Updates and events charge for every new variant they name, or for none.
    clock.advance(40)  # two more
    two_new = "/charts/api/updates?charts=daily,by_category,plain&top=6&region=华北"
    assert app.test_client().get(two_new).status_code == 200
    assert app.test_client().get(two_new).status_code == 200  # now kept: free
    clock.advance(20)  # one more
    events = "/charts/api/events?charts=daily,by_category&top=7&region=华东"
    assert app.test_client().get(events).status_code == 429
    assert get(app, "/charts/api/updates", charts="daily", top="7").status_code == 200
    assert builds["daily 2024-05-01 7 0.5"] == 1
    assert builds["by_category 华东 30"] == 0
    charts.shutdown()


def test_the_new_variant_budget_forgets_the_least_recently_seen_addresses(clock):
    budget = VariantBudget(2, clock=clock, max_clients=3)
    for client in ("a", "b", "c"):
        budget.take(client, 2)
    budget.take("d")  # forgets a
    assert budget.clients() == 3
    budget.take("a", 2)  # a full budget again
    with pytest.raises(LimitReached) as refused:
        budget.take("d", 2)  # d keeps its count
    assert (refused.value.status, refused.value.retry_after) == (429, 30)
    budget.take("d", 1)
    budget.take("e", 50)  # more than a budget: a full one, so a page can load


def test_only_variants_someone_views_are_rebuilt_and_idle_ones_dropped(setup, clock):
    app, charts, builds = setup
    runtime = charts.runtime(app)
    spec = runtime.registry.chart("by_category")
    followed = runtime.topic(spec, {"region": "华东"})
    viewer = runtime.feed.watch([followed], [""], None)
    runtime.feed.catch_up(viewer)
    app.test_client().get("/charts/api/updates?charts=by_category&region=华北")
    assert builds == {"by_category 华东 30": 1, "by_category 华北 30": 1}

    start = clock.now
    # Both due: one followed, one polled a moment ago.
    clock.now = max(due_of(charts, app, "华东"), due_of(charts, app, "华北"))
    runtime.feed.poke()
    wait_until(lambda: builds["by_category 华北 30"] == 2)
    wait_until(lambda: builds["by_category 华东 30"] == 2)

    # The poller is gone for longer than the idle time; the viewer stays.
    clock.now = max(start + 31, due_of(charts, app, "华东"))
    runtime.feed.poke()
    wait_until(lambda: builds["by_category 华东 30"] == 3)
    wait_until(lambda: "by_category?days=30&region=华北" not in runtime.feed.topics())
    assert builds["by_category 华北 30"] == 2
    assert "by_category?days=30&region=华东" in runtime.feed.topics()
    runtime.feed.release(viewer)


def test_fifty_concurrent_requests_for_one_variant_run_one_build():
    app = Flask(__name__)
    charts = Charts(app)
    charts.variable("region", choices=REGIONS, default="全国")
    arrived = threading.Semaphore(0)
    builds: list[str] = []

    @app.before_request
    def count_arrival() -> None:
        if request.path.endswith("/slow"):
            arrived.release()

    @charts.chart("slow", refresh=60)
    def slow(region: str) -> dict:
        builds.append(region)
        for _ in range(50):  # the build lasts until every request has arrived
            assert arrived.acquire(timeout=5)
        return {"title": {"text": region}}

    server = LiveServer(app)

    def fetch(_: int) -> bytes:
        url = f"{server.url}/charts/api/charts/slow?region=%E5%8D%8E%E4%B8%9C"
        with urllib.request.urlopen(url, timeout=10) as response:
            return t.cast(bytes, response.read())

    try:
        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            bodies = list(pool.map(fetch, range(50)))
    finally:
        server.stop()
        charts.shutdown()
    assert builds == ["华东"]
    assert len(set(bodies)) == 1


# -- choices and defaults that are functions -------------------------------------


def test_choices_function_is_cached_briefly_and_its_failure_is_a_503(clock):
    app = Flask(__name__)
    charts = Charts(app, clock=clock)
    asked: list[int] = []
    provinces = ["广东", "浙江"]

    def choices() -> list[str]:
        asked.append(1)
        if provinces == ["boom"]:
            raise ConnectionError("database is down")
        return list(provinces)

    charts.variable("region", choices=choices, default="全国", label="地区")

    @charts.chart("map", refresh=10)
    def by_region(region: str) -> dict:
        return {"title": {"text": region}}

    client = app.test_client()
    for _ in range(5):
        assert client.get("/charts/api/charts/map?region=广东").status_code == 200
    assert client.get("/charts/api/charts/map").json["variables"] == {"region": "全国"}
    assert len(asked) == 1
    provinces.append("江苏")
    assert client.get("/charts/api/charts/map?region=江苏").status_code == 400
    clock.advance(10)
    assert client.get("/charts/api/charts/map?region=江苏").status_code == 200
    listed = client.get("/charts/api/charts").json["variables"][0]
    assert listed["choices"] == ["全国", "广东", "浙江", "江苏"]  # the default first
    provinces[:] = ["boom"]
    clock.advance(10)
    response = client.get("/charts/api/charts/map?region=广东")
    assert response.status_code == 503
    error = response.json["error"]
    assert error.startswith("Variable 'region': its choices could not be read")
    assert "(error id " in error and "database is down" not in error  # not debug
    app.debug = True
    error = client.get("/charts/api/charts/map?region=广东").json["error"]
    assert error.endswith("could not be read: ConnectionError: database is down")
    charts.shutdown()


def test_too_many_choices_is_a_clear_error(clock):
    app = Flask(__name__)
    charts = Charts(app, clock=clock)
    charts.variable("sku", choices=lambda: [str(n) for n in range(5000)])

    @charts.chart("c")
    def c(sku: str) -> dict:
        return {}

    response = app.test_client().get("/charts/api/charts/c")
    assert response.status_code == 503
    assert "5000 choices; at most 1000" in response.json["error"]
    charts.shutdown()


def test_a_default_function_is_asked_at_each_request(clock):
    app = Flask(__name__)
    charts = Charts(app, clock=clock)
    today = [datetime.date(2024, 5, 1)]
    charts.variable("day", type=datetime.date, default=lambda: today[0])

    @charts.chart("daily", refresh=60)
    def daily(day: datetime.date) -> dict:
        return {"title": {"text": day.isoformat()}}

    client = app.test_client()
    assert client.get("/charts/api/charts/daily").json["variables"]["day"] == (
        "2024-05-01"
    )
    today[0] = datetime.date(2024, 5, 2)
    document = client.get("/charts/api/charts/daily").json
    assert document["option"]["title"]["text"] == "2024-05-02"
    charts.shutdown()


# -- listings ---------------------------------------------------------------


def test_the_chart_list_names_the_variables_and_who_uses_them(setup):
    app, _, _ = setup
    body = app.test_client().get("/charts/api/charts").json
    charts = {item["name"]: item for item in body["charts"]}
    assert charts["by_category"]["variables"] == ["region", "days"]
    assert charts["by_category"]["on_click"] == {"region": "name"}
    assert charts["ticks"]["variables"] == []
    variables = {item["name"]: item for item in body["variables"]}
    assert variables["region"] == {
        "name": "region",
        "type": "str",
        "label": "地区",
        "choices": REGIONS,
        "default": "全国",
        "min": None,
        "max": None,
    }
    assert variables["days"]["choices"] == ["7", "30", "90"]
    assert variables["day"]["type"] == "date" and variables["day"]["choices"] is None
    assert variables["top"]["min"] == "1" and variables["top"]["max"] == "100"


def test_variables_of_charts_the_viewer_may_not_see_are_not_listed(setup):
    app, charts, _ = setup
    charts.access(lambda name: name != "daily")
    body = app.test_client().get("/charts/api/charts").json
    assert [item["name"] for item in body["variables"]] == ["region", "days"]


@pytest.mark.parametrize("query", ["top=0", "top=5", "day=2024-02-30", "ratio=2"])
def test_variables_of_charts_the_viewer_may_not_see_are_unknown_in_400s(setup, query):
    """Regression: a variable used only by refused charts leaked its name and
    its allowed values in 400 messages, though /api/charts hides it."""
    app, charts, _ = setup
    charts.access(lambda name: name != "daily")  # the only chart using them
    name = query.split("=")[0]
    for route in ["/charts/api/charts/plain", "/charts/api/updates?charts=plain"]:
        separator = "&" if "?" in route else "?"
        response = app.test_client().get(route + separator + query)
        assert response.status_code == 400
        error = response.json["error"]
        assert error.startswith(f"Unknown query parameter {name!r}")
        assert "top" not in error.split(":", 1)[1] and "100" not in error
        assert "the variables are region, days" in error


def test_the_openapi_document_lists_the_variables_on_routes_that_name_charts(setup):
    app, _, _ = setup
    document = app.test_client().get("/charts/api/openapi.json").json
    for path in ("/charts/{name}", "/charts/{name}/points", "/updates", "/events"):
        parameters = document["paths"]["/charts/api" + path]["get"]["parameters"]
        by_name = {parameter["name"]: parameter for parameter in parameters}
        assert by_name["region"]["schema"]["enum"] == REGIONS
        assert by_name["top"]["schema"]["minimum"] == 1
        assert by_name["day"]["schema"]["format"] == "date"
    listing = document["paths"]["/charts/api/charts"]["get"]
    assert "parameters" not in listing


def test_topic_keys_escape_what_would_make_them_ambiguous():
    assert Topic("c", (("a", "x&b=y"),)).key == "c?a=x%26b%3Dy"
    assert Topic("c", (("a", "华东 %"),)).key == "c?a=华东%20%25"
    assert Topic("c").key == "c"


# -- pages ------------------------------------------------------------------


def test_embed_and_dashboard_render_the_variant_of_the_page_url(setup):
    app, charts, builds = setup
    charts.dashboard("/", ["by_category", "plain", "ticks"], title="看板")
    with app.test_request_context("/?region=华东&days=7&utm_source=mail"):
        html = str(charts.embed("by_category"))
        tags = str(charts.scripts())
    assert 'data-fpe-variables="region,days"' in html
    assert "华东 7" in html
    assert 'class="fpe-variables"' in tags and "近 N 天" in tags
    page = app.test_client().get("/?region=华北&days=90").get_data(as_text=True)
    assert "华北 90" in page
    assert '<option value="华北" selected>华北</option>' in page
    assert '<option value="90" selected>90</option>' in page
    assert 'class="fpe-filter fpe-filter--drill"' in page  # region is set by clicks
    assert "data-fpe-breadcrumb" in page
    assert builds["by_category 华北 90"] == 1


def test_a_page_url_with_a_value_not_allowed_shows_why_and_inlines_nothing(setup):
    app, charts, _ = setup
    charts.dashboard("/", ["by_category", "plain"], title="看板")
    page = app.test_client().get("/?region=火星")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "fpe-filter--invalid" in text
    assert "&#34;火星&#34; is not an allowed 地区 (全国, 华东, 华北)" in text
    card = text.split('data-chart="/charts/api/charts/by_category"')[1].split("</div>")
    assert "fpe-initial" not in card[0]  # the client asks, and shows the 400
    assert text.count('class="fpe-initial"') == 1  # plain is still inlined
    with app.test_request_context("/?region=火星"):
        assert "fpe-initial" not in str(charts.embed("by_category"))


@pytest.mark.parametrize(
    ("name", "variable"),
    [
        ("regoin", "region"),  # two neighbours swapped: one edit
        ("reigon", "region"),
        ("Region", "region"),  # case is ignored
        ("rgion", "region"),
        ("regions", "region"),
        ("regn", "region"),  # two edits on a longer name
        ("day", "days"),
        ("dasy", "days"),
        ("region", None),  # the variable itself
        ("regi", "region"),
        ("rgn", None),  # three edits
        ("date", None),  # two edits on a short name: a page's own
        ("ids", None),
        ("utm_source", None),
        ("ref", None),
        ("da", None),  # under three letters
        ("x" * 10_000, None),
    ],
)
def test_a_misspelt_variable_is_close_to_a_declared_name(name, variable):
    assert misspelling_of(name, ["region", "days"]) == variable


def test_the_closest_variable_is_named_the_first_on_a_tie():
    assert misspelling_of("days", ["dates", "day"]) == "day"  # one edit, not two
    assert misspelling_of("tap", ["top", "tag"]) == "top"
    assert misspelling_of("ab", ["abc"]) is None


def test_a_dashboard_names_misspelt_variables_and_keeps_other_parameters(setup):
    app, charts, _ = setup
    charts.dashboard("/", ["by_category", "plain"], title="看板")
    client = app.test_client()
    text = client.get("/?regoin=华北&Days=7&utm_source=mail").get_data(as_text=True)
    notice = text.split("data-fpe-filter-notice")[1].split("</p>")[0]
    assert notice.endswith(
        "Unknown variable &#34;regoin&#34;: did you mean &#34;region&#34;?"
        " Unknown variable &#34;Days&#34;: did you mean &#34;days&#34;?"
        " The variables are region, days."
    )
    assert """data-fpe-misspelt='["regoin", "Days"]'""" in text
    assert "全国 30" in text  # the defaults: a misspelt variable sets nothing
    for url in ("/?utm_source=mail&date=2024-05-01", "/?dya=2024-05-02"):
        text = client.get(url).get_data(as_text=True)  # day is not on this page
        assert "data-fpe-misspelt" not in text
        assert '<p class="fpe-filter-notice" data-fpe-filter-notice' in text
        assert 'aria-live="polite"></p>' in text  # empty: hidden


def test_a_screen_marks_misspelt_variables_for_the_client(setup):
    app, charts, _ = setup
    charts.screen("/wall", layout="by_category plain", title="大屏")
    client = app.test_client()
    text = client.get("/wall?regoin=华北&utm_source=mail").get_data(as_text=True)
    assert """data-fpe-misspelt='["regoin"]'""" in text
    assert "data-fpe-misspelt" not in client.get("/wall?ref=1").get_data(as_text=True)


def test_dashboard_number_and_date_filters(setup):
    app, charts, _ = setup
    charts.dashboard("/daily", ["daily"], title="日报")
    page = app.test_client().get("/daily?top=5").get_data(as_text=True)
    assert (
        'type="number" step="1"' in page and 'min="1"' in page and 'value="5"' in page
    )
    assert 'type="date"' in page and 'value="2024-05-01"' in page
    assert 'step="any"' in page  # the float


def test_the_event_stream_refuses_bad_variables_before_taking_a_slot(setup):
    app, charts, _ = setup
    client = app.test_client()
    for _ in range(40):  # more than the per-client cap of 32
        response = client.get("/charts/api/events?charts=by_category&region=火星")
        assert response.status_code == 400
    assert charts.runtime(app).stream_slots.count() == 0


def test_urlopen_of_a_refused_value_is_a_json_400(setup):
    app, _, _ = setup
    server = LiveServer(app)
    url = f"{server.url}/charts/api/charts/by_category?days=5"
    try:
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(url, timeout=5)
    finally:
        server.stop()
    assert caught.value.code == 400
    assert b"the allowed values are 7, 30, 90" in caught.value.read()


def test_a_parameter_with_a_default_that_names_no_variable_keeps_its_value():
    """Regression: the loop idiom ``lambda j=j: ...`` was refused as a variable."""
    app = Flask(__name__)
    charts = Charts(app)
    charts.variable("region", choices=REGIONS, default="全国")
    for j in range(2):
        charts.chart(f"c{j}")(
            lambda j=j, region="": {"series": [{"type": "bar", "data": [j]}]}
        )
    client = app.test_client()
    assert charts.registry.charts["c1"].variables == ("region",)
    assert client.get("/charts/api/charts/c1").json["option"]["series"][0]["data"] == [
        1
    ]
    charts.shutdown()


def test_a_parent_of_a_visible_charts_variable_stays_known_under_access():
    app = Flask(__name__)
    charts = Charts(app)
    charts.variable("region", choices=["全国", "广东"], default="全国")
    cities = {"全国": ["全部"], "广东": ["全部", "广州市"]}
    charts.variable("city", parent="region", choices=cities, default="全部")
    charts.variable("tenant", choices=["a", "b"], default="a")

    @charts.chart("by_city", refresh=10)
    def by_city(city: str) -> dict:
        return {"title": {"text": city}, "series": []}

    @charts.chart("secret", refresh=10)
    def secret(tenant: str) -> dict:
        return {"series": []}

    charts.access(lambda name: name != "secret")
    client = app.test_client()
    answer = client.get("/charts/api/charts/by_city?region=广东&city=广州市")
    assert answer.status_code == 200, answer.json
    assert answer.json["option"]["title"]["text"] == "广州市"
    refused = client.get("/charts/api/charts/by_city?tenant=a")
    assert refused.status_code == 400
    assert refused.json["error"].startswith("Unknown query parameter 'tenant'")
    charts.shutdown()
