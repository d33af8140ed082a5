"""A dashboard live through nginx and nchan: two gunicorn workers on Redis,
the configuration ``flask pyecharts nginx --nchan`` prints. The page's event
stream is handed over to nchan, and the stream chart gets every point once."""

from __future__ import annotations

import pytest
from playwright.sync_api import Response

from ..conftest_redis import RedisServer
from ..gunicorn_server import Gunicorn
from ..nginx_server import NGINX, Nginx, free_port
from .conftest import WatchedPage, chart

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (scripts/setup.sh installs it)"
)

APP = "tests.apps.relayed:create_app()"


def test_a_dashboard_is_live_through_nchan(watched: WatchedPage) -> None:
    redis = RedisServer()
    redis.start()
    env = {
        "PYECHARTS_STORE": redis.url,
        "PYECHARTS_NCHAN": f"http://127.0.0.1:{free_port()}",
        "PYECHARTS_HEARTBEAT": "1",
    }
    server = Gunicorn(APP, workers=2, env=env)
    nginx = Nginx(APP, server.port, env=env, options=["--nchan"])
    try:
        streams: list[str | None] = []

        def seen(response: Response) -> None:
            if "/charts/api/events?" in response.url:
                streams.append(response.headers.get("x-stream-relay"))

        page = watched.page
        page.on("response", seen)
        page.goto(f"{nginx.url}/dash")
        watched.wait_state(chart("ticks"), "live")
        watched.wait_state(chart("sales"), "live")
        # The app serves the first stream for 2 s, then the page reconnects
        # and nchan takes it over.
        watched.wait_events(lambda: "nchan" in streams)
        count = len(watched.series_data(chart("ticks")))
        watched.wait_chart(
            chart("ticks"), "(o, n) => o.series[0].data.length > n + 20", count
        )
        numbers = [point[0] for point in watched.series_data(chart("ticks"))]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        assert watched.state(chart("ticks")) == "live"
        watched.screenshot("dashboard-through-nchan")
        watched.assert_clean(nginx.url)
        assert streams[-1] == "nchan", streams
    finally:
        nginx.stop()
        server.stop()
        redis.cleanup()
