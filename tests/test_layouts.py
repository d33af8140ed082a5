"""Layouts as a picture, and the reports that use them: parsing, the errors
at registration, the pages and their layout stylesheets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import Bar

from flask_pyecharts import Charts
from flask_pyecharts.registry import DashboardSpec, ScreenSpec
from flask_pyecharts.reports.layouts import Area, parse_layout, parse_rows

PICTURE = """
    today  orders  .       target
    by_day by_day  region  region
    by_day by_day  region  region
"""


def bar(title: str | None = None) -> Bar:
    chart = Bar().add_xaxis(["甲", "乙"]).add_yaxis("销量", [1, 2])
    if title:
        chart.set_global_opts(title_opts=opts.TitleOpts(title=title))
    return chart


def test_a_picture_gives_areas_in_reading_order() -> None:
    layout = parse_layout(PICTURE)
    assert layout.names == ("today", "orders", "target", "by_day", "region")
    assert layout.areas[3] == Area("by_day", "a3", 2, 1, 2, 2)
    assert layout.areas[4] == Area("region", "a4", 2, 3, 2, 2)
    assert layout.columns == 4
    assert layout.template_areas() == ('"a0 a1 . a2" "a3 a3 a4 a4" "a3 a3 a4 a4"')


def test_names_with_dots_and_dashes_become_safe_area_names() -> None:
    layout = parse_layout("sales.by-day ...\nsales.by-day x")
    assert layout.template_areas() == '"a0 ." "a0 a1"'
    assert layout.names == ("sales.by-day", "x")


@pytest.mark.parametrize(
    ("picture", "message"),
    [
        ("a b a", r"'a' \(rows 1\) do not form a rectangle"),
        ("a a\na b\nb b", r"'a' \(rows 1, 2\) do not form a rectangle"),
        ("a b\nb a", r"'a' \(rows 1, 2\)"),
        ("a a\nb", "row 2 has 1 cells and row 1 has 2"),
        ("   \n ", "the layout is empty"),
        (". .\n. .", "names no chart"),
        ("a <b>", r"'<b>' is not a chart name"),
        ("a\n" * 25, "25 rows; at most 24"),
        (" ".join(f"c{i}" for i in range(25)), "25 columns; at most 24"),
    ],
)
def test_bad_pictures_say_what_is_wrong(picture: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_layout(picture)


def test_row_sizes_by_kind_or_given() -> None:
    layout = parse_layout("n1 n2\nc c\n. .")
    short = {"n1": True, "n2": True, "c": False}.__getitem__
    assert layout.row_sizes(short, "S", "T") == ["S", "T", "T"]
    given = parse_layout("n1 n2\nc c", ["100px", "minmax(200px,  1fr)"])
    assert given.row_sizes(short, "S", "T") == ["100px", "minmax(200px, 1fr)"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["1fr"], "gives 1 sizes for a layout of 2 rows"),
        ("1fr 1fr", "must be a list"),
        (["1fr", "red; background: url(x)"], "is not one of"),
        (["1fr", "calc(1px)"], "is not one of"),
    ],
)
def test_bad_row_sizes(rows: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_rows(rows, 2)  # type: ignore[arg-type]


def make_app() -> tuple[Flask, Charts]:
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app)
    for name in ("today", "orders", "target", "by_day"):
        charts.chart(name, label=f"图 {name}")(bar)
    charts.chart("region")(lambda: bar("各地区"))
    charts.chart("plain")(bar)
    return app, charts


def test_registration_errors_are_clear() -> None:
    _, charts = make_app()
    with pytest.raises(ValueError, match="either names .* or layout .*, not both"):
        charts.dashboard("/x", ["today"], layout="today")
    with pytest.raises(ValueError, match="not neither"):
        charts.dashboard("/x")
    with pytest.raises(ValueError, match="The dashboard at '/x' shows 'nope'"):
        charts.dashboard("/x", layout="today nope")
    with pytest.raises(ValueError, match=r"'today' \(rows 1, 2\) do not form"):
        charts.dashboard("/x", layout="today orders\norders today")
    with pytest.raises(ValueError, match="rows sizes the rows of a layout"):
        charts.dashboard("/x", ["today"], rows=["1fr"])
    with pytest.raises(ValueError, match="The screen at '/s': fit must be one of"):
        charts.screen("/s", layout="today", fit="cover")
    with pytest.raises(ValueError, match="theme must be 'dark' or 'light'"):
        charts.screen("/s", layout="today", theme="chalk")
    with pytest.raises(ValueError, match=r"size must be \(width, height\)"):
        charts.screen("/s", layout="today", size=(100, 100))
    with pytest.raises(ValueError, match="description must be a string"):
        charts.screen("/s", layout="today", description=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not both"):
        charts.chart("twice", label="a", title="b")
    charts.dashboard("/taken", ["today"])
    with pytest.raises(ValueError, match="The dashboard at '/taken' already has"):
        charts.screen("/taken", layout="today")
    assert len(charts.registry.reports()) == 1  # nothing half-registered


def test_reports_in_registration_order() -> None:
    _, charts = make_app()
    first = charts.dashboard("/", ["today", "orders"], description="总览")
    screen = charts.screen("/screen", layout="today region", title="大屏")
    second = charts.dashboard("/two", layout="by_day region")
    assert charts.registry.reports() == [first, screen, second]
    assert charts.registry.screens == [screen]
    assert isinstance(screen, ScreenSpec) and isinstance(first, DashboardSpec)
    assert [r.kind for r in charts.registry.reports()] == [
        "dashboard",
        "screen",
        "dashboard",
    ]
    assert (first.description, second.names) == ("总览", ("by_day", "region"))
    assert (screen.size, screen.theme, screen.fit) == ((1920, 1080), "dark", "contain")
    assert screen.endpoint == "pyecharts_screen_0"


def test_a_layout_dashboard_page_and_its_stylesheet() -> None:
    app, charts = make_app()
    charts.dashboard("/", layout=PICTURE, title="总览", description="<每日>")
    client = app.test_client()
    page = client.get("/").text
    assert '<link rel="stylesheet" href="/charts/reports/0/layout.css">' in page
    assert "&lt;每日&gt;" in page
    areas = re.findall(r'class="fpe-card fpe-card--chart fpe-area-(a\d)"', page)
    assert areas == ["a0", "a1", "a2", "a3", "a4"]
    # Headings: the label, else the option's title (drawn once), never the id.
    assert re.findall(r"<h2 [^>]*>([^<]*)</h2>", page) == [
        "图 today",
        "图 orders",
        "图 target",
        "图 by_day",
        "各地区",
    ]
    assert page.count('data-fpe-title="option"') == 1
    css = client.get("/charts/reports/0/layout.css")
    assert css.mimetype == "text/css"
    assert 'grid-template-areas: "a0 a1 . a2" "a3 a3 a4 a4" "a3 a3 a4 a4";' in css.text
    assert "grid-template-columns: repeat(4, minmax(0, 1fr));" in css.text
    assert "@media (max-width: 600px)" in css.text
    again = client.get(
        "/charts/reports/0/layout.css", headers={"If-None-Match": css.headers["ETag"]}
    )
    assert again.status_code == 304
    assert client.get("/charts/reports/9/layout.css").status_code == 404


def test_a_chart_without_label_or_title_has_no_heading() -> None:
    app, charts = make_app()
    charts.dashboard("/", ["plain", "region"])
    page = app.test_client().get("/").text
    assert re.findall(r"<h2 [^>]*>([^<]*)</h2>", page) == ["各地区"]
    assert ">plain<" not in page
    # A grid of columns needs no layout stylesheet.
    assert "layout.css" not in page and "fpe-grid--cols-2" in page


def test_a_screen_page() -> None:
    app, charts = make_app()
    charts.screen(
        "/screen",
        layout="today orders\nregion region",
        title="零售大屏",
        size=(1080, 1920),
        fit="width",
        rows=["140px", "1fr"],
    )
    client = app.test_client()
    page = client.get("/screen").text
    assert '<html lang="en" data-fpe-theme="dark" class="fpe-screen-page">' in page
    for attribute in ('data-fit="width"', 'data-width="1080"', 'data-height="1920"'):
        assert attribute in page
    assert "<h1>零售大屏</h1>" in page and "data-fpe-clock" in page
    # No controls and no filter bar.
    for control in ("<button", "<select", "<form", "<input"):
        assert control not in page
    css = client.get("/charts/reports/0/layout.css").text
    assert ".fpe-screen { width: 1080px; height: 1920px; }" in css
    assert "grid-template-rows: 140px 1fr;" in css
    assert "@media" not in css


def test_a_report_showing_a_refused_chart_answers_404() -> None:
    app, charts = make_app()
    charts.screen("/screen", layout="today region")
    charts.access(lambda name: name != "region")
    assert app.test_client().get("/screen").status_code == 404


def test_reports_registered_before_init_app() -> None:
    charts = Charts()
    charts.chart("a")(bar)
    charts.screen("/s", layout="a")
    charts.dashboard("/d", layout="a")
    app = Flask(__name__)
    charts.init_app(app)
    client = app.test_client()
    assert client.get("/s").status_code == 200
    assert client.get("/d").status_code == 200
    assert "fpe-screen" in client.get("/charts/reports/0/layout.css").text


ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("readme", "heading"),
    [("README.md", "## Layouts"), ("README.zh-CN.md", "### 布局")],
)
def test_the_readme_layout_example_runs(readme: str, heading: str) -> None:
    text = (ROOT / readme).read_text("utf-8")
    section = text[text.index(heading) :]
    start = section.index("```python\n") + 10
    code = section[start : section.index("\n```", start)]
    scope: dict[str, object] = {"__name__": "readme_example"}
    exec(compile(code, readme, "exec"), scope)  # noqa: S102
    app = scope["app"]
    assert isinstance(app, Flask)
    client = app.test_client()
    for path in ("/", "/screen", "/charts/reports/0/layout.css"):
        assert client.get(path).status_code == 200, path
    assert '"a0 a0 a1" "a2 a2 a1"' in client.get("/charts/reports/0/layout.css").text


def test_a_screen_takes_its_variables_from_the_url() -> None:
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app)
    charts.variable("region", choices=["全国", "华东"], label="地区")

    @charts.chart("by_region")
    def by_region(region: str) -> Bar:
        return bar(f"{region}销售")

    charts.screen("/screen", layout="by_region")
    client = app.test_client()
    page = client.get("/screen?region=华东").text
    assert "<h2" in page and ">华东销售</h2>" in page
    assert "<form" not in page and "<select" not in page  # no filter bar
    assert ">全国销售</h2>" in client.get("/screen").text
