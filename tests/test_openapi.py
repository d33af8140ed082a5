"""schemathesis against our own OpenAPI document: no 5xx, every error is JSON."""

from __future__ import annotations

import datetime

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from pyecharts.charts import Line
from schemathesis.specs.openapi.checks import positive_data_acceptance

from flask_pyecharts import Charts

from .conftest import tutorial_bar


def fuzzed_app() -> Flask:
    app = Flask(__name__)
    app.config.update(PYECHARTS_STREAM_TIMEOUT=0.05, PYECHARTS_HEARTBEAT=0.02)
    charts = Charts(app)
    charts.variable("region", choices=["全国", "华东"], default="全国")
    charts.variable("top", type=int, default=5, min=1, max=50)
    charts.variable("day", type=datetime.date, default=datetime.date(2024, 5, 1))
    charts.chart("sales", refresh=1.0)(tutorial_bar)

    @charts.chart("regional", refresh=1.0, on_click={"region": "name"})
    def regional(region: str, top: int, day: datetime.date) -> dict:
        return {"title": {"text": f"{region} {top} {day}"}, "series": []}

    @charts.chart("temperature", window=50)
    def temperature() -> Line:
        return Line().add_xaxis([]).add_yaxis("t", [])

    charts.append("temperature", [("a", 1), ("b", 2)])
    charts.dashboard("/", ["sales", "regional"], title="销售", description="今天")
    charts.site("/home", title="零售")
    charts.playlist("/tv", ["/"], every=5)
    return app


app = fuzzed_app()
schema = schemathesis.openapi.from_wsgi("/charts/api/openapi.json", app)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_errors_are_json(case):
    # Cross-parameter rules ('since' aligned with 'charts') are not expressible
    # in OpenAPI, so schema-valid requests may rightly get a 400.
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    if response.status_code >= 400:
        headers = {key.lower(): value for key, value in response.headers.items()}
        assert headers["content-type"][0].startswith("application/json")
        assert isinstance(response.json()["error"], str)


def test_openapi_lists_every_route():
    document = app.test_client().get("/charts/api/openapi.json").json
    assert set(document["paths"]) == {
        "/charts/api/charts",
        "/charts/api/charts/{name}",
        "/charts/api/charts/{name}/points",
        "/charts/api/updates",
        "/charts/api/events",
        "/charts/api/reports",
        "/charts/api/stats",
        "/charts/api/openapi.json",
    }
