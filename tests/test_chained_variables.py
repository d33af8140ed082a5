"""Variables that depend on another one (drill-down 全国 › 广东 › 广州市): a
child's choices are asked for its parent's value, checked against it on every
route, in pages and exports, and its default follows the parent."""

from __future__ import annotations

import collections
import typing as t

import pytest
from flask import Flask

from flask_pyecharts import Charts
from flask_pyecharts.export.app import ExportError, _variables

from .conftest import Clock

CITIES = {"广东": ["广州市", "深圳市"], "浙江": ["杭州市", "宁波市"], "全国": []}


def make_app(clock: Clock) -> tuple[Flask, Charts, collections.Counter[str]]:
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app, clock=clock)
    asked: collections.Counter[str] = collections.Counter()
    charts.variable("region", choices=["全国", "广东", "浙江"], label="地区")

    def cities(region: str) -> list[str]:
        asked[region] += 1
        return ["全部", *CITIES[region]]

    charts.variable("city", parent="region", choices=cities, label="城市")

    @charts.chart("by_city", refresh=10, on_click={"region": "name", "city": "name"})
    def by_city(region: str, city: str) -> dict:
        return {"title": {"text": f"{region} {city}"}, "series": []}

    charts.dashboard("/", ["by_city"], title="销售")
    app.extensions["asked"] = asked
    return app, charts, asked


@pytest.fixture
def setup(clock: Clock) -> t.Iterator[tuple[Flask, Charts, collections.Counter[str]]]:
    app, charts, asked = make_app(clock)
    yield app, charts, asked
    charts.shutdown()


def title(response: t.Any) -> str:
    assert response.status_code == 200, response.get_json()
    return response.get_json()["option"]["title"]["text"]


def test_a_child_takes_the_values_its_parent_allows(setup):
    app, _, _ = setup
    client = app.test_client()
    assert title(client.get("/charts/api/charts/by_city?region=广东&city=广州市")) == (
        "广东 广州市"
    )
    # the order of the query does not matter: the parent is read first
    assert title(client.get("/charts/api/charts/by_city?city=杭州市&region=浙江")) == (
        "浙江 杭州市"
    )
    # the default is the first choice for the parent's value
    assert title(client.get("/charts/api/charts/by_city?region=广东")) == "广东 全部"


@pytest.mark.parametrize(
    "query",
    ["region=浙江&city=广州市", "city=广州市"],  # the parent's default: 全国
)
def test_a_child_the_parent_does_not_allow_answers_400_naming_the_allowed(setup, query):
    app, _, _ = setup
    response = app.test_client().get(f"/charts/api/charts/by_city?{query}")
    assert response.status_code == 400
    region = "浙江" if "浙江" in query else "全国"
    allowed = ", ".join(["全部", *CITIES[region]])
    assert response.get_json()["error"] == (
        f"Variable 'city' cannot be '广州市' when 地区 is {region}: the allowed"
        f" values are {allowed}."
    )


def test_the_listing_gives_the_childs_choices_for_the_parent_asked(setup):
    app, _, _ = setup
    listed = app.test_client().get("/charts/api/charts?region=广东").get_json()
    city = {v["name"]: v for v in listed["variables"]}["city"]
    assert city["parent"] == "region"
    assert city["choices"] == ["全部", "广州市", "深圳市"]
    assert city["default"] == "全部"
    listed = app.test_client().get("/charts/api/charts").get_json()
    assert {v["name"]: v for v in listed["variables"]}["city"]["choices"] == ["全部"]


def test_choices_are_asked_once_per_parent_value_while_fresh(setup, clock):
    app, _, asked = setup
    client = app.test_client()
    for _ in range(3):
        client.get("/charts/api/charts/by_city?region=广东&city=深圳市")
        client.get("/charts/api/charts/by_city?region=浙江")
    assert asked == {"广东": 1, "浙江": 1}
    clock.now += 11  # kept 10 s
    client.get("/charts/api/charts/by_city?region=广东")
    assert asked["广东"] == 2


def test_the_dashboard_offers_the_cities_of_the_region_of_its_url(setup):
    app, _, _ = setup
    page = app.test_client().get("/?region=广东&city=深圳市").get_data(as_text=True)
    assert '<option value="深圳市" selected>深圳市</option>' in page
    assert "杭州市" not in page
    assert '"parent":"region"' in page  # the client knows to reset it


def test_exports_check_the_child_against_the_parent(setup):
    app, charts, _ = setup
    runtime = charts.runtime(app)
    with app.app_context():
        assert _variables(runtime, {"city": "广州市", "region": "广东"}) == {
            "region": "广东",
            "city": "广州市",
        }
        with pytest.raises(ExportError, match="when 地区 is 全国"):
            _variables(runtime, {"city": "广州市"})


def test_values_give_the_childs_default_for_the_parent_of_the_url(setup):
    app, charts, _ = setup
    with app.test_request_context("/?region=浙江"):
        assert charts.values() == {"region": "浙江", "city": "全部"}


def test_a_dict_of_choices_by_parent_value_works(clock):
    app = Flask(__name__)
    charts = Charts(app, clock=clock)
    charts.variable("region", choices=["广东", "浙江"])
    charts.variable("city", parent="region", choices=CITIES)
    assert (
        app.test_client().get("/charts/api/charts?region=浙江").get_json()["variables"]
        == []
    )  # no chart uses them
    spec = charts.registry.variables["city"]
    assert spec.allowed("浙江") == ("杭州市", "宁波市")
    assert spec.default_text("广东") == "广州市"
    charts.shutdown()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"parent": "province", "choices": lambda p: []}, "its parent 'province' is"),
        ({"parent": "region", "choices": ["广州市"]}, "pass a function of region"),
    ],
)
def test_a_bad_parent_fails_where_it_is_declared(clock, kwargs, message):
    charts = Charts(clock=clock)
    charts.variable("region", choices=["广东"])
    with pytest.raises(ValueError, match=message):
        charts.variable("city", **kwargs)
