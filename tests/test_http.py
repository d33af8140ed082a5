"""HTTP details: query parameters that are not ASCII digits, weak ETags,
the CORS preflight of a conditional GET, one JSON error shape."""

from __future__ import annotations

import pytest

from .conftest import make_app

ORIGIN = "https://reports.example"


@pytest.mark.parametrize("limit", ["²", "①", "٣", "１"])
@pytest.mark.parametrize(
    "path",
    [
        "/charts/api/charts/temperature/points",
        "/charts/api/updates?charts=temperature",
        "/charts/api/events?charts=temperature",
    ],
)
def test_a_limit_of_unicode_digits_is_a_400_not_a_500(client, path, limit):
    """Regression: str.isdigit() accepts '²', '①', '٣'; int() refused them (500)."""
    joiner = "&" if "?" in path else "?"
    response = client.get(f"{path}{joiner}limit={limit}")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert "'limit' must be a whole number" in response.json["error"]


@pytest.mark.parametrize(
    "header",
    ["W/{etag}", '"other", W/{etag}', '{etag}, W/"other"', "*"],
)
def test_weak_and_listed_etags_match(client, header):
    """Regression: nginx's gzip turns ETags weak (W/"..."); none ever matched."""
    etag = client.get("/charts/api/charts/sales").headers["ETag"]
    response = client.get(
        "/charts/api/charts/sales", headers={"If-None-Match": header.format(etag=etag)}
    )
    assert response.status_code == 304
    assert response.headers["ETag"] == etag


@pytest.mark.parametrize("header", ['W/"other"', '"other"', "garbage"])
def test_other_etags_get_the_document(client, header):
    response = client.get("/charts/api/charts/sales", headers={"If-None-Match": header})
    assert response.status_code == 200 and response.json["name"] == "sales"


def test_the_cors_preflight_allows_the_headers_of_conditional_and_resumed_requests():
    """Regression: without Access-Control-Allow-Headers, a cross-origin
    If-None-Match (or Last-Event-ID) request failed in the browser."""
    app, charts = make_app(PYECHARTS_CORS_ORIGINS=[ORIGIN])
    client = app.test_client()
    try:
        preflight = client.options(
            "/charts/api/charts/sales",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "if-none-match",
            },
        )
        assert preflight.status_code < 300
        assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
        allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
        assert {"if-none-match", "last-event-id"} <= {
            item.strip() for item in allowed.split(",")
        }
        assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
        other = client.options(
            "/charts/api/charts/sales",
            headers={
                "Origin": "https://evil.example",
                "Access-Control-Request-Method": "GET",
            },
        )
        assert "Access-Control-Allow-Headers" not in other.headers
        etag = client.get("/charts/api/charts/sales").headers["ETag"]
        conditional = client.get(
            "/charts/api/charts/sales",
            headers={"Origin": ORIGIN, "If-None-Match": f"W/{etag}"},
        )
        assert conditional.status_code == 304
        assert conditional.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert "ETag" in conditional.headers["Access-Control-Expose-Headers"]
    finally:
        charts.shutdown()


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/charts/api/charts/nosuch"),
        ("GET", "/charts/api/charts/broken"),
        ("GET", "/charts/api/charts/temperature/points?limit=²"),
        ("GET", "/charts/api/charts/temperature/points?since=garbage"),
        ("GET", "/charts/api/updates"),
        ("GET", "/charts/api/events?charts=temperature&limit=①"),
        ("POST", "/charts/api/charts"),
        ("GET", "/charts/api/nosuch"),
        ("GET", "/charts/static/nosuch.js"),
    ],
)
def test_every_error_is_one_json_shape(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code >= 400
    assert response.mimetype == "application/json"
    body = response.json
    assert list(body)[0] == "error" and isinstance(body["error"], str) and body["error"]
    # and, for a builder's failure outside debug mode, the id its log line has
    assert set(body) <= {"error", "error_id"}
