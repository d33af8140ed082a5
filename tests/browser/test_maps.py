"""Maps, echarts-gl and themes render offline: every script from the app.

One page per mode holds every chart: maps of china, a province, two cities
(吉林市 beside the province 吉林, whose name its file used to take), the
world, a Geo on a province, a Map3D and a Bar3D (WebGL) with a theme. The
network is blocked: anything not on the test server is aborted. The city maps
are not bundled by default (AMap data, see README), so they come from the
``PYECHARTS_ASSETS`` fallback, a city build served by the same app, while
everything bundled is still served from the app's own static folder.
"""

from __future__ import annotations

import shutil
import typing as t
from pathlib import Path

import pytest
from flask import Flask, render_template_string, send_from_directory
from markupsafe import escape
from playwright.sync_api import Route
from pyecharts import options as opts
from pyecharts.charts import Bar, Bar3D, Geo, Map, Map3D
from pyecharts.globals import ThemeType

from flask_pyecharts import Charts
from flask_pyecharts.assets import VENDOR_FILES

from ..test_assets import ROOT, build_assets
from .conftest import BrowserServer, WatchedPage
from .pages import HEAD

FALLBACK = "/pyecharts-assets/"
#: The least share of a chart's box that must differ from its background.
MIN_DRAWN = 0.05
GRID = (
    "<style>body{margin:8px;font:12px sans-serif}"
    ".grid{display:grid;grid-template-columns:repeat(3,410px);gap:6px}"
    ".grid>div{border:1px solid #ddd}</style>"
)


def _map(maptype: str, data: list[tuple[str, int]]) -> Map:
    return (
        Map()
        .add("v", data, maptype, is_map_symbol_show=False)
        .set_series_opts(label_opts=opts.LabelOpts(is_show=False))
        .set_global_opts(
            legend_opts=opts.LegendOpts(is_show=False),
            visualmap_opts=opts.VisualMapOpts(max_=100, is_show=False),
        )
    )


def _geo() -> Geo:
    return (
        Geo()
        .add_schema(maptype="新疆")
        .add("v", [("乌鲁木齐", 80)], symbol_size=14)
        .set_series_opts(label_opts=opts.LabelOpts(is_show=False))
        .set_global_opts(legend_opts=opts.LegendOpts(is_show=False))
    )


def _map3d() -> Map3D:
    return (
        Map3D()
        .add_schema(maptype="china")
        .add("v", [("广东", 90), ("新疆", 40)], maptype="china")
        .set_series_opts(label_opts=opts.LabelOpts(is_show=False))
        .set_global_opts(
            legend_opts=opts.LegendOpts(is_show=False),
            visualmap_opts=opts.VisualMapOpts(max_=100, is_show=False),
        )
    )


def _bar3d() -> Bar3D:
    data = [[x, y, (x + 1) * (y + 1)] for x in range(5) for y in range(5)]
    return (
        Bar3D(init_opts=opts.InitOpts(theme=ThemeType.CHALK))
        .add("v", data, grid3d_opts=opts.Grid3DOpts(width=100, height=60, depth=100))
        .set_global_opts(
            legend_opts=opts.LegendOpts(is_show=False),
            visualmap_opts=opts.VisualMapOpts(max_=25, is_show=False),
        )
    )


#: chart name -> (builder, the map it registers or None).
CHARTS: dict[str, tuple[t.Callable[[], t.Any], str | None]] = {
    "china": (lambda: _map("china", [("广东", 90), ("新疆", 60)]), "china"),
    "guangdong": (lambda: _map("广东", [("广州市", 90), ("深圳市", 60)]), "广东"),
    "guangzhou": (lambda: _map("广州", [("天河区", 90), ("越秀区", 60)]), "广州"),
    "jilin": (lambda: _map("吉林", [("长春市", 90)]), "吉林"),
    "jilin_city": (lambda: _map("吉林市", [("船营区", 90)]), "吉林市"),
    "world": (lambda: _map("world", [("China", 90), ("United States", 60)]), "world"),
    "geo_xinjiang": (_geo, "新疆"),
    "map3d": (_map3d, "china"),
    "bar3d": (_bar3d, None),
}
#: map name -> a region only that map has (the city maps hold districts).
REGIONS = {
    "china": "广东",
    "广东": "广州市",
    "广州": "天河区",
    "吉林": "长春市",
    "吉林市": "船营区",
    "world": "China",
    "新疆": "乌鲁木齐市",
}

MIXED = (
    "<!doctype html><html><head>"
    + HEAD
    + "<title>maps, mixed</title>"
    + GRID
    + "{{ charts.scripts() }}</head><body><div class=grid>"
    '{% for name, chart in objects %}<div id="{{ name }}">'
    '{{ charts.embed(chart, height="300px") }}</div>{% endfor %}'
    "</div></body></html>"
)


def separated(names: t.Iterable[str]) -> str:
    """A static page of registered charts (separated mode)."""
    divs = "".join(
        f'<div id="{escape(name)}"><div data-chart="/charts/api/charts/'
        f'{escape(name)}" data-height="300px"></div></div>'
        for name in names
    )
    return (
        "<!doctype html><html><head>"
        + HEAD
        + "<title>maps, separated</title>"
        + GRID
        + '<link rel="stylesheet" href="/charts/static/flask-pyecharts.css">'
        '<script src="/charts/static/echarts.min.js"></script>'
        '<script src="/charts/static/flask-pyecharts.js"></script>'
        f"</head><body><div class=grid>{divs}</div></body></html>"
    )


@pytest.fixture(scope="module")
def city_host(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pyecharts-assets layout with the city maps: a build with city_maps."""
    root = tmp_path_factory.mktemp("city-build")
    for name in ["package.json", "package-lock.json"]:
        shutil.copy(ROOT / name, root / name)
    (root / "node_modules").symlink_to(ROOT / "node_modules")
    build_assets.build(root, quiet=True, city_maps=True)
    return build_assets.vendor_dir(root)


def make_app(city_host: Path) -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True, PYECHARTS_ASSETS=FALLBACK)
    charts = Charts(app)
    for name, (builder, _) in CHARTS.items():
        charts.chart(name, refresh=60.0)(builder)

    @charts.chart("bar", refresh=60.0)
    def bar() -> Bar:
        return Bar().add_xaxis(["a", "b"]).add_yaxis("n", [1, 2])

    @app.route(FALLBACK + "<path:filename>")
    def fallback(filename: str) -> t.Any:
        return send_from_directory(city_host, filename)

    @app.route("/mixed")
    def mixed() -> str:
        objects = [(name, builder()) for name, (builder, _) in CHARTS.items()]
        return render_template_string(MIXED, objects=objects)

    @app.route("/separated")
    def separated_page() -> str:
        return separated(CHARTS)

    @app.route("/bar")
    def bar_page() -> str:
        return separated(["bar"])

    return app


def offline(watched: WatchedPage, server: BrowserServer) -> None:
    """Abort every request that is not for the test server."""

    def route(route: Route) -> None:
        if route.request.url.startswith(server.url + "/"):
            route.continue_()
        else:
            route.abort()

    watched.page.route("**/*", route)


#: Each chart's box ([x, y, w, h], page coordinates), by container id.
BOXES = """(ids) => ids.map((id) => {
    const box = document.getElementById(id).getBoundingClientRect();
    return [box.left + scrollX, box.top + scrollY, box.width, box.height];
})"""

#: Each chart's state and message, by container id.
STATES = """() => Object.fromEntries([...document.querySelectorAll(".grid > div")]
    .map((box) => {
        const el = box.querySelector("[data-fpe-state]");
        return [box.id, [el.dataset.fpeState, el.textContent.trim()]];
    }))"""

#: For each map name: the names of its regions, as ECharts registered them.
REGISTERED = """(names) => Object.fromEntries(names.map((name) => {
    const map = echarts.getMap(name);
    const features = map && map.geoJSON ? map.geoJSON.features : [];
    return [name, features.map((f) => f.properties.name)];
}))"""


def render(watched: WatchedPage, server: BrowserServer, path: str, shot: str) -> None:
    """Open ``path`` offline, wait for every chart, check each drew its map."""
    offline(watched, server)
    watched.page.goto(server.url + path)
    watched.page.wait_for_function(
        "(n) => document.querySelectorAll('[data-fpe-state]').length === n",
        arg=len(CHARTS),
    )
    drawn = ("static", "live", "polling")
    watched.wait_state("[data-fpe-state]", *drawn, "error")
    states = watched.page.evaluate(STATES)
    assert {name: s for name, s in states.items() if s[0] not in drawn} == {}

    def locate() -> list[tuple[str, list[float]]]:
        boxes = watched.page.evaluate(BOXES, list(CHARTS))
        return list(zip(CHARTS, boxes, strict=True))

    shares = dict(watched.wait_drawn(shot, locate, MIN_DRAWN))
    assert {name: share for name, share in shares.items() if share <= MIN_DRAWN} == {}
    names = sorted({m for _, m in CHARTS.values() if m})
    registered = watched.page.evaluate(REGISTERED, names)
    for name in names:
        assert REGIONS[name] in registered[name], name
    assert "长春市" not in registered["吉林市"]  # the city did not take 吉林's name
    gl = watched.page.evaluate(
        "() => !!document.createElement('canvas').getContext('webgl')"
    )
    assert gl, "WebGL is off: see CHROMIUM_ARGS"
    watched.assert_clean(server.url)


def map_requests(watched: WatchedPage) -> dict[str, list[str]]:
    """The scripts the page asked for, by where they came from."""
    found: dict[str, list[str]] = {"local": [], "fallback": []}
    for url in watched.requests:
        path = url.split("/", 3)[-1]
        if path.startswith("charts/static/"):
            found["local"].append(path.removeprefix("charts/static/"))
        elif path.startswith(FALLBACK.strip("/") + "/"):
            found["fallback"].append(path.removeprefix(FALLBACK.lstrip("/")))
    return found


def expected_requests() -> dict[str, set[str]]:
    """Bundled files from the app, city maps from the fallback (unless bundled)."""
    wanted = {
        "maps/china.js": "china",
        "maps/guangdong.js": "广东",
        "maps/guang3_dong1_guang3_zhou1.js": "广州",
        "maps/jilin.js": "吉林",
        "maps/ji2_lin2_ji2_lin2.js": "吉林市",
        "maps/world.js": "world",
        "maps/xinjiang.js": "新疆",
        "echarts-gl.min.js": "echarts-gl",
        "themes/chalk.js": "chalk",
    }
    found: dict[str, set[str]] = {"local": set(), "fallback": set()}
    for path, name in wanted.items():
        found["local" if name in VENDOR_FILES else "fallback"].add(path)
    return found


@pytest.mark.parametrize("mode", ["mixed", "separated"])
def test_maps_gl_and_themes_render_offline(
    mode: str,
    watched: WatchedPage,
    serve: t.Callable[..., BrowserServer],
    city_host: Path,
) -> None:
    server = serve(make_app(city_host))
    render(watched, server, f"/{mode}", f"maps-{mode}")
    requests = map_requests(watched)
    local = {
        p for p in requests["local"] if p.startswith(("maps/", "themes/", "echarts-gl"))
    }
    assert local == expected_requests()["local"]
    assert set(requests["fallback"]) == expected_requests()["fallback"]
    assert "echarts.min.js" in requests["local"]  # never from the fallback host
    # each script once, however many charts need it (china: Map and Map3D)
    assert len(requests["local"]) == len(set(requests["local"]))


def test_a_bar_chart_page_loads_no_map(
    watched: WatchedPage, serve: t.Callable[..., BrowserServer], city_host: Path
) -> None:
    server = serve(make_app(city_host))
    offline(watched, server)
    watched.page.goto(server.url + "/bar")
    watched.wait_state("[data-chart]", "live", "polling")
    watched.screenshot("maps-bar-only")
    requests = map_requests(watched)
    assert requests["fallback"] == []
    assert sorted(requests["local"]) == [
        "echarts.min.js",
        "flask-pyecharts.css",
        "flask-pyecharts.js",
    ]
    watched.assert_clean(server.url)


#: For each data name: whether the map has a region of that name, the pixel at
#: the region's centre and the colour the visual map gave that data.
PAINTED = """([selector, names]) => {
    const el = document.querySelector(selector);
    const chart = FlaskPyecharts.instance(el);
    const series = chart.getModel().getSeriesByIndex(0);
    const data = series.getData();
    const canvas = el.querySelector("canvas");
    const scale = canvas.width / canvas.clientWidth;
    const ctx = canvas.getContext("2d");
    const probe = document.createElement("canvas").getContext("2d");
    const box = canvas.getBoundingClientRect();
    return names.map((name) => {
        const region = series.coordinateSystem.getRegion(name);
        if (!region) return { name, region: false };
        const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, region.getCenter());
        const [px, py] = [Math.round(x * scale), Math.round(y * scale)];
        const pixel = ctx.getImageData(px, py, 1, 1).data;
        probe.fillStyle = data.getItemVisual(data.indexOfName(name), "style").fill;
        probe.fillRect(0, 0, 1, 1);
        const want = probe.getImageData(0, 0, 1, 1).data;
        return { name, region: true, pixel: [...pixel.slice(0, 3)],
                 want: [...want.slice(0, 3)], at: [box.left + x, box.top + y] };
    });
}"""


def test_full_province_names_paint_on_the_china_map_and_clicks_keep_them(
    watched: WatchedPage, serve: t.Callable[..., BrowserServer]
) -> None:
    """pyecharts' data names provinces in full (广东省, 新疆维吾尔自治区), the
    bundled china map short (广东, 新疆); a province map names cities in full
    (广州市) where data may say 广州. Both spellings paint, offline."""
    app = Flask(__name__)
    charts = Charts(app)
    provinces = [("广东省", 90), ("新疆维吾尔自治区", 30), ("北京", 60)]
    cities = [("广州", 90), ("深圳市", 20)]
    charts.chart("provinces", refresh=60.0)(lambda: _map("china", provinces))
    charts.chart("cities", refresh=60.0)(lambda: _map("广东", cities))
    app.add_url_rule("/", "page", lambda: separated(["provinces", "cities"]))
    server = serve(app)
    offline(watched, server)
    watched.page.goto(server.url + "/")
    watched.wait_state("[data-chart]", "live", "polling")
    watched.page.wait_for_timeout(1500)  # the maps' first animation
    watched.screenshot("maps-full-names")
    for selector, data in [("#provinces", provinces), ("#cities", cities)]:
        names = [name for name, _ in data]
        found = watched.page.evaluate(PAINTED, [f"{selector} [data-chart]", names])
        for item in found:
            assert item["region"], f"no region named {item['name']}"
            difference = sum(
                abs(a - b) for a, b in zip(item["pixel"], item["want"], strict=True)
            )
            assert difference < 30, item  # painted in its visual map colour
    # A click names the data's region as the data does (drill-down by it).
    watched.page.evaluate(
        """(el) => FlaskPyecharts.instance(el).on("click",
            (p) => { window.clicked = p.name; })""",
        watched.page.query_selector("#provinces [data-chart]"),
    )
    (guangdong,) = watched.page.evaluate(
        PAINTED, ["#provinces [data-chart]", ["广东省"]]
    )
    watched.page.mouse.click(*guangdong["at"])
    watched.page.wait_for_function("window.clicked")
    assert watched.page.evaluate("window.clicked") == "广东省"
    watched.assert_clean(server.url)


def _gallery_map() -> Map:
    """The gallery's Map example: pyecharts' own data, full province names."""
    from pyecharts.faker import Faker

    return (
        Map()
        .add("商家A", [list(z) for z in zip(Faker.provinces, Faker.values())], "china")  # noqa: B905
        .set_global_opts(visualmap_opts=opts.VisualMapOpts(max_=200))
    )


def _gallery_gdp() -> t.Any:
    """The gallery's GDP timeline maps: a class where a bool goes (pyecharts
    writes it as null), full province names."""
    from pyecharts.charts import Timeline

    timeline = Timeline()
    for year in (2015, 2016):
        data = [("广东省", 72812 + year), ("江苏省", 70116), ("新疆维吾尔自治区", 9324)]
        timeline.add(
            Map()
            .add("GDP", data, "china", label_opts=opts.LabelOpts(is_show=Timeline))
            .set_global_opts(visualmap_opts=opts.VisualMapOpts(max_=80000)),
            str(year),
        )
    return timeline


GALLERY_MAPS = {"gallery_map": _gallery_map, "gallery_gdp": _gallery_gdp}
#: For each data name: whether a pixel near its region's centre (pyecharts
#: draws a symbol and a label on the centre itself) has the colour the
#: visual map gave that data.
PAINTED_NEAR = """([selector, names]) => {
    const el = document.querySelector(selector);
    const chart = FlaskPyecharts.instance(el);
    const series = chart.getModel().getSeriesByIndex(0);
    const data = series.getData();
    const canvas = el.querySelector("canvas");
    const scale = canvas.width / canvas.clientWidth;
    const ctx = canvas.getContext("2d");
    const probe = document.createElement("canvas").getContext("2d");
    return names.map((name) => {
        const region = series.coordinateSystem.getRegion(name);
        if (!region) return { name, region: false };
        const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, region.getCenter());
        probe.fillStyle = data.getItemVisual(data.indexOfName(name), "style").fill;
        probe.fillRect(0, 0, 1, 1);
        const want = probe.getImageData(0, 0, 1, 1).data;
        let painted = false;
        for (let dx = -16; dx <= 16 && !painted; dx += 4) {
            for (let dy = -16; dy <= 16 && !painted; dy += 4) {
                const px = Math.round((x + dx) * scale);
                const py = Math.round((y + dy) * scale);
                const pixel = ctx.getImageData(px, py, 1, 1).data;
                painted = [0, 1, 2].every((i) => Math.abs(pixel[i] - want[i]) < 12);
            }
        }
        return { name, region: true, painted };
    });
}"""


@pytest.mark.parametrize("mode", ["mixed", "separated", "dashboard"])
def test_the_gallery_maps_paint_their_data_offline(
    mode: str, watched: WatchedPage, serve: t.Callable[..., BrowserServer]
) -> None:
    """The gallery's Map and GDP examples, as written, paint every province
    their data names, embedded, separated and on a dashboard, offline."""
    app = Flask(__name__)
    charts = Charts(app)
    for name, build in GALLERY_MAPS.items():
        charts.chart(name, refresh=60.0)(build)
    charts.dashboard("/dashboard", list(GALLERY_MAPS), title="地图")
    app.add_url_rule("/separated", "separated", lambda: separated(GALLERY_MAPS))
    app.add_url_rule(
        "/mixed",
        "mixed",
        lambda: render_template_string(
            "<!doctype html><html><head>" + HEAD + "{{ charts.scripts() }}</head><body>"
            "{% for n in names %}<div id='{{ n }}'>{{ charts.embed(n) }}</div>"
            "{% endfor %}</body></html>",
            names=list(GALLERY_MAPS),
        ),
    )
    server = serve(app)
    offline(watched, server)
    watched.page.goto(f"{server.url}/{mode}")
    watched.wait_state("[data-chart], .fpe-chart", "live", "polling")
    watched.page.wait_for_timeout(1500)  # the maps' first animation
    watched.screenshot(f"maps-gallery-{mode}")
    for name, names in [
        ("gallery_map", ["广东省"]),
        ("gallery_gdp", ["广东省", "新疆维吾尔自治区"]),
    ]:
        selector = f'[data-chart$="/charts/{name}"]'
        found = watched.page.evaluate(PAINTED_NEAR, [selector, names])
        for item in found:
            assert item["region"], f"{name}: no region named {item['name']}"
            assert item["painted"], (name, item)
    watched.assert_clean(server.url)
