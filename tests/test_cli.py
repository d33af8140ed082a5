"""The command line: ``flask-pyecharts`` and the ``flask pyecharts`` group."""

from __future__ import annotations

import datetime
import json
import os
import re
import socket
import subprocess
import sys
import typing as t
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from flask import Flask
from pyecharts.charts import Bar, Line

from flask_pyecharts import Charts, JsCode
from flask_pyecharts.cli import main
from flask_pyecharts.commands import flask_group
from flask_pyecharts.demo.db import create_database

from .conftest import MAPS, make_app, tutorial_bar

INITIAL = re.compile(
    r'<script type="application/json" class="fpe-initial">(.*?)</script>'
)
NAMED = re.compile(
    r'data-fpe-name="([\w.-]+)"><script type="application/json" class="fpe-initial">'
    r"(.*?)</script>"
)


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    create_database(path, progress=False, seed=7)
    return path


def documents(html: str) -> list[dict[str, t.Any]]:
    """The chart documents embedded in an exported page."""
    return [json.loads(found) for found in INITIAL.findall(html)]


def named_documents(html: str) -> dict[str, dict[str, t.Any]]:
    """The chart documents embedded in an exported page, by chart name."""
    return {name: json.loads(found) for name, found in NAMED.findall(html)}


def user_app() -> tuple[Flask, Charts]:
    """A user's app: a full chart with a JsCode formatter, a stream, a dashboard."""
    app = Flask("user_app")
    charts = Charts(app)

    @charts.chart("sales", refresh=2.0, title="销售")
    def sales() -> Bar:
        return tutorial_bar().set_series_opts(
            label_opts={"formatter": JsCode("function (p) { return p.value + ' 件'; }")}
        )

    @charts.chart("temperature", window=10)
    def temperature() -> Line:
        return Line().add_xaxis([]).add_yaxis("°C", [])

    charts.append("temperature", [("12:00:01", 21.5), ("12:00:02", 22.0)])
    charts.dashboard("/live", ["sales", "temperature"], title="Live report")
    return app, charts


# -- help ---------------------------------------------------------------------


def _commands(group: click.Group) -> list[click.Command]:
    return [group.get_command(click.Context(group), name) for name in group.commands]


def test_help_lists_the_commands_and_how_to_start() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    assert "flask-pyecharts demo" in result.output
    assert re.search(r"demo\s+Run the demo report system", result.output)
    assert re.search(r"export\s+Write a dashboard as one HTML file", result.output)


@pytest.mark.parametrize("group", [main, flask_group], ids=["main", "flask"])
def test_every_command_and_option_has_help(group: click.Group) -> None:
    for command in _commands(group):
        assert command.help, command.name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{command.name} {param.opts}"


def test_demo_help_names_the_pages_and_the_database() -> None:
    result = CliRunner().invoke(main, ["demo", "--help"])
    assert result.exit_code == 0, result.output
    pages = ("/report", "/overview", "/screen", "/tv")
    for text in ("--port", "--database", "--reset", *pages, "demo.sqlite3"):
        assert text in result.output


def test_demo_on_a_port_in_use_says_so(
    demo_database: Path,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        arguments = ["demo", "--port", str(port), "--database", str(demo_database)]
        result = CliRunner().invoke(main, [*arguments, "--no-simulator"])
    assert result.exit_code == 1, result.output
    assert f"Port {port} is in use by another program" in result.output
    assert "Demo running" not in result.output


def test_demo_reset_deletes_the_database_and_its_streams(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "demo.sqlite3"
    streams = tmp_path / "demo-streams.sqlite3"
    files = [database, streams, Path(f"{streams}-wal"), Path(f"{streams}-shm")]
    for path in files:
        path.write_bytes(b"old")
    found: list[list[bool]] = []

    def create_app(path: Path, simulate: bool) -> Flask:
        found.append([each.exists() for each in files])
        raise click.ClickException("stopped before generating")

    monkeypatch.setattr("flask_pyecharts.demo.create_app", create_app)
    result = CliRunner().invoke(main, ["demo", "--database", str(database), "--reset"])
    assert "stopped before generating" in result.output
    assert found == [[False, False, False, False]]


def test_python_dash_m_runs_the_same_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flask_pyecharts", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: flask-pyecharts ")
    assert "export" in result.stdout


#: Eight threads each allocate, all at once; glibc then prints its arenas.
#: Then a large block freed, and one as large again: from the system
#: (``hblks``) or, once the threshold has moved up, from an arena.
MALLOC_OF_THE_DEMO = """
import ctypes, json, sys, threading
from flask_pyecharts.cli import _tune_malloc
if sys.argv[1] == "tuned":
    _tune_malloc()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
together = threading.Barrier(8)
def allocate():
    libc.malloc(4096)
    together.wait()
threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
libc.malloc_stats()
FIELDS = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in FIELDS.split()]
libc.mallinfo2.restype = Mallinfo2
libc.free.argtypes = [ctypes.c_void_p]
libc.free(libc.malloc(4 << 20))
before = libc.mallinfo2().hblks
held = libc.malloc(4 << 20)
print(libc.mallinfo2().hblks - before)
"""


@pytest.mark.parametrize("setting", ["tuned", "default"])
def test_the_demo_keeps_malloc_giving_memory_back(setting: str) -> None:
    """The demo's thread per connection would otherwise spread over up to
    eight arenas a core, and each freed peak would stay in them (the soak's
    server RSS)."""
    environment = dict(os.environ)
    environment.pop("MALLOC_ARENA_MAX", None)
    environment.pop("MALLOC_MMAP_THRESHOLD_", None)
    result = subprocess.run(
        [sys.executable, "-c", MALLOC_OF_THE_DEMO, setting],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
    )
    assert result.returncode == 0, result.stderr
    arenas = len(re.findall(r"^Arena \d+:", result.stderr, re.MULTILINE))
    from_the_system = int(result.stdout.split()[-1])
    if setting == "tuned":
        assert arenas <= 2 and from_the_system == 1
    else:
        assert arenas > 2 and from_the_system == 0


# -- flask-pyecharts export (the demo) ---------------------------------------------


def test_export_writes_the_demo_dashboard_self_contained(
    demo_database: Path, tmp_path: Path
) -> None:
    output = tmp_path / "report.html"
    arguments = ["export", str(output), "--database", str(demo_database)]
    result = CliRunner().invoke(main, [*arguments, "--dashboard", "/regions"])
    assert result.exit_code == 0, result.output
    drawn = 7 if MAPS else 6  # the map needs its geometry
    summary = f"({drawn} charts, region=全国, city=全部, days=30"
    assert f"Wrote {output} {summary}" in result.output
    html = output.read_text("utf-8")
    assert "<title>区域分析</title>" in html
    assert 'lang="zh-CN"' in html
    # ECharts, the china map and the runtime are inline; the markup loads
    # nothing but the empty favicon.
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == (3 if MAPS else 2)  # echarts, the map of China, runtime
    assert "echarts" in scripts[0] and "window.FlaskPyecharts" in scripts[-1]
    if MAPS:
        assert "registerMap" in scripts[1] and "china" in scripts[1]
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    assert re.findall(r'\b(?:src|href)="([^"]*)"', markup) == ["data:,"]
    docs = named_documents(html)
    assert len(docs) == drawn == len(documents(html))
    assert {doc["kind"] for doc in docs.values()} == {"static"}
    assert all(doc["scripts"] == [] for doc in docs.values())
    if not MAPS:
        assert "Warning: chart 'sales_map'" in result.output
        assert "此图表无法导出。" in html and "Chart dependency &#39;china&#39;" in html
    assert docs["sales"]["option"]["card"]["type"] == "number"
    assert docs["province_rank"]["option"]["card"]["rank"] is True


def test_export_of_the_demo_live_report_holds_its_streams(
    demo_database: Path, tmp_path: Path
) -> None:
    output = tmp_path / "live.html"
    arguments = ["export", str(output), "--database", str(demo_database)]
    result = CliRunner().invoke(main, [*arguments, "--dashboard", "/live"])
    assert result.exit_code == 0, result.output
    docs = named_documents(output.read_text("utf-8"))
    live = docs["live_orders"]["option"]["series"][0]["data"]
    assert len(live) == 200  # the stream's whole window, with its data
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", live[-1][0])
    rows = docs["order_table"]["option"]["series"][0]["data"]
    assert len(rows) == 30 and re.fullmatch(r"\d\d:\d\d:\d\d", rows[-1][0])


def test_export_to_standard_output(demo_database: Path) -> None:
    result = CliRunner().invoke(main, ["export", "-", "--database", str(demo_database)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!doctype html>")
    assert result.stdout.rstrip().endswith("</html>")


def test_export_of_the_demo_for_a_region_and_a_period(
    demo_database: Path, tmp_path: Path
) -> None:
    output = tmp_path / "guangdong.html"
    arguments = ["export", str(output), "--database", str(demo_database)]
    result = CliRunner().invoke(
        main, [*arguments, "--var", "region=广东", "--var", "days=7"]
    )
    assert result.exit_code == 0, result.output
    assert "region=广东, days=7" in result.output
    html = output.read_text("utf-8")
    assert "地区: <strong>广东</strong>" in html
    assert "统计周期（天）: <strong>7</strong>" in html
    docs = named_documents(html)
    gauge = docs["target"]["option"]["title"][0]["text"]
    assert gauge.startswith("广东今日销售额")
    assert docs["category_sales"]["option"]["title"][0]["subtext"] == "广东 · 近 7 天"
    refused = CliRunner().invoke(main, [*arguments, "--var", "region=火星"])
    assert refused.exit_code == 1
    assert "Variable 'region' cannot be '火星': the allowed values are 全国, 广东" in (
        refused.output
    )


def test_export_names_the_dashboards_when_the_rule_is_wrong(
    demo_database: Path, tmp_path: Path
) -> None:
    output = tmp_path / "x.html"
    result = CliRunner().invoke(
        main,
        ["export", str(output), "--database", str(demo_database), "--dashboard", "/x"],
    )
    assert result.exit_code == 1
    assert (
        "No dashboard at '/x'; the dashboards are at '/overview', '/channels',"
        " '/regions', '/products', '/customers', '/live'." in result.output
    )
    assert not output.exists()


def test_export_refuses_app_and_database_together(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["export", "--app", "x:app", "--database", str(tmp_path / "d")]
    )
    assert result.exit_code == 2
    assert "--database is for the demo" in result.output


def test_export_of_a_user_app_by_import_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "shop.py").write_text(
        "from flask import Flask\n"
        "from pyecharts.charts import Pie\n"
        "from flask_pyecharts import Charts\n"
        "app = Flask(__name__)\n"
        "charts = Charts(app)\n"
        "@charts.chart('share', title='渠道占比')\n"
        "def share():\n"
        "    return Pie().add('', [('天猫', 3), ('京东', 2)])\n"
        "charts.dashboard('/', ['share'], title='Shop')\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    result = CliRunner().invoke(main, ["export", "--app", "shop:app", "shop.html"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "shop.html").read_text("utf-8")
    (doc,) = documents(html)
    assert doc["option"]["series"][0]["data"][0] == {"name": "天猫", "value": 3}


# -- flask pyecharts (users' apps) -----------------------------------------------


def test_init_app_adds_the_flask_commands() -> None:
    app, charts = user_app()
    try:
        assert app.cli.get_command(click.Context(app.cli), "pyecharts") is flask_group
    finally:
        charts.shutdown()


def test_flask_export_keeps_functions_and_stream_points(tmp_path: Path) -> None:
    app, charts = user_app()
    try:
        output = tmp_path / "live.html"
        result = app.test_cli_runner().invoke(
            args=["pyecharts", "export", str(output), "--title", "周报 <1>"]
        )
    finally:
        charts.shutdown()
    assert result.exit_code == 0, result.output
    html = output.read_text("utf-8")
    assert "<title>周报 &lt;1&gt;</title>" in html  # escaped, not markup
    sales, temperature = documents(html)
    assert sales["functions"] == [
        ["series", 0, "label", "formatter"],
        ["series", 1, "label", "formatter"],
    ]
    assert sales["option"]["series"][0]["label"]["formatter"].startswith("function")
    assert temperature["option"]["series"][0]["data"] == [
        ["12:00:01", 21.5],
        ["12:00:02", 22.0],
    ]


def test_flask_export_data_cannot_close_the_script_element(tmp_path: Path) -> None:
    app = Flask("hostile")
    charts = Charts(app)
    hostile = "</script><script>alert(1)</script><!--"

    @charts.chart("names")
    def names() -> Bar:
        return Bar().add_xaxis([hostile]).add_yaxis("n", [1])

    charts.dashboard("/", ["names"])
    try:
        output = tmp_path / "hostile.html"
        result = app.test_cli_runner().invoke(args=["pyecharts", "export", str(output)])
    finally:
        charts.shutdown()
    assert result.exit_code == 0, result.output
    html = output.read_text("utf-8")
    assert "alert(1)" in html and "<script>alert(1)" not in html
    (doc,) = documents(html)
    assert doc["option"]["xAxis"][0]["data"] == [hostile]


def test_flask_export_of_a_failing_chart_fails_naming_it(tmp_path: Path) -> None:
    """Regression: a failing chart exported as success (exit 0)."""
    app, charts = make_app()  # "broken" raises in its builder
    charts.dashboard("/all", ["sales", "broken"], title="All")
    output = tmp_path / "all.html"
    try:
        result = app.test_cli_runner().invoke(args=["pyecharts", "export", str(output)])
    finally:
        charts.shutdown()
    assert result.exit_code == 1
    assert "Could not export chart 'broken', so nothing was written" in result.output
    assert "--allow-errors" in result.output
    assert not output.exists()


def test_flask_export_allow_errors_shows_a_failing_chart_and_warns(
    tmp_path: Path,
) -> None:
    app, charts = make_app()  # "broken" raises in its builder
    charts.dashboard("/all", ["sales", "broken"], title="All")
    try:
        output = tmp_path / "all.html"
        result = app.test_cli_runner().invoke(
            args=["pyecharts", "export", str(output), "--allow-errors"]
        )
    finally:
        charts.shutdown()
    assert result.exit_code == 0, result.output
    assert "Warning: chart 'broken'" in result.output
    assert "Wrote" in result.output and "(1 charts" in result.output
    html = output.read_text("utf-8")
    assert len(documents(html)) == 1
    assert 'role="alert">This chart could not be exported.' in html


def test_flask_export_without_a_dashboard_says_how_to_add_one(tmp_path: Path) -> None:
    app, charts = make_app()
    try:
        result = app.test_cli_runner().invoke(
            args=["pyecharts", "export", str(tmp_path / "x.html")]
        )
    finally:
        charts.shutdown()
    assert result.exit_code == 1
    assert "add one with charts.dashboard(rule, names)" in result.output


def test_flask_charts_lists_charts_and_reports() -> None:
    app, charts = user_app()
    charts.screen("/wall", layout="sales temperature", title="Wall")
    try:
        result = app.test_cli_runner().invoke(args=["pyecharts", "charts"])
    finally:
        charts.shutdown()
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert re.fullmatch(r"sales\s+full\s+rebuilt every 2 s", lines[0])
    assert re.fullmatch(r"temperature\s+stream\s+window 10", lines[1])
    assert lines[2] == "dashboard /live 'Live report': sales, temperature"
    assert lines[3] == "screen /wall 'Wall': sales, temperature"


def test_flask_charts_lists_variables_and_the_charts_that_use_them() -> None:
    app = Flask("with_variables")
    charts = Charts(app)
    charts.variable("region", choices=["全国", "华东"], label="地区")
    charts.variable("days", type=int, min=1, max=90, default=30, label="近 N 天")
    charts.variable("day", type=datetime.date, default=datetime.date.today)

    @charts.chart("by_region", refresh=60)
    def by_region(region: str, days: int) -> Bar:
        return tutorial_bar()

    try:
        result = app.test_cli_runner().invoke(args=["pyecharts", "charts"])
    finally:
        charts.shutdown()
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "by_region                full    rebuilt every 60 s, variables region, days",
        "variable region str in 全国, 华东, default 全国: '地区'",
        "variable days int (min 1, max 90), default 30: '近 N 天'",
        "variable day date, default from a function: 'day'",
    ]


def test_demo_without_sqlalchemy_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hidden = ("sqlalchemy", "flask_pyecharts.demo", "flask_pyecharts.sql")
    for name in list(sys.modules):
        if name.split(".")[0] == "sqlalchemy" or name.startswith(hidden[1:]):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sqlalchemy", None)  # not installed
    result = CliRunner().invoke(main, ["demo", "--database", "unused.sqlite3"])
    assert result.exit_code == 1
    assert "The demo needs SQLAlchemy: pip install 'Flask-PyEcharts[sql]'" in (
        result.output
    )


def test_flask_export_inlines_themes_and_extensions_and_reports_maps(
    tmp_path: Path,
) -> None:
    from pyecharts import options as opts
    from pyecharts.charts import Liquid, Map
    from pyecharts.globals import ThemeType

    app = Flask("assets")
    charts = Charts(app)

    @charts.chart("themed", title="主题")
    def themed() -> Bar:
        return (
            Bar(init_opts=opts.InitOpts(theme=ThemeType.MACARONS))
            .add_xaxis(["a"])
            .add_yaxis("n", [1])
        )

    @charts.chart("liquid")
    def liquid() -> Liquid:
        return Liquid().add("完成率", [0.6])

    @charts.chart("provinces")  # a map no npm package provides: never bundled
    def provinces() -> Map:
        return Map().add("销售额", [("广东", 10)], "world_china_provinces")

    charts.dashboard("/", ["themed", "liquid", "provinces"])
    try:
        output = tmp_path / "assets.html"
        result = app.test_cli_runner().invoke(
            args=["pyecharts", "export", str(output), "--allow-errors"]
        )
    finally:
        charts.shutdown()
    assert result.exit_code == 0, result.output
    assert "Warning: chart 'provinces'" in result.output
    assert "not bundled" in result.output
    html = output.read_text("utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 4  # echarts, the macarons theme, liquidfill, the runtime
    assert "registerTheme" in scripts[1] and "macarons" in scripts[1]
    assert "liquidFill" in scripts[2]
    themed_doc, liquid_doc = documents(html)
    assert themed_doc["theme"] == "macarons"
    assert liquid_doc["option"]["series"][0]["type"] == "liquidFill"
