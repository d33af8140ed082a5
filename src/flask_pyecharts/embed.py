"""Server-rendered (mixed mode) embedding: chart markup with the option inlined.

The option travels as JSON inside ``<script type="application/json">`` with
``<``, ``>`` and ``&`` escaped, so data can never close the element or run:
no executable inline script is produced.
"""

from __future__ import annotations

import re
import typing as t

from flask import url_for
from markupsafe import Markup, escape

from . import assets
from .option_cache import BuildError
from .options import build_document, dumps

if t.TYPE_CHECKING:
    from .runtime import ChartRuntime

_CSS_LENGTH = re.compile(r"\d{1,5}(\.\d{1,3})?(px|%|em|rem|vh|vw)")
_SCRIPT_UNSAFE = {b"<": b"\\u003c", b">": b"\\u003e", b"&": b"\\u0026"}


def script_safe_json(body: bytes) -> str:
    """JSON that is safe inside a ``<script type="application/json">`` element."""
    for character, replacement in _SCRIPT_UNSAFE.items():
        body = body.replace(character, replacement)
    return body.decode()


def css_length(value: str, what: str) -> str:
    """Validate a CSS length such as ``400px`` or ``100%``."""
    if not isinstance(value, str) or not _CSS_LENGTH.fullmatch(value):
        raise ValueError(f"{what} must be a CSS length such as '400px' or '100%'.")
    return value


def initial_json(runtime: ChartRuntime, name: str) -> str | None:
    """A registered chart's document, script-safe, or ``None`` if it fails to build."""
    try:
        document = runtime.document(runtime.spec(name))
    except BuildError:
        return None
    return script_safe_json(document.body)


def embed_markup(
    runtime: ChartRuntime, chart: t.Any, height: str = "400px", width: str = "100%"
) -> Markup:
    """The container for a registered chart name or a one-off pyecharts chart."""
    height, width = css_length(height, "height"), css_length(width, "width")
    sizes = (
        f'style="height:{height};width:{width}"'
        f' data-height="{height}" data-width="{width}"'
    )
    if runtime.config["PYECHARTS_STRICT_CSP"]:
        sizes += ' data-csp="strict"'  # tooltips drawn on the canvas
    if isinstance(chart, str):
        runtime.spec(chart)  # raises for unknown names
        if not runtime.charts.allows(chart):
            return Markup("")
        url = url_for("pyecharts.chart", name=chart)
        initial = initial_json(runtime, chart)
        attributes = f' data-chart="{escape(url)}"'
    else:
        document = build_document(chart, name="embedded chart")
        head = {
            "kind": "static",
            "functions": document.functions,
            "scripts": runtime.scripts(document),
            "theme": document.theme,
        }
        initial = script_safe_json(
            dumps(head)[:-1] + b',"option":' + document.body + b"}"
        )
        attributes = ""
    inner = (
        f'<script type="application/json" class="fpe-initial">{initial}</script>'
        if initial is not None
        else ""
    )
    return Markup(f'<div class="fpe-chart"{attributes} {sizes}>{inner}</div>')


def script_urls(runtime: ChartRuntime) -> list[str]:
    """The scripts every chart page loads, in order: echarts (always the
    bundled one), then the runtime."""
    return [
        *assets.script_urls(["echarts"], runtime.vendor_url()),
        url_for("pyecharts.static", filename="flask-pyecharts.js"),
    ]


def script_tags(runtime: ChartRuntime) -> Markup:
    """The stylesheet and scripts for pages with embedded charts."""
    css = url_for("pyecharts.static", filename="flask-pyecharts.css")
    tags = [f'<link rel="stylesheet" href="{escape(css)}">']
    tags += [f'<script src="{escape(url)}"></script>' for url in script_urls(runtime)]
    return Markup("".join(tags))
