"""Number cards: a builder's figure, checked, published as a chart (option
cache, API, feed patches, variables, embed, export)."""

from __future__ import annotations

import decimal
import fractions
import json
import re
import threading
import typing as t

import pytest
from flask import Flask

from flask_pyecharts import Charts
from flask_pyecharts.export import export_dashboard, export_url
from flask_pyecharts.reports.numbers import (
    MAX_TREND,
    NumberError,
    card_figures,
    number_card,
)
from flask_pyecharts.wire.patches import option_patch

from .conftest import Clock, LiveServer
from .sse_client import Event, read_events


@pytest.mark.parametrize(
    ("result", "figures"),
    [
        (12, (12, None, [])),
        (-3.5, (-3.5, None, [])),
        (decimal.Decimal("1234.50"), (1234.5, None, [])),
        (fractions.Fraction(1, 4), (0.25, None, [])),
        (2**53 - 1, (2**53 - 1, None, [])),
        ({"value": 5}, (5, None, [])),
        ({"value": 5, "previous": None, "trend": None}, (5, None, [])),
        (
            {"value": 5, "previous": 4.0, "trend": (1, decimal.Decimal("2"), 3.5)},
            (5, 4.0, [1, 2.0, 3.5]),
        ),
        ({"value": 1, "trend": iter(range(MAX_TREND))}, (1, None, list(range(1000)))),
    ],
)
def test_a_number_or_a_dict_of_figures_is_accepted(result, figures):
    assert card_figures(result, "sales") == figures


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (None, r"the value must be a number .* not None \(NoneType\)\. Return a"),
        ("12", r"the value must be a number .* not '12' \(str\)"),
        (True, r"not True \(bool\)"),
        (float("nan"), r"the value must be a finite number, not nan"),
        (float("inf"), r"finite number, not inf"),
        (decimal.Decimal("NaN"), r"finite number"),
        (2**53, r"the value 9007199254740992 .* beyond what a browser holds exactly"),
        (-(2**60), r"beyond what a browser holds exactly"),
        ({"previous": 1}, r"a dict without 'value'"),
        ({"value": 1, "prev": 2}, r"the key 'prev' \(str\); a card takes 'value'"),
        ({"value": 1, "previous": "x"}, r"previous must be a number"),
        ({"value": 1, "trend": "123"}, r"trend must be a list of numbers"),
        ({"value": 1, "trend": 5}, r"trend must be a list of numbers"),
        ({"value": 1, "trend": [1, None]}, r"trend\[1\] must be a number"),
        ({"value": 1, "trend": [1, float("nan")]}, r"trend\[1\] must be a finite"),
        ({"value": 1, "trend": [0] * (MAX_TREND + 1)}, r"more than 1000 numbers"),
    ],
)
def test_anything_else_fails_with_a_message_that_says_what_to_return(result, message):
    with pytest.raises(NumberError, match=message) as caught:
        card_figures(result, "sales")
    assert str(caught.value).startswith("Number card 'sales': ")


def test_an_endless_trend_is_read_no_further_than_the_bound():
    def endless() -> t.Iterator[int]:
        n = 0
        while True:
            n += 1
            yield n

    with pytest.raises(NumberError, match="more than 1000"):
        card_figures({"value": 1, "trend": endless()}, "sales")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"label": 5}, "label must be text of at most 200 characters"),
        ({"prefix": "¥" * 17}, "prefix must be text of at most 16"),
        ({"suffix": None}, "suffix must be text"),
        ({"digits": -1}, "digits .* from 0 to 6, not -1"),
        ({"digits": 7}, "from 0 to 6"),
        ({"digits": 1.0}, "from 0 to 6"),
        ({"digits": True}, "from 0 to 6"),
        ({"up": "blue"}, "up .* must be 'red', 'green' or None"),
    ],
)
def test_bad_settings_fail_where_the_decorator_is_written(settings, message):
    with pytest.raises(ValueError, match=message):
        number_card("sales", **settings)
    charts = Charts()
    with pytest.raises(ValueError, match=message):
        charts.number("sales", **settings)
    assert charts.registry.charts == {}


def test_registration_errors_are_those_of_charts():
    charts = Charts()
    with pytest.raises(ValueError, match="Invalid chart name"):
        charts.number("no spaces")
    with pytest.raises(ValueError, match="refresh must be a number"):
        charts.number("sales", refresh=0)
    charts.number("sales")(lambda: 1)
    with pytest.raises(ValueError, match="already registered"):
        charts.number("sales")(lambda: 2)
    with pytest.raises(ValueError, match="no variable of that name is declared"):
        charts.number("by_region")(lambda region: 1)
    with pytest.raises(TypeError, match="must be callable"):
        charts.number("other")(42)  # type: ignore[arg-type]


def card_app(clock: Clock) -> tuple[Flask, Charts, dict[str, t.Any]]:
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app, clock=clock)
    state: dict[str, t.Any] = {"value": 1234, "label": "x", "calls": []}
    charts.variable("region", choices=["全国", "华东"], default="全国", label="地区")

    @charts.number("sales", refresh=1, label="今日销售额", prefix="¥", digits=2)
    def sales() -> dict[str, t.Any]:
        return {"value": state["value"], "previous": 1000, "trend": [900, 1000]}

    @charts.number("orders", refresh=1, label="订单数", suffix=" 单", up="green")
    def orders(region: str, scale: int = 10) -> int:
        state["calls"].append((region, scale))
        return {"全国": 120, "华东": 45}[region] * scale

    @charts.number("bad", refresh=1)
    def bad() -> t.Any:
        return state["label"]

    @charts.chart("bars", refresh=1)
    def bars() -> dict[str, t.Any]:
        return {"series": [{"type": "bar", "data": [1]}]}

    charts.dashboard("/", ["sales", "orders", "bars"], title="概览")
    return app, charts, state


def test_the_card_option_is_a_plain_document_of_the_api():
    app, charts, _ = card_app(Clock())
    answer = app.test_client().get("/charts/api/charts/sales")
    assert answer.status_code == 200 and answer.headers["ETag"]
    body = answer.get_json()
    assert body["kind"] == "full" and body["refresh"] == 1.0
    assert body["option"] == {
        "card": {
            "type": "number",
            "label": "今日销售额",
            "prefix": "¥",
            "suffix": "",
            "digits": 2,
            "up": None,
        },
        "series": [
            {"name": "value", "data": [1234]},
            {"name": "previous", "data": [1000]},
            {"name": "trend", "data": [900, 1000]},
        ],
    }
    assert "fit_labels" not in body or body["fit_labels"] is False
    charts.shutdown()


def test_the_chart_list_and_the_openapi_description_say_how_each_is_shown():
    app, charts, _ = card_app(Clock())
    client = app.test_client()
    listed = {
        item["name"]: item for item in client.get("/charts/api/charts").json["charts"]
    }
    assert {name: item["display"] for name, item in listed.items()} == {
        "sales": "number",
        "orders": "number",
        "bad": "number",
        "bars": "chart",
    }
    assert listed["sales"]["title"] == "今日销售额"
    assert listed["orders"]["variables"] == ["region"]
    schema = client.get("/charts/api/openapi.json").json["components"]["schemas"]
    item = schema["ChartList"]["properties"]["charts"]["items"]
    assert item["properties"]["display"]["enum"] == ["chart", "number", "table"]
    assert "display" in item["required"]
    assert "card" in schema["ChartDocument"]["description"]
    charts.shutdown()


def test_a_bad_figure_is_a_503_for_that_card_only(caplog):
    app, charts, state = card_app(Clock())
    app.debug = True  # viewers see why (else only the log does)
    client = app.test_client()
    answer = client.get("/charts/api/charts/bad")
    assert answer.status_code == 503
    why = (
        "NumberError: Number card 'bad': the value must be a number (int, float or"
        " Decimal), not 'x' (str). Return a number, or"
        ' {"value": v, "previous": p, "trend": [...]}.'
    )
    assert answer.get_json()["error"].startswith(
        "Chart 'bad' could not be built: " + why
    )
    assert why.removeprefix("NumberError: ") in caplog.text
    assert client.get("/charts/api/charts/sales").status_code == 200
    charts.shutdown()


def test_variables_work_as_for_charts():
    app, charts, state = card_app(Clock())
    client = app.test_client()
    assert client.get("/charts/api/charts/orders").json["option"]["series"][0] == {
        "name": "value",
        "data": [1200],
    }
    east = client.get("/charts/api/charts/orders?region=华东").json
    assert east["option"]["series"][0]["data"] == [450]
    assert east["variables"] == {"region": "华东"}
    assert east["option"]["card"]["up"] == "green"
    assert state["calls"] == [("全国", 10), ("华东", 10)]  # a default keeps its value
    refused = client.get("/charts/api/charts/orders?region=火星")
    assert refused.status_code == 400 and "全国, 华东" in refused.get_json()["error"]
    charts.shutdown()


def test_a_rebuild_that_changes_only_the_value_sends_a_patch():
    """Viewers of the event stream get the new figure as a patch of the data."""
    clock = Clock()
    app, charts, state = card_app(clock)
    app.config.update(PYECHARTS_STREAM_TIMEOUT=60)
    client = app.test_client()
    first = client.get("/charts/api/charts/sales").get_json()
    server = LiveServer(app)
    url = f"{server.url}/charts/api/events?charts=sales&since={first['etag']}"
    opened = threading.Event()
    found: list[Event] = []

    def view() -> None:
        events, _ = read_events(url, until=lambda e: bool(e), opened=opened.set)
        found.extend(events)

    viewer = threading.Thread(target=view)
    try:
        viewer.start()
        assert opened.wait(10)
        state["value"] = 2345.5
        # the refresh (1 s) passes, and the next publication falls due
        clock.advance(1.5)
        client.get("/charts/api/charts/sales").close()  # rebuilds
        viewer.join(10)
        again = client.get("/charts/api/charts/sales").get_json()
    finally:
        server.stop()
        charts.shutdown()
    (event,) = found
    assert event.event == "option" and event.data["base"] == first["etag"]
    assert event.data["patch"] == {"series": [{"data": [2345.5]}, {}, {}]}
    assert "option" not in event.data
    assert again["etag"] == event.data["etag"] != first["etag"]
    assert option_patch(first["option"], again["option"]) == event.data["patch"]


def test_previous_and_trend_appearing_are_data_too():
    card = number_card("sales", prefix="¥")
    old = card.option(1, None, [])
    new = card.option(2, 1, [1, 2])
    assert option_patch(old, new) == {
        "series": [{"data": [2]}, {"data": [1]}, {"data": [1, 2]}]
    }
    other = number_card("sales", prefix="$").option(1, None, [])
    assert option_patch(old, other) is None  # a setting: the whole option


def test_embed_renders_the_card_live_with_a_card_height():
    app, charts, _ = card_app(Clock())
    with app.test_request_context("/?region=华东"):
        html = app.jinja_env.from_string(
            '{{ charts.embed("orders") }}{{ charts.embed("bars") }}'
        ).render()
    card, chart = html.split("</div>")[:2]
    assert 'data-chart="/charts/api/charts/orders"' in card
    assert 'data-fpe-variables="region"' in card
    assert "height:140px" in card and "height:400px" in chart
    assert 'data-fpe-display="number"' in card and "data-fpe-display" not in chart
    (payload,) = re.findall(r'class="fpe-initial">(.*?)</script>', card)
    assert json.loads(payload)["option"]["series"][0]["data"] == [450]
    charts.shutdown()


def test_an_exported_dashboard_carries_the_cards():
    app, charts, _ = card_app(Clock())
    exported = export_dashboard(app)
    assert exported.charts == ["sales", "orders", "bars"]
    payloads = re.findall(r'class="fpe-initial">(.*?)</script>', exported.html)
    first = json.loads(payloads[0])
    assert first["kind"] == "static"
    assert first["option"]["card"]["type"] == "number"
    assert first["option"]["series"][0]["data"] == [1234]
    charts.shutdown()


def test_the_cli_lists_cards_with_their_display():
    app, charts, _ = card_app(Clock())
    result = app.test_cli_runner().invoke(args=["pyecharts", "charts"])
    charts.shutdown()
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [
        "sales                    full    rebuilt every 1 s, display number",
        "orders                   full    rebuilt every 1 s, variables region,"
        " display number",
    ]
    assert lines[3] == "bars                     full    rebuilt every 1 s"


def test_an_export_of_a_running_server_carries_its_cards():
    """``export --url``: the cards come through the JSON API like charts."""
    app, charts, _ = card_app(Clock())
    server = LiveServer(app)
    try:
        exported = export_url(f"{server.url}/")
    finally:
        server.stop()
        charts.shutdown()
    assert exported.charts == ["sales", "orders", "bars"]
    # As on the page: a number card draws its own label, under no heading.
    assert "fpe-card--number" in exported.html and "<h2" not in exported.html
    payloads = re.findall(r'class="fpe-initial">(.*?)</script>', exported.html)
    assert json.loads(payloads[0])["option"]["card"]["label"] == "今日销售额"
    orders = json.loads(payloads[1])
    assert orders["option"]["card"]["suffix"] == " 单"
    assert orders["option"]["series"][0]["data"] == [1200]
