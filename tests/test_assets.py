"""The bundled ECharts assets: the files, script_urls, the build and the wheel."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from flask_pyecharts import assets
from flask_pyecharts.assets import (
    VENDOR_DIR,
    VENDOR_FILES,
    UnsupportedDependencyError,
    script_urls,
    stylesheet_urls,
)

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ["echarts-liquidfill.min.js", "echarts-wordcloud.min.js"]


def load_build_assets() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_assets", ROOT / "scripts" / "build_assets.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_assets = load_build_assets()


# --- the vendor files (made by scripts/setup.sh) ---------------------------


def test_vendor_files_exist_after_setup() -> None:
    assert assets.missing_vendor_files() == []
    assert assets.vendor_files()[0] == "echarts.min.js"
    for name in assets.vendor_files():
        assert (VENDOR_DIR / name).stat().st_size > 1000, name


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


@pytest.mark.parametrize("name", PLUGINS)
def test_plugins_are_umd_builds_on_the_global_echarts(name: str) -> None:
    head = (VENDOR_DIR / name).read_text("utf-8")[:1000]
    assert "define.amd" in head
    assert 'require("echarts")' in head
    assert ".echarts)" in head  # the browser global


def test_licenses_are_shipped_next_to_the_files() -> None:
    for name in [
        "echarts.LICENSE.txt",
        "echarts.NOTICE.txt",
        "echarts-liquidfill.LICENSE.txt",
        "echarts-wordcloud.LICENSE.txt",
    ]:
        assert (VENDOR_DIR / name).stat().st_size > 100, name
    assert "Apache License" in (VENDOR_DIR / "echarts.LICENSE.txt").read_text()


def test_vendor_paths_are_pyecharts_paths() -> None:
    """The same relative URLs work locally and on a pyecharts-assets host."""
    mapping = json.loads(
        Path(__import__("pyecharts").__file__)
        .with_name("datasets")
        .joinpath("map_filename.json")
        .read_text("utf-8")
    )
    for name, path in VENDOR_FILES.items():
        assert mapping[name] == [path.removesuffix(".js"), "js"], name


def test_build_script_agrees_with_assets_module() -> None:
    scripts = {f for f in build_assets.expected_files() if f.endswith(".js")}
    assert scripts == set(VENDOR_FILES.values())
    assert build_assets.is_current(ROOT)


# --- script_urls ---------------------------------------------------------


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


def test_a_pyecharts_chart() -> None:
    from pyecharts.charts import Liquid, WordCloud

    liquid = Liquid().add("rate", [0.6])
    cloud = WordCloud().add("", [("a", 1)])
    deps = [*liquid.js_dependencies.items, *cloud.js_dependencies.items]
    assert script_urls(deps, "/charts/static/") == [
        "/charts/static/echarts.min.js",
        "/charts/static/echarts-liquidfill.min.js",
        "/charts/static/echarts-wordcloud.min.js",
    ]


@pytest.mark.parametrize("name", ["china", "echarts-gl", "bmap", "no-such-thing"])
def test_unbundled_dependency_raises_naming_it_and_the_fix(name: str) -> None:
    with pytest.raises(UnsupportedDependencyError) as info:
        script_urls(["echarts", name], "/charts/static/")
    assert info.value.dependency == name
    assert repr(name) in str(info.value)
    assert "PYECHARTS_ASSETS" in str(info.value)
    assert isinstance(info.value, LookupError)


def test_assets_host_serves_everything_pyecharts_knows() -> None:
    host = "https://assets.example.org/v5"
    assert script_urls(["echarts", "china", "echarts-liquidfill"], host) == [
        f"{host}/echarts.min.js",
        f"{host}/maps/china.js",
        f"{host}/echarts-liquidfill.min.js",
    ]
    # protocol-relative hosts are hosts too; a path can be one when told so
    assert script_urls(["china"], "//intranet/a/")[1] == "//intranet/a/maps/china.js"
    assert script_urls(["china"], "/pyecharts-assets/", local=False) == [
        "/pyecharts-assets/echarts.min.js",
        "/pyecharts-assets/maps/china.js",
    ]


def test_assets_host_rejects_unknown_names_without_fuzzy_matching() -> None:
    with pytest.raises(UnsupportedDependencyError, match="'chna'"):
        script_urls(["chna"], "https://assets.example.org/")
    with pytest.raises(UnsupportedDependencyError):
        script_urls(["china"], "https://assets.example.org/", local=True)


def test_absolute_url_dependencies_pass_through() -> None:
    api = "https://api.map.baidu.com/api?v=3.0&ak=KEY"
    assert script_urls([api], "https://h/")[1] == api
    assert script_urls([api], "/charts/static/")[1] == api


def test_stylesheets() -> None:
    assert stylesheet_urls(["lmap-css", "lmap-src", "lmap"], "https://h/") == [
        "https://h/leaflet/leaflet.css"
    ]
    assert stylesheet_urls(["echarts-liquidfill"], "/charts/static/") == []


# --- the build -----------------------------------------------------------


def test_build_is_idempotent_and_repairs(tmp_path: Path) -> None:
    for name in ["package.json", "package-lock.json"]:
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    assert build_assets.build(tmp_path, quiet=True) is True
    assert build_assets.build(tmp_path, quiet=True) is False
    vendor = build_assets.vendor_dir(tmp_path)
    target = vendor / "echarts.min.js"
    assert target.read_bytes() == (VENDOR_DIR / "echarts.min.js").read_bytes()

    target.write_text("tampered")
    (vendor / "stale.js").write_text("old")
    assert not build_assets.is_current(tmp_path)
    assert build_assets.build(tmp_path, quiet=True) is True
    assert target.read_bytes() == (VENDOR_DIR / "echarts.min.js").read_bytes()
    assert not (vendor / "stale.js").exists()
    assert build_assets.main(["--check", "--quiet", "--root", str(tmp_path)]) == 0


def test_vendor_files_are_not_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "src/flask_pyecharts/web/static/vendor", "node_modules"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    assert tracked.stdout == ""


def _build(tmp_path: Path, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "build", *args, "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _wheel_names(tmp_path: Path) -> set[str]:
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


EXPECTED_IN_WHEEL = {
    "flask_pyecharts/web/static/vendor/echarts.min.js",
    "flask_pyecharts/web/static/vendor/echarts-liquidfill.min.js",
    "flask_pyecharts/web/static/vendor/echarts-wordcloud.min.js",
    "flask_pyecharts/web/static/vendor/themes/macarons.js",
    "flask_pyecharts/web/static/vendor/echarts.LICENSE.txt",
    "flask_pyecharts/web/static/vendor/versions.json",
    "flask_pyecharts/assets.py",
}


@pytest.mark.timeout(120)
def test_wheel_contains_the_vendor_files(tmp_path: Path) -> None:
    _build(tmp_path, "--wheel")
    names = _wheel_names(tmp_path)
    assert EXPECTED_IN_WHEEL <= names
    assert not any("node_modules" in n or n.endswith(".build.lock") for n in names)


@pytest.mark.timeout(120)
def test_sdist_and_its_wheel_contain_the_vendor_files(tmp_path: Path) -> None:
    _build(tmp_path)  # sdist, then a wheel built from the unpacked sdist
    (sdist,) = tmp_path.glob("*.tar.gz")
    with tarfile.open(sdist) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    assert "src/flask_pyecharts/web/static/vendor/echarts.min.js" in members
    assert "scripts/build_assets.py" in members and "hatch_build.py" in members
    assert not any(m.startswith("node_modules") for m in members)
    assert EXPECTED_IN_WHEEL <= _wheel_names(tmp_path)
