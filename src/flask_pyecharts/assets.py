"""The browser assets: which script each pyecharts dependency needs, and where.

pyecharts charts list what they need in ``chart.js_dependencies`` (``"echarts"``,
``"echarts-gl"``, a theme such as ``"chalk"``, a map such as ``"广东"``...).
Flask-PyEcharts bundles a pinned ECharts, its extensions, the pyecharts themes
and the map files in ``static/vendor/`` (built from npm by
``scripts/build_assets.py``, never fetched from a CDN) at the same relative
paths as pyecharts' asset host (``maps/guangdong.js``), so one resolver serves
both: a bundled file always from the app, any other from the
``PYECHARTS_ASSETS`` host when one is configured.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "VENDOR_DIR",
    "VENDOR_FILES",
    "UnsupportedDependencyError",
    "missing_vendor_files",
    "script_urls",
    "stylesheet_urls",
    "vendor_files",
    "vendor_versions",
]

#: Where the bundled files live (served under the blueprint's static URL).
VENDOR_DIR: Path = Path(__file__).parent / "web" / "static" / "vendor"

#: pyecharts themes (``ThemeType``) that need a script; ``light``, ``dark`` and
#: ``white`` are built into ECharts.
THEMES = (
    "chalk",
    "essos",
    "halloween",
    "infographic",
    "macarons",
    "purple-passion",
    "roma",
    "romantic",
    "shine",
    "vintage",
    "walden",
    "westeros",
    "wonderland",
)

_CORE_FILES: dict[str, str] = {
    "echarts": "echarts.min.js",
    "echarts-gl": "echarts-gl.min.js",
    "echarts-liquidfill": "echarts-liquidfill.min.js",
    "echarts-wordcloud": "echarts-wordcloud.min.js",
    **{theme: f"themes/{theme}.js" for theme in THEMES},
}

_PYECHARTS_HOST = "https://assets.pyecharts.org/assets/v6/"

#: pyecharts' online-map extensions -> the chart class and the map it draws on.
ONLINE_MAPS: dict[str, tuple[str, str]] = {
    "amap": ("AMap", "AMap (高德地图)"),
    "bmap": ("BMap", "Baidu Maps (百度地图)"),
    "gmap": ("GMap", "Google Maps"),
    "lmap": ("LMap", "Leaflet's OpenStreetMap tiles"),
    "lmap-css": ("LMap", "Leaflet's OpenStreetMap tiles"),
    "lmap-src": ("LMap", "Leaflet's OpenStreetMap tiles"),
}


def _read_manifest() -> dict[str, object]:
    try:
        data = json.loads((VENDOR_DIR / "versions.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _manifest_files() -> list[str]:
    """Every file the build copied into vendor/ (none if it did not run)."""
    files = _read_manifest().get("files")
    return list(files) if isinstance(files, dict) else []


def _bundled_maps(files: Iterable[str]) -> dict[str, str]:
    """pyecharts map name -> bundled file, for the map files in ``files``."""
    from pyecharts.datasets import FILENAMES

    present = set(files)
    return {
        name: f"{path}.js"
        for name, (path, ext) in dict.items(FILENAMES)  # not the fuzzy lookup
        if ext == "js" and path.startswith("maps/") and f"{path}.js" in present
    }


#: pyecharts dependency name -> bundled file, relative to VENDOR_DIR. The paths
#: are pyecharts' own (``pyecharts.datasets.FILENAMES`` + ``.js``): echarts,
#: the extensions, the themes, then every map name whose file the build copied
#: (listed in ``vendor/versions.json``).
VENDOR_FILES: dict[str, str] = {**_CORE_FILES, **_bundled_maps(_manifest_files())}


class UnsupportedDependencyError(LookupError):
    """A chart needs a script that is neither bundled nor on an assets host."""

    def __init__(self, dependency: str, message: str) -> None:
        super().__init__(message)
        self.dependency = dependency


def vendor_files() -> list[str]:
    """The bundled scripts, relative to VENDOR_DIR, ``echarts.min.js`` first."""
    return list(dict.fromkeys(VENDOR_FILES.values()))


def missing_vendor_files() -> list[str]:
    """The bundled scripts absent from VENDOR_DIR (empty once set up)."""
    return [name for name in vendor_files() if not (VENDOR_DIR / name).is_file()]


def vendor_versions() -> dict[str, str]:
    """npm package -> bundled version (e.g. ``{"echarts": "6.1.0", ...}``).

    Empty when the assets were not built (run ``python scripts/build_assets.py``).
    """
    packages = _read_manifest().get("packages")
    return dict(packages) if isinstance(packages, dict) else {}


def script_urls(
    dependencies: Iterable[str], local_base: str, fallback: str | None = None
) -> list[str]:
    """The script URLs for a chart's pyecharts dependencies, in load order.

    ``echarts`` always comes first (added if missing); the others follow in
    the given order (pass ``chart.js_dependencies.items`` as is), without
    repeats. Each is resolved on its own:

    - a bundled file (VENDOR_FILES) -> ``local_base`` + its path: where the app
      serves vendor/ (e.g. ``"/charts/static/"``), or a folder;
    - an absolute URL (the Baidu, AMap and Google map APIs), or a file
      registered with ``pyecharts.datasets.register_url`` -> as it is;
    - any other name pyecharts knows (``pyecharts.datasets.FILENAMES``, exact
      names, never fuzzy) -> ``fallback`` + pyecharts' path, ``fallback``
      being the ``PYECHARTS_ASSETS`` host, laid out like pyecharts' asset
      host (e.g. ``"https://assets.pyecharts.org/assets/v6/"``).

    A missing trailing slash on either base is added.

    :raises UnsupportedDependencyError: for a dependency none of these serves,
        naming it and what to configure. Skipping it would leave a blank chart
        (``Map 吉林 not exists``) with the cause hidden in the browser console.
    """
    return [
        url for url, ext in _resolve(dependencies, local_base, fallback) if ext == "js"
    ]


def stylesheet_urls(
    dependencies: Iterable[str], local_base: str, fallback: str | None = None
) -> list[str]:
    """The CSS URLs among the dependencies (e.g. ``"lmap-css"``), like script_urls.

    Bundled assets have none, so without a fallback host this is empty or
    raises the same UnsupportedDependencyError as script_urls.
    """
    return [
        url for url, ext in _resolve(dependencies, local_base, fallback) if ext == "css"
    ]


def _resolve(
    dependencies: Iterable[str], local_base: str, fallback: str | None
) -> list[tuple[str, str]]:
    local_base = _folder(local_base)
    fallback = _folder(fallback) if fallback else None
    if isinstance(dependencies, str):
        dependencies = [dependencies]
    resolved: list[tuple[str, str]] = []
    for name in dict.fromkeys(["echarts", *dependencies]):
        if name.startswith(("https://", "http://")):
            resolved.append((name, "js"))
        elif name in VENDOR_FILES:
            resolved.append((local_base + VENDOR_FILES[name], "js"))
        else:
            resolved.append(_unbundled(name, fallback))
    return resolved


def _unbundled(name: str, fallback: str | None) -> tuple[str, str]:
    """A dependency through pyecharts' registries (exact names, never fuzzy)."""
    from pyecharts.datasets import EXTRA, FILENAMES

    for prefix, files in EXTRA.items():  # pyecharts.datasets.register_url
        if name in files:
            path, ext = files[name]
            return f"{prefix}{path}.{ext}", ext
    entry = dict.get(FILENAMES, name)  # FILENAMES.get would match fuzzily
    if fallback is None and name in ONLINE_MAPS:
        chart, service = ONLINE_MAPS[name]
        key = "" if chart == "LMap" else " and needs an API key"
        raise UnsupportedDependencyError(
            name,
            f"Chart dependency {name!r}: {chart} draws on {service}, an online map"
            f" whose scripts and tiles come from the internet{key}, so it cannot"
            f" work offline."
            f" For an offline map use Map, Geo or Map3D (their maps are bundled);"
            f" to use {chart} online, set PYECHARTS_ASSETS to a host with"
            f" pyecharts' extension files (such as {_PYECHARTS_HOST}).",
        )
    if fallback is None:
        hint = ""
        if entry is not None and entry[0].startswith("maps/"):
            hint = (
                " City maps are bundled only on request (their AMap data is not"
                " ours to relicense): build or install Flask-PyEcharts with"
                " FLASK_PYECHARTS_CITY_MAPS=1 (see the README)."
            )
        raise UnsupportedDependencyError(
            name,
            f"Chart dependency {name!r} is not bundled with Flask-PyEcharts. Set"
            f" PYECHARTS_ASSETS to a host that serves it, laid out like"
            f" pyecharts-assets (a copy on your network, or {_PYECHARTS_HOST});"
            f" bundled files are still served by the app.{hint}",
        )
    if entry is None:
        raise UnsupportedDependencyError(
            name,
            f"Chart dependency {name!r} is neither bundled nor known to pyecharts,"
            f" so its file on the PYECHARTS_ASSETS host {fallback!r} is unknown:"
            f" register it with"
            f" pyecharts.datasets.register_files({{{name!r}: [path, 'js']}}).",
        )
    path, ext = entry
    return f"{fallback}{path}.{ext}", ext


def _folder(url: str) -> str:
    return url if url.endswith("/") else url + "/"
