"""The browser assets: which script each pyecharts dependency needs, and where.

pyecharts charts list what they need in ``chart.js_dependencies`` (``"echarts"``,
``"echarts-liquidfill"``, a theme such as ``"macarons"``, a map such as
``"china"``...). Flask-PyEcharts bundles a pinned ECharts and the extensions
below in ``static/vendor/`` (built from npm by ``scripts/build_assets.py``,
never fetched from a CDN) at the same relative paths as pyecharts' asset host,
so one function serves both the local files and a ``PYECHARTS_ASSETS`` host.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

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

#: pyecharts dependency name -> bundled file, relative to VENDOR_DIR. The paths
#: are pyecharts' own (``pyecharts.datasets.FILENAMES`` + ``.js``).
VENDOR_FILES: dict[str, str] = {
    "echarts": "echarts.min.js",
    "echarts-liquidfill": "echarts-liquidfill.min.js",
    "echarts-wordcloud": "echarts-wordcloud.min.js",
    # The pyecharts themes (ThemeType) that the echarts package ships.
    "infographic": "themes/infographic.js",
    "macarons": "themes/macarons.js",
    "roma": "themes/roma.js",
    "shine": "themes/shine.js",
    "vintage": "themes/vintage.js",
}

_PYECHARTS_HOST = "https://assets.pyecharts.org/assets/v5/"


class UnsupportedDependencyError(LookupError):
    """A chart needs a script that the configured assets cannot provide."""

    def __init__(self, dependency: str, message: str) -> None:
        super().__init__(message)
        self.dependency = dependency


def vendor_files() -> list[str]:
    """The bundled scripts, relative to VENDOR_DIR, ``echarts.min.js`` first."""
    return list(VENDOR_FILES.values())


def missing_vendor_files() -> list[str]:
    """The bundled scripts absent from VENDOR_DIR (empty once set up)."""
    return [name for name in vendor_files() if not (VENDOR_DIR / name).is_file()]


def vendor_versions() -> dict[str, str]:
    """npm package -> bundled version (e.g. ``{"echarts": "6.1.0", ...}``).

    Empty when the assets were not built (run ``python scripts/build_assets.py``).
    """
    try:
        data = json.loads((VENDOR_DIR / "versions.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return dict(data.get("packages", {}))


def script_urls(
    dependencies: Iterable[str], base_url: str, *, local: bool | None = None
) -> list[str]:
    """The script URLs for a chart's pyecharts dependencies, in load order.

    ``echarts`` always comes first (added if missing); the others follow in
    the given order (pass ``chart.js_dependencies`` as is), without repeats.
    ``base_url`` is where the files are: the blueprint's static URL (e.g.
    ``"/charts/static/"``) for the bundled files, or the ``PYECHARTS_ASSETS``
    host (e.g. ``"https://assets.pyecharts.org/assets/v5/"``), which is laid out
    like pyecharts' asset host; a missing trailing slash is added.

    ``local`` says which: ``None`` (default) infers it from ``base_url``: an
    absolute URL (``https://...``, ``//host/...``) is a ``PYECHARTS_ASSETS``
    host, a path is the bundled files.

    A dependency that cannot be served raises UnsupportedDependencyError, which
    names it and says what to configure, rather than being skipped: skipping
    would leave a blank chart (``Map china not exists``) with the cause hidden
    in the browser console. Locally that is any name outside VENDOR_FILES
    (maps such as ``"china"``, ``"echarts-gl"``...); on a host, any name
    unknown to pyecharts' file registry. Absolute URL dependencies (the Baidu,
    AMap and Google map APIs) and files registered with
    ``pyecharts.datasets.register_url`` are kept as they are, like pyecharts.
    """
    return [url for url, ext in _resolve(dependencies, base_url, local) if ext == "js"]


def stylesheet_urls(
    dependencies: Iterable[str], base_url: str, *, local: bool | None = None
) -> list[str]:
    """The CSS URLs among the dependencies (e.g. ``"lmap-css"``), like script_urls.

    Bundled assets have none, so locally this is empty or raises the same
    UnsupportedDependencyError as script_urls.
    """
    return [url for url, ext in _resolve(dependencies, base_url, local) if ext == "css"]


def _resolve(
    dependencies: Iterable[str], base_url: str, local: bool | None
) -> list[tuple[str, str]]:
    if local is None:
        local = not _is_absolute(base_url)
    if not base_url.endswith("/"):
        base_url += "/"
    if isinstance(dependencies, str):
        dependencies = [dependencies]
    ordered = list(dict.fromkeys(["echarts", *dependencies]))
    resolved: list[tuple[str, str]] = []
    for name in ordered:
        if name.startswith(("https://", "http://")):
            resolved.append((name, "js"))
        elif local and name in VENDOR_FILES:
            resolved.append((base_url + VENDOR_FILES[name], "js"))
        else:
            resolved.append(_pyecharts_file(name, base_url, local))
    return resolved


def _pyecharts_file(name: str, base_url: str, local: bool) -> tuple[str, str]:
    """A dependency through pyecharts' registries (exact names, never fuzzy)."""
    from pyecharts.datasets import EXTRA, FILENAMES

    for prefix, files in EXTRA.items():  # pyecharts.datasets.register_url
        if name in files:
            path, ext = files[name]
            return f"{prefix}{path}.{ext}", ext
    if local:
        bundled = ", ".join(VENDOR_FILES)
        raise UnsupportedDependencyError(
            name,
            f"Chart dependency {name!r} is not bundled with Flask-PyEcharts "
            f"(bundled: {bundled}). Set PYECHARTS_ASSETS to a host that serves "
            f"it, laid out like pyecharts-assets (a copy on your network, or "
            f"{_PYECHARTS_HOST}).",
        )
    entry = dict.get(FILENAMES, name)  # FILENAMES.get would match fuzzily
    if entry is None:
        raise UnsupportedDependencyError(
            name,
            f"Chart dependency {name!r} is unknown to pyecharts, so its file on "
            f"the PYECHARTS_ASSETS host {base_url!r} is unknown: register it "
            f"with pyecharts.datasets.register_files({{{name!r}: [path, 'js']}}).",
        )
    path, ext = entry
    return f"{base_url}{path}.{ext}", ext


def _is_absolute(url: str) -> bool:
    return bool(urlsplit(url).netloc)
