"""Shared fixtures: an app with a few charts, its test client, a real server."""

from __future__ import annotations

import datetime
import shutil
import threading
import time
import typing as t
from pathlib import Path

import pytest
from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import Bar, Line
from werkzeug.serving import make_server

from flask_pyecharts import Charts, JsCode
from flask_pyecharts.assets import VENDOR_FILES

pytest_plugins = ["tests.conftest_redis"]

CATEGORIES = ["衬衫", "羊毛衫", "雪纺衫", "裤子", "高跟鞋", "袜子"]
#: Whether the map geometry (china, the provinces) is bundled: the demo's map
#: is drawn offline then, else it shows why not.
MAPS = "china" in VENDOR_FILES and "广东" in VENDOR_FILES


def tutorial_bar() -> Bar:
    """The tutorial's bar chart, as the classic recipe builds it."""
    return (
        Bar()
        .add_xaxis(CATEGORIES)
        .add_yaxis("商家A", [5, 20, 36, 10, 75, 90])
        .add_yaxis("商家B", [15, 25, 16, 55, 48, 8])
        .set_global_opts(title_opts=opts.TitleOpts(title="某商场销售情况"))
    )


class Clock:
    """Monotonic seconds that move only when the test says so: pass it as
    ``Charts(app, clock=clock)`` and refresh intervals, idle topics and cached
    choices fall due when the test advances it, however slow the machine."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    """A :class:`Clock` for one test."""
    return Clock()


def wait_until(
    condition: t.Callable[[], object],
    timeout: float = 10.0,
    message: str = "the condition did not become true",
) -> t.Any:
    """Wait for ``condition()`` to be truthy (made so by another thread or
    process) and return it. ``timeout`` is generous on purpose: it only runs
    out when the condition never comes, however loaded the machine."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} (after {timeout:g} s)")
        time.sleep(0.005)
    return result


def make_app(**config: t.Any) -> tuple[Flask, Charts]:
    """An app with a full chart, a JsCode chart, a failing chart and a stream."""
    app = Flask(__name__)
    app.config.update(TESTING=True, **config)
    charts = Charts(app)
    builds = {"sales": 0}

    @charts.chart("sales", refresh=2.0, title="Sales")
    def sales() -> Bar:
        builds["sales"] += 1
        return tutorial_bar()

    @charts.chart("formatted")
    def formatted() -> Bar:
        return tutorial_bar().set_series_opts(
            label_opts=opts.LabelOpts(
                formatter=JsCode("function (p) { return p.value + ' 件'; }")
            )
        )

    @charts.chart("broken", refresh=1.0)
    def broken() -> Bar:
        raise RuntimeError("database is down")

    @charts.chart("temperature", window=5)
    def temperature() -> Line:
        return Line().add_xaxis([]).add_yaxis("temperature", [])

    app.extensions["test_builds"] = builds
    return app, charts


@pytest.fixture
def app() -> t.Iterator[Flask]:
    app, charts = make_app()
    yield app
    charts.shutdown()


@pytest.fixture
def charts(app: Flask) -> Charts:
    return app.jinja_env.globals["charts"]


@pytest.fixture
def client(app: Flask):
    return app.test_client()


class LiveServer:
    """A real threaded WSGI server on a free port, in a background thread."""

    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # A short poll interval: stop() returns within 50 ms, not 500 ms.
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def live_server(app: Flask) -> t.Iterator[LiveServer]:
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def demo_end() -> datetime.datetime:
    """The instant the generated demo history ends, read once from the demo's
    clock: tests compare with this instant, never with the time they run at
    (the database may be generated minutes before a test reads it)."""
    from flask_pyecharts.demo import db

    return db.now()


@pytest.fixture(scope="session")
def template_database(
    tmp_path_factory: pytest.TempPathFactory, demo_end: datetime.datetime
) -> Path:
    """The demo database, generated once per test run, ending at ``demo_end``."""
    from flask_pyecharts.demo import db

    path = tmp_path_factory.mktemp("demo") / "template.sqlite3"
    db.create_database(path, progress=False, seed=42, end=demo_end)
    return path


@pytest.fixture
def database(template_database: Path, tmp_path: Path) -> Path:
    """A private copy of the generated demo database."""
    path = tmp_path / "demo.sqlite3"
    shutil.copy(template_database, path)
    return path
