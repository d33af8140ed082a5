"""PYECHARTS_* settings: from app.config, else the environment, else the
default; a bad value fails at start-up naming the key."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask

from flask_pyecharts import Charts

from .conftest_redis import RedisServer
from .gunicorn_server import Gunicorn


def start(**config: object) -> tuple[Flask, Charts]:
    app = Flask(__name__)
    app.config.update(config)
    charts = Charts(app)

    @charts.chart("sales")
    def sales() -> dict:
        return {"series": []}

    return app, charts


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PYECHARTS_URL_PREFIX", "/graphs")
    monkeypatch.setenv("PYECHARTS_MAX_FPS", "7")
    monkeypatch.setenv("PYECHARTS_STRICT_CSP", "true")
    monkeypatch.setenv("PYECHARTS_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("PYECHARTS_MAX_STREAMS", "7")
    app, charts = start()
    try:
        settings = charts.runtime(app).settings
        assert (settings.max_fps, settings.strict_csp, settings.max_streams) == (
            7.0,
            True,
            7,
        )
        assert settings.cors_origins == ("https://a.example", "https://b.example")
        assert app.config["PYECHARTS_MAX_FPS"] == 7  # read once, kept in app.config
        client = app.test_client()
        assert client.get("/graphs/api/charts").status_code == 200
        assert client.get("/charts/api/charts").status_code == 404
        response = client.get(
            "/graphs/api/charts", headers={"Origin": "https://b.example"}
        )
        assert response.headers["Access-Control-Allow-Origin"] == "https://b.example"
    finally:
        charts.shutdown()


def test_a_json_list_of_origins_from_the_environment(monkeypatch):
    monkeypatch.setenv("PYECHARTS_CORS_ORIGINS", '["https://a.example"]')
    app, charts = start()
    assert charts.runtime(app).settings.cors_origins == ("https://a.example",)
    charts.shutdown()


def test_app_config_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("PYECHARTS_MAX_FPS", "5")
    monkeypatch.setenv("PYECHARTS_TRANSPORT", "poll")
    app, charts = start(PYECHARTS_MAX_FPS=2)
    settings = charts.runtime(app).settings
    assert settings.max_fps == 2.0 and settings.transport == "poll"
    charts.shutdown()


def test_no_setting_at_all_gives_the_defaults(monkeypatch):
    app, charts = start()
    settings = charts.runtime(app).settings
    assert (settings.url_prefix, settings.store, settings.max_fps) == (
        "/charts",
        "memory://",
        5.0,
    )
    charts.shutdown()


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("PYECHARTS_MAX_FPS", "fast", "must be a number above 0"),
        ("PYECHARTS_HEARTBEAT", "0", "must be a number above 0"),
        ("PYECHARTS_MAX_WINDOW", "1.5", "must be a whole number above 0"),
        ("PYECHARTS_TRANSPORT", "websocket", "must be 'sse' or 'poll'"),
        ("PYECHARTS_STRICT_CSP", "maybe", "must be true or false"),
        ("PYECHARTS_CORS_ORIGINS", '{"a": 1}', "must be a list of origins"),
        ("PYECHARTS_URL_PREFIX", "charts/", "must start with '/'"),
        ("PYECHARTS_STORE", '""', "must be a non-empty string"),
        ("PYECHARTS_RENEW_AFTER", "-1", r"must be a number of seconds \(0: never\)"),
        ("PYECHARTS_RENEW_AFTER", "soon", r"must be a number of seconds \(0: never\)"),
    ],
)
def test_a_bad_value_from_the_environment_fails_naming_the_key(
    monkeypatch, key, value, message
):
    monkeypatch.setenv(key, value)
    app = Flask(__name__)
    with pytest.raises(ValueError, match=message) as refused:
        Charts(app)
    assert key in str(refused.value)
    assert "pyecharts" not in app.extensions  # nothing half-registered


def test_the_readme_production_line_gives_every_worker_the_redis_store():
    """`PYECHARTS_STORE=redis://... gunicorn ...`, with no line in the factory."""
    redis_server = RedisServer()
    redis_server.start()
    try:
        server = Gunicorn(
            "tests.apps.scaled:create_app()",
            "gevent",
            workers=2,
            env={"PYECHARTS_STORE": redis_server.url},
        )
        try:
            stores, workers = set(), set()
            deadline = time.monotonic() + 10
            with ThreadPoolExecutor(8) as pool:  # concurrent: both workers accept
                while len(workers) < 2 and time.monotonic() < deadline:
                    paths = ["/charts/api/charts"] * 8
                    for status, _, headers in pool.map(server.request, paths):
                        assert status == 200
                        stores.add(headers["X-Store"])
                        workers.add(headers["X-Worker"])
        finally:
            server.stop()
    finally:
        redis_server.cleanup()
    assert len(workers) == 2, "one worker answered every request"
    assert stores == {"RedisStore"}
