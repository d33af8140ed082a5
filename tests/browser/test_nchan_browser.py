"""A dashboard live through nginx and nchan: two gunicorn workers on Redis,
the configuration ``flask pyecharts nginx --nchan`` prints. The app serves
the page's first event stream and ends it about a second later, where nchan
holds the page's position, with a ping that says so: the page reconnects at
once (no probe, no "connection lost", no fall-back to polling), nchan serves
it from then on from the channel of the page's charts (one ``updates`` message
per publication, with the updates of both charts), and the stream chart gets
every point once."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Response

from ..conftest_redis import RedisServer
from ..gunicorn_server import Gunicorn
from ..nginx_server import NGINX, Nginx
from ..test_nchan import relayed_env
from .conftest import WatchedPage, chart

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (scripts/setup.sh installs it)"
)

APP = "tests.apps.relayed:create_app()"

#: What the page says of its connection (`fpe:connection` events), from the
#: start, and the charts of each `updates` message its event streams get.
RECORD_HEALTH = """
window.__health = [];
document.addEventListener("fpe:connection", (e) => window.__health.push(e.detail));
window.__messages = [];
const Source = window.EventSource;
window.EventSource = class extends Source {
  constructor(...args) {
    super(...args);
    this.addEventListener("updates", (e) => {
      window.__messages.push(JSON.parse(e.data).map((update) => update.chart));
    });
  }
};
"""


def test_a_new_page_is_handed_to_nchan_at_once_and_stays_live(
    watched: WatchedPage,
) -> None:
    redis = RedisServer()
    redis.start()
    env = relayed_env(redis)
    server = Gunicorn(APP, workers=2, env=env)
    nginx = Nginx(APP, server.port, env=env, options=["--nchan"])
    try:
        streams: list[str | None] = []
        other: list[str] = []  # polls, and probes of the server

        def seen(response: Response) -> None:
            path = urlsplit(response.url).path
            if path == "/charts/api/events":
                streams.append(response.headers.get("x-stream-relay"))
            elif path in ("/charts/api/updates", "/charts/api/charts"):
                other.append(path)

        page = watched.page
        page.on("response", seen)
        page.add_init_script(RECORD_HEALTH)
        page.goto(f"{nginx.url}/dash")
        watched.wait_state(chart("ticks"), "live")
        watched.wait_state(chart("sales"), "live")
        # The app's streams would last 600 s: the page is handed over to
        # nchan a second or so after it opened its stream.
        live = time.monotonic()
        watched.wait_events(lambda: "nchan" in streams, timeout=5000)
        handed = time.monotonic() - live
        count = len(watched.series_data(chart("ticks")))
        watched.wait_chart(
            chart("ticks"), "(o, n) => o.series[0].data.length > n + 40", count
        )
        numbers = [point[0] for point in watched.series_data(chart("ticks"))]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        # One message per publication: sales (rebuilt every second) goes out
        # with the ticks points of its publication; a chart once a message.
        both = "window.__messages.some((m) => m.length === 2)"
        watched.wait_events(lambda: page.evaluate(both))
        messages = page.evaluate("window.__messages")
        assert all(sorted(set(m)) == sorted(m) for m in messages), messages
        assert watched.state(chart("ticks")) == "live"
        assert watched.state(chart("sales")) == "live"
        health = page.evaluate("window.__health")
        assert health and all(
            item == {"mode": "sse", "message": "", "fallback": False} for item in health
        ), health
        assert other == [], other
        assert streams[0] is None and streams[-1] == "nchan", streams
        assert len(streams) == 2, (streams, handed)
        watched.screenshot("dashboard-through-nchan")
        watched.assert_clean(nginx.url)
    finally:
        nginx.stop()
        server.stop()
        redis.cleanup()
