"""Exports of what a deployment holds: from a running server (--url), from a
shared store (--app with Redis), and a plain warning where that cannot be."""

from __future__ import annotations

import importlib
import os
import re
import socket
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import request
from pyecharts import options as opts
from pyecharts.charts import Bar
from pyecharts.globals import ThemeType

from flask_pyecharts.cli import main

from .conftest import LiveServer
from .conftest_redis import RedisServer
from .test_cli import documents

SHOP = """
from flask import Flask
from pyecharts.charts import Line
from flask_pyecharts import Charts, JsCode

def create_app():
    app = Flask(__name__)
    charts = Charts(app)

    @charts.chart("sales", title="销售")
    def sales():
        label = {"formatter": JsCode("function (p) { return p.value; }")}
        return {
            "xAxis": {"data": ["a", "b"]}, "yAxis": {},
            "series": [{"type": "bar", "data": [1, 2], "label": label}],
        }

    @charts.chart("orders", window=10, title="订单")
    def orders():
        return Line().add_xaxis([]).add_yaxis("金额", [])

    charts.dashboard("/live", ["sales", "orders"], title="Live shop", columns=1)
    return app
"""


@pytest.fixture
def shop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> t.Iterator[t.Callable[[], t.Any]]:
    """``create_app`` of a user's module ``liveshop`` (importable by --app)."""
    (tmp_path / "liveshop.py").write_text(SHOP, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module("liveshop")
    yield module.create_app
    sys.modules.pop("liveshop", None)


def export(*args: str) -> tuple[t.Any, str]:
    result = CliRunner().invoke(main, ["export", *args])
    return result, result.output


def test_url_exports_what_the_running_server_holds(shop, tmp_path):
    app = shop()
    charts = app.jinja_env.globals["charts"]
    server = LiveServer(app)
    try:
        charts.append("orders", [("12:00:01", 21.5), ("12:00:02", 22.0)])
        result, output = export("--url", f"{server.url}/live", "live.html")
    finally:
        server.stop()
        charts.shutdown()
    assert result.exit_code == 0, output
    assert "Wrote live.html (2 charts" in output and "Warning" not in output
    html = (tmp_path / "live.html").read_text("utf-8")
    assert "<title>Live shop</title>" in html and "fpe-grid--cols-1" in html
    assert ">销售</h2>" in html and ">订单</h2>" in html  # titles from /api/charts
    sales, orders = documents(html)
    assert orders["kind"] == "static"
    assert orders["option"]["series"][0]["data"] == [
        ["12:00:01", 21.5],
        ["12:00:02", 22.0],
    ]
    assert sales["functions"] == [["series", 0, "label", "formatter"]]
    assert server.url not in html  # opens offline: nothing refers to the server


def test_url_of_the_chart_list_exports_every_chart_with_its_scripts(tmp_path):
    from flask import Flask

    from flask_pyecharts import Charts

    app = Flask("themes")
    charts = Charts(app)

    @charts.chart("themed")
    def themed() -> Bar:
        return (
            Bar(init_opts=opts.InitOpts(theme=ThemeType.MACARONS))
            .add_xaxis(["a"])
            .add_yaxis("n", [1])
        )

    @charts.chart("broken")
    def broken() -> Bar:
        raise RuntimeError("database is down")

    server = LiveServer(app)
    try:
        output_path = tmp_path / "all.html"
        refused, refused_output = export(
            "--url", f"{server.url}/charts/api/charts", str(output_path)
        )
        result, output = export(
            "--url",
            f"{server.url}/charts/api/charts",
            str(output_path),
            "--allow-errors",
        )
    finally:
        server.stop()
        charts.shutdown()
    assert refused.exit_code == 1
    assert "Could not export chart 'broken'" in refused_output
    assert result.exit_code == 0, output
    assert "Warning: chart 'broken'" in output and "answered 503" in output
    html = output_path.read_text("utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 3  # echarts, the macarons theme (fetched), the runtime
    assert "registerTheme" in scripts[1] and "macarons" in scripts[1]
    (themed_doc,) = documents(html)
    assert themed_doc["theme"] == "macarons"
    assert 'role="alert">This chart could not be exported.' in html


def test_url_of_a_layout_exports_its_areas_and_headings_as_the_app_does():
    """A report laid out as a picture exports through its URL as through the
    app: the layout's areas, each card's display and heading (the label, else
    the option's title, never the name; a number card draws its own label)."""
    from flask import Flask

    from flask_pyecharts import Charts
    from flask_pyecharts.export import export_dashboard, export_url

    app = Flask("layout")
    charts = Charts(app)

    def bar(title: str | None = None) -> dict[str, t.Any]:
        option: dict[str, t.Any] = {"xAxis": {"data": ["a"]}, "yAxis": {}}
        option["series"] = [{"type": "bar", "data": [1]}]
        return {**option, "title": {"text": title}} if title else option

    charts.number("today", label="今日销售额", prefix="¥")(lambda: 1234)
    charts.chart("plain")(bar)
    charts.chart("by_day", label="每日销售")(bar)
    charts.chart("region")(lambda: bar("各地区"))
    charts.dashboard("/", layout="today plain\nby_day region", title="总览")
    server = LiveServer(app)
    try:
        by_url = export_url(f"{server.url}/").html
    finally:
        server.stop()
    in_app = export_dashboard(app, "/", wait=0).html
    charts.shutdown()
    card = r'<section class="([^"]*)"[^>]*>\s*(?:<h2[^>]*>([^<]*)</h2>)?'
    assert (
        re.findall(card, by_url)
        == re.findall(card, in_app)
        == [
            ("fpe-card fpe-card--number fpe-area-a0", ""),
            ("fpe-card fpe-card--chart fpe-area-a1", ""),
            ("fpe-card fpe-card--chart fpe-area-a2", "每日销售"),
            ("fpe-card fpe-card--chart fpe-area-a3", "各地区"),
        ]
    )
    assert 'grid-template-areas: "a0 a1" "a2 a3";' in by_url
    assert '<main class="fpe-grid fpe-layout">' in by_url
    assert 'data-fpe-title="option"' in by_url  # the region card's heading


def test_url_says_plainly_what_is_wrong(tmp_path):
    with socket.socket() as closed:  # bound, not listening: connections refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        result, output = export("--url", f"http://127.0.0.1:{port}/", "x.html")
    assert result.exit_code == 1
    assert f"Cannot reach http://127.0.0.1:{port}/" in output
    assert "is the app running there?" in output
    result, output = export("--url", "file:///etc/passwd", "x.html")
    assert result.exit_code == 1 and "http://" in output
    result, output = export("--url", "http://127.0.0.1:1/", "--app", "liveshop:app")
    assert result.exit_code == 2 and "--url exports from a running server" in output
    assert not (tmp_path / "x.html").exists()


def test_url_of_a_page_without_charts_says_what_to_give(tmp_path):
    from flask import Flask

    app = Flask("plain")
    app.add_url_rule("/", "index", lambda: "<html><title>Home</title></html>")
    server = LiveServer(app)
    try:
        result, output = export("--url", f"{server.url}/", "x.html")
    finally:
        server.stop()
    assert result.exit_code == 1
    assert "No live charts at" in output and "/charts/api/charts" in output


def test_app_export_with_the_memory_store_warns_and_names_the_alternative(shop):
    result, output = export("--app", "liveshop:create_app()", "shop.html")
    assert result.exit_code == 0, output
    assert "Warning: chart 'orders': a stream in the memory store of this new" in (
        output
    )
    assert "flask-pyecharts export --url" in output
    assert "chart 'sales'" not in output  # full charts are rebuilt: nothing lost


def test_app_export_with_a_shared_store_holds_the_deployment_points(
    shop, tmp_path, monkeypatch
):
    redis_server = RedisServer()
    redis_server.start()
    monkeypatch.setenv("PYECHARTS_STORE", redis_server.url)
    running = shop()  # the deployment: a server process appending
    charts = running.jinja_env.globals["charts"]
    try:
        charts.append("orders", [("12:00:01", 21.5), ("12:00:02", 22.0)])
        result, output = export("--app", "liveshop:create_app()", "shop.html")
    finally:
        charts.shutdown()
        redis_server.cleanup()
    assert result.exit_code == 0, output
    assert "Warning" not in output
    _, orders = documents((tmp_path / "shop.html").read_text("utf-8"))
    assert orders["option"]["series"][0]["data"] == [
        ["12:00:01", 21.5],
        ["12:00:02", 22.0],
    ]


def test_the_flask_command_warns_too(shop):
    app = shop()
    result = app.test_cli_runner().invoke(args=["pyecharts", "export", "-"])
    app.jinja_env.globals["charts"].shutdown()
    assert result.exit_code == 0, result.output
    assert "'orders': a stream in the memory store" in result.output


def search_app() -> tuple[t.Any, t.Any]:
    """A dashboard of one chart that uses a free text variable."""
    from flask import Flask

    from flask_pyecharts import Charts

    app = Flask(__name__)
    charts = Charts(app)
    charts.variable("q", default="全部", label="搜索")

    @charts.chart("search", refresh=10)
    def search(q: str) -> dict:
        return {"title": {"text": f"[{q}]"}, "series": []}

    charts.dashboard("/", ["search"], title="搜索")
    return app, charts


def test_an_empty_var_means_the_default_in_the_build_and_the_header():
    """Regression: ``--var q=`` built the chart for "" while the header said
    the default."""
    app, charts = search_app()
    result = app.test_cli_runner().invoke(
        args=["pyecharts", "export", "-", "--var", "q="]
    )
    charts.shutdown()
    assert result.exit_code == 0, result.output
    (document,) = documents(result.stdout)
    assert document["option"]["title"]["text"] == "[全部]"
    assert "搜索: <strong>全部</strong>" in result.stdout


def test_an_output_in_a_missing_folder_is_a_clear_error(shop, tmp_path):
    result, output = export("--app", "liveshop:create_app()", "nowhere/shop.html")
    assert result.exit_code == 1
    assert "Cannot write nowhere/shop.html: the folder nowhere does not exist" in output
    assert "Traceback" not in output


def test_a_full_device_is_a_clear_error(shop):
    result, output = export("--app", "liveshop:create_app()", "/dev/full")
    assert result.exit_code == 1
    assert "Cannot write /dev/full: No space left on device." in output
    assert "Traceback" not in output
    assert Path("/dev/full").is_char_device()  # written in place, never replaced


def test_a_failed_write_leaves_the_previous_export_whole(shop, tmp_path):
    """Regression: a write past the file-size limit left a truncated file in
    place of the previous export."""
    previous = tmp_path / "shop.html"
    previous.write_text("<!doctype html><p>yesterday's export</p>", "utf-8")
    code = (
        "import resource, sys; from flask_pyecharts.cli import main;"
        " resource.setrlimit(resource.RLIMIT_FSIZE, (65536, resource.RLIM_INFINITY));"
        " sys.argv[0] = 'flask-pyecharts'; main()"
    )
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", code, "export", "--app", "liveshop:create_app()"]
        + ["shop.html"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert done.returncode == 1, done.stderr
    assert "Cannot write shop.html: File too large" in done.stderr
    assert "previous file is left as it was" in done.stderr
    assert "Traceback" not in done.stderr
    assert previous.read_text("utf-8") == "<!doctype html><p>yesterday's export</p>"
    assert not list(tmp_path.glob(".shop.html*"))  # no temporary file left


def test_an_export_runs_the_access_check_with_the_var_values():
    """Regression: an export of a variant the live pages refuse succeeded."""
    app, charts = search_app()
    charts.access(lambda name: request.args.get("q") != "秘密")

    with app.test_request_context("/?q=秘密"):
        assert not charts.registry.allows("search")  # as on the live pages
    refused = app.test_cli_runner().invoke(
        args=["pyecharts", "export", "-", "--var", "q=秘密"]
    )
    allowed = app.test_cli_runner().invoke(
        args=["pyecharts", "export", "-", "--var", "q=公开"]
    )
    charts.shutdown()
    assert refused.exit_code == 1
    assert "秘密" not in refused.stdout and not documents(refused.stdout)
    assert "access check refuses every chart of this export (for q=秘密)" in (
        refused.output
    )
    assert allowed.exit_code == 0, allowed.output
    (document,) = documents(allowed.stdout)
    assert document["option"]["title"]["text"] == "[公开]"


def test_an_export_through_a_symbolic_link_replaces_its_target(shop, tmp_path):
    (tmp_path / "exports").mkdir()
    target = tmp_path / "exports" / "latest.html"
    target.write_text("old", "utf-8")
    target.chmod(0o640)
    link = tmp_path / "shop.html"
    link.symlink_to(target)
    result, output = export("--app", "liveshop:create_app()", "shop.html")
    assert result.exit_code == 0, output
    assert link.is_symlink() and target.read_text("utf-8").startswith("<!doctype")
    assert target.stat().st_mode & 0o777 == 0o640  # its permissions kept
