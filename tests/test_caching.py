"""Answers of /api/updates that a shared cache (nginx) may keep, and those it
must not: the headers, on the app's test client."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from pyecharts.charts import Line

from flask_pyecharts import Charts
from flask_pyecharts.web.caching import shared_headers

from .conftest import Clock, tutorial_bar


@pytest.fixture
def app(clock: Clock) -> t.Iterator[Flask]:
    app = Flask(__name__)
    app.config.update(TESTING=True, PYECHARTS_CORS_ORIGINS=["https://other.example"])
    charts = Charts(app, clock=clock)
    charts.variable("region", choices=["全国", "华东"])

    @charts.chart("sales", refresh=10)
    def sales(region: str) -> t.Any:
        return tutorial_bar()

    @charts.chart("once")
    def once() -> t.Any:
        return tutorial_bar()

    @charts.chart("stream", window=5)
    def stream() -> Line:
        return Line().add_xaxis([]).add_yaxis("t", [])

    yield app
    charts.shutdown()


def test_an_answer_about_full_charts_is_shared_until_their_next_rebuild(
    app: Flask, clock: Clock
) -> None:
    client = app.test_client()
    client.get("/charts/api/updates?charts=sales")  # built: the grid is known
    clock.advance(3.5)
    response = client.get("/charts/api/updates?charts=sales")
    assert response.status_code == 200
    left = response.json["next"]
    assert 0 < left <= 10
    assert response.headers["Cache-Control"] == (
        f"public, max-age=0, s-maxage={int(left)}"
    )
    assert "Set-Cookie" not in response.headers
    assert response.headers["Vary"] == "Origin"  # CORS is on: one answer per origin


def test_an_answer_about_a_stream_is_shared_for_one_second_at_most(
    app: Flask,
) -> None:
    response = app.test_client().get("/charts/api/updates?charts=once,stream")
    assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=1"


def test_charts_never_rebuilt_are_shared_for_a_minute(app: Flask) -> None:
    response = app.test_client().get("/charts/api/updates?charts=once")
    assert "next" not in response.json
    assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=60"


def test_nginx_is_told_the_last_second_it_may_serve_an_answer_in() -> None:
    # Rebuild at 102.0: nginx counts whole seconds, so an entry is served
    # through the whole second it names; the last is 101.
    assert shared_headers(1.97, streams=False, now=100.03) == {
        "X-Accel-Expires": "@101",
        "Cache-Control": "public, max-age=0, s-maxage=1",
    }
    # s-maxage=1 alone would keep it until 102.0, past a rebuild at 101.7.
    assert shared_headers(1.2, streams=False, now=100.5)["X-Accel-Expires"] == "@100"
    # A stream's answer: to the end of the current second, at most one.
    assert shared_headers(None, streams=True, now=100.9)["X-Accel-Expires"] == "@100"
    assert shared_headers(5.0, streams=True, now=100.2)["Cache-Control"].endswith(
        "s-maxage=1"
    )
    # Due within the current second: nothing to keep.
    late = shared_headers(0.3, streams=False, now=100.5)
    assert "X-Accel-Expires" not in late
    assert late["Cache-Control"].endswith("s-maxage=0")


def test_the_header_nginx_reads_comes_before_cache_control(app: Flask) -> None:
    """nginx 1.22 stops at a Cache-Control of s-maxage=0 when it comes first."""
    response = app.test_client().get("/charts/api/updates?charts=once")
    names = [name for name, _ in response.headers]
    assert names.index("X-Accel-Expires") < names.index("Cache-Control")


@pytest.mark.parametrize(
    "query",
    [
        "charts=nothing",
        "charts=sales&since=a,b",
        "charts=sales&region=上海",
        "charts=sales&limit=0",
    ],
)
def test_error_answers_are_never_kept(app: Flask, query: str) -> None:
    response = app.test_client().get(f"/charts/api/updates?{query}")
    assert response.status_code in (400, 404)
    assert response.headers["Cache-Control"] == "no-store"
    assert "X-Accel-Expires" not in response.headers


def test_behind_an_access_check_answers_are_private(app: Flask) -> None:
    charts: Charts = app.jinja_env.globals["charts"]
    charts.access(lambda name: True)
    response = app.test_client().get("/charts/api/updates?charts=sales")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "X-Accel-Expires" not in response.headers


def test_a_cross_origin_request_with_credentials_is_private(app: Flask) -> None:
    client = app.test_client()
    origin = {"Origin": "https://other.example"}
    response = client.get(
        "/charts/api/updates?charts=sales",
        headers={**origin, "Authorization": "Bearer x"},
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    cookies = app.test_client()
    cookies.set_cookie("session", "1")
    response = cookies.get("/charts/api/updates?charts=sales", headers=origin)
    assert response.headers["Cache-Control"] == "private, no-store"
    response = client.get(
        "/charts/api/updates?charts=sales", headers={"Origin": "https://other.example"}
    )
    assert response.headers["Cache-Control"].startswith("public,")


def test_any_order_of_charts_is_answered(app: Flask) -> None:
    """The client sends its charts sorted (one URL per question); any other
    spelling is the same question, answered in its own order."""
    client = app.test_client()
    one = client.get("/charts/api/updates?charts=once,sales&region=华东").json
    other = client.get("/charts/api/updates?charts=sales,once&region=华东").json
    assert [u["chart"] for u in one["updates"]] == ["once", "sales"]
    assert [u["chart"] for u in other["updates"]] == ["sales", "once"]
    assert one["updates"] == other["updates"][::-1]
    assert one["since"].split(",") == other["since"].split(",")[::-1]
