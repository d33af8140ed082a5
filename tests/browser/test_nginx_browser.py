"""The dashboard live through nginx, polling, with the configuration that
``flask pyecharts nginx`` prints."""

from __future__ import annotations

import typing as t
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Response

from ..nginx_server import NGINX, Nginx
from .conftest import BrowserServer, WatchedPage, chart
from .test_dashboard import check_charts, make_app

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (scripts/setup.sh installs it)"
)


def test_the_dashboard_polls_live_through_nginx(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
) -> None:
    app, charts = make_app(transport="poll")
    charts.append("feed", [(f"12:00:{i:02d}", 20 + i / 10) for i in range(10)])
    server = serve(app)
    nginx = Nginx(app, server.port)
    try:
        polls: list[tuple[str, str | None]] = []

        def seen(response: Response) -> None:
            if "/charts/api/updates?" in response.url:
                polls.append((response.url, response.headers.get("x-cache-status")))

        page = watched.page
        page.on("response", seen)
        page.goto(f"{nginx.url}/dash")
        check_charts(watched, "polling")

        charts.append("feed", ("12:00:10", 30.5))
        watched.wait_chart(
            chart("feed"),
            "(o) => JSON.stringify(o.series[0].data.at(-1)) === '[\"12:00:10\",30.5]'",
        )
        first = watched.series_data(chart("ticker"))
        watched.wait_chart(
            chart("ticker"), "(o, v) => o.series[0].data[0] > v[0]", first
        )
        watched.wait_events(lambda: len(polls) >= 3)
        watched.screenshot("dashboard-through-nginx")

        # Every poll went through nginx's cache, its charts sorted.
        assert all(status is not None for _, status in polls), polls
        for url, _ in polls:
            names = parse_qs(urlsplit(url).query)["charts"][0].split(",")
            assert names == sorted(names)
        watched.assert_clean(nginx.url)
    finally:
        nginx.stop()
