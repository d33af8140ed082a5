"""What a first user sees: no 'Live' badge on a chart that never changes, a
header that blames no connection for a failing builder, no request for a
file that does not exist (favicons)."""

from __future__ import annotations

import importlib.util
import sys
import typing as t
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from pyecharts.charts import Bar, Line

from flask_pyecharts import Charts
from flask_pyecharts.demo import create_app as create_demo

from ..conftest import tutorial_bar, wait_until
from .conftest import BrowserServer, WatchedPage, chart
from .pages import add_pages
from .test_wire import Recorder

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

BADGE = """(sel) => {
    const badge = document.querySelector(sel + " .fpe-state");
    return badge ? { text: badge.textContent, hidden: badge.hidden } : null;
}"""


def badge_app() -> Flask:
    app = Flask(__name__)
    charts = Charts(app)
    charts.chart("once")(tutorial_bar)  # no refresh: built once, never changes
    charts.chart("refreshed", refresh=1.0)(tutorial_bar)

    @charts.chart("stream", window=10)
    def stream() -> Line:
        return Line().add_xaxis([]).add_yaxis("n", [])

    add_pages(app, ["once", "refreshed", "stream"])
    return app


@pytest.mark.parametrize("mode", ["separated", "mixed"])
def test_a_chart_built_once_shows_no_live_badge(
    mode: str, serve: t.Any, watched: WatchedPage
) -> None:
    """Regression: a chart without refresh showed 'Live', as if it could change."""
    server = serve(badge_app())
    watched.page.goto(f"{server.url}/{mode}")
    watched.wait_state(chart("refreshed"), "live")
    watched.wait_state(chart("stream"), "live")
    assert watched.wait_state(chart("once"), "static") == "static"
    assert watched.page.evaluate(BADGE, chart("once")) == {"text": "", "hidden": True}
    live = watched.page.evaluate(BADGE, chart("refreshed"))
    assert live == {"text": "Live", "hidden": False}
    watched.assert_clean(server.url)


def test_the_header_says_live_while_only_a_builder_fails(
    serve: t.Any, watched: WatchedPage
) -> None:
    """Regression: the dashboard header said 'Reconnecting…' while the
    connection was fine and builders failed (one from the start, one after
    its first build): it was made from the charts' states."""
    app = Flask(__name__)
    charts = Charts(app)
    failing = []

    @charts.chart("broken", refresh=0.3)
    def broken() -> Bar:
        raise RuntimeError("database is down")

    @charts.chart("flaky", refresh=0.3)
    def flaky() -> Bar:
        if failing:
            raise RuntimeError("database is down")
        return tutorial_bar()

    charts.dashboard("/", ["broken", "flaky"], title="Shop")
    server = serve(app)
    page = watched.page
    page.goto(server.url + "/")
    watched.wait_state(chart("flaky"), "live")
    failing.append(True)
    watched.wait_state(chart("flaky"), "stale")
    watched.wait_state(chart("broken"), "error")
    header = "[data-fpe-connection]"
    page.wait_for_function(
        """(sel) => {
            const text = document.querySelector(sel).textContent;
            return text.includes("stale") && !text.startsWith("Connecting");
        }""",
        arg=header,
    )
    assert page.text_content(header) == "Live · 1 failing, 1 stale"
    watched.assert_clean(server.url, allowed_errors=["503"])


def load_example(name: str) -> t.Any:
    spec = importlib.util.spec_from_file_location(
        f"example_{name}_page", EXAMPLES / f"{name}.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # Flask finds templates and static from it
    spec.loader.exec_module(module)
    return module


def open_and_settle(watched: WatchedPage, recorder: Recorder, url: str) -> None:
    """Open ``url``, wait until its charts are drawn and its icon was asked for
    (if it is not inline)."""
    page = watched.page
    page.goto(url)
    page.wait_for_function(
        """() => [...document.querySelectorAll("[data-chart], .fpe-chart")]
            .every((el) => el.dataset.fpeState && el.dataset.fpeState !== "loading")""",
        timeout=15_000,
    )
    icon = page.evaluate(
        "() => { const l = document.querySelector('link[rel~=icon]');"
        " return l ? l.href : null; }"
    )
    if icon and icon.startswith("data:"):
        return
    path = urlsplit(icon).path if icon else "/favicon.ico"
    wait_until(
        lambda: any(seen[1] == path for seen in recorder.seen),
        message=f"{url}: the browser never asked for {path}",
    )


@pytest.mark.parametrize(
    "example", ["mixed_mode", "separated_mode", "full_refresh", "incremental_refresh"]
)
def test_no_example_page_asks_for_a_missing_file(
    example: str, serve: t.Any, watched: WatchedPage
) -> None:
    """Regression: the example pages had no icon, so every visit asked for
    /favicon.ico and got a 404."""
    module = load_example(example)
    recorder = Recorder(module.app)
    server: BrowserServer = serve(module.app)
    open_and_settle(watched, recorder, server.url + "/")
    missing = [seen for seen in recorder.seen if seen[2] >= 400]
    assert missing == []
    watched.assert_clean(server.url)


@pytest.mark.parametrize("path", ["/", "/report"])
def test_no_demo_page_asks_for_a_missing_file(
    path: str, database: Path, serve: t.Any, watched: WatchedPage
) -> None:
    app = create_demo(database, simulate=False, progress=False)
    recorder = Recorder(app)
    server: BrowserServer = serve(app)
    open_and_settle(watched, recorder, server.url + path)
    missing = [seen for seen in recorder.seen if seen[2] >= 400]
    assert missing == []
