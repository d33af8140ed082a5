"""Server-rendered (mixed mode) embedding: chart markup with the option inlined.

The option travels as JSON inside ``<script type="application/json">`` with
``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so data can never close the
element or run: no executable inline script is produced.
"""

from __future__ import annotations

import re
import typing as t

from flask import url_for
from markupsafe import Markup, escape

from .. import assets
from .._json import dumps, script_safe
from ..live.option_cache import BuildError
from ..options import build_document
from ..wire.documents import body_key

if t.TYPE_CHECKING:
    from ..live.runtime import Runtime

_CSS_LENGTH = re.compile(r"\d{1,5}(\.\d{1,3})?(px|%|em|rem|vh|vw)")


def css_length(value: str, what: str) -> str:
    """Validate a CSS length such as ``400px`` or ``100%``."""
    if not isinstance(value, str) or not _CSS_LENGTH.fullmatch(value):
        raise ValueError(f"{what} must be a CSS length such as '400px' or '100%'.")
    return value


def initial_json(runtime: Runtime, name: str) -> str | None:
    """A registered chart's document, script-safe, or ``None`` if it fails to build."""
    try:
        document = runtime.document(runtime.registry.chart(name))
    except BuildError:
        return None
    return script_safe(document.body)


def static_json(runtime: Runtime, chart: t.Any) -> str:
    """A one-off pyecharts chart as a static document, script-safe."""
    document = build_document(chart, name="embedded chart")
    head = {
        "kind": "static",
        "functions": document.functions,
        "scripts": runtime.scripts(document),
        "theme": document.theme,
    }
    key = body_key(document.composite).encode()
    return script_safe(dumps(head)[:-1] + b',"' + key + b'":' + document.body + b"}")


def embed_markup(
    runtime: Runtime, chart: t.Any, height: str = "400px", width: str = "100%"
) -> Markup:
    """The container for a registered chart name or a one-off pyecharts chart.

    A registered chart the viewer may not see embeds as nothing.
    """
    height, width = css_length(height, "height"), css_length(width, "width")
    sizes = (
        f'style="height:{height};width:{width}"'
        f' data-height="{height}" data-width="{width}"'
    )
    if runtime.settings.strict_csp:
        sizes += ' data-csp="strict"'  # tooltips drawn on the canvas
    if isinstance(chart, str):
        runtime.registry.chart(chart)  # raises for unknown names
        if not runtime.registry.allows(chart):
            return Markup("")
        url = url_for("pyecharts.chart", name=chart)
        initial = initial_json(runtime, chart)
        attributes = f' data-chart="{escape(url)}"'
    else:
        initial = static_json(runtime, chart)
        attributes = ""
    inner = (
        f'<script type="application/json" class="fpe-initial">{initial}</script>'
        if initial is not None
        else ""
    )
    return Markup(f'<div class="fpe-chart"{attributes} {sizes}>{inner}</div>')


def page_scripts(runtime: Runtime) -> list[str]:
    """The scripts every chart page loads, in order: echarts (always the
    bundled one), then the runtime."""
    return [
        *assets.script_urls(["echarts"], runtime.vendor_url()),
        url_for("pyecharts.static", filename="flask-pyecharts.js"),
    ]


def script_tags(runtime: Runtime) -> Markup:
    """The stylesheet and scripts for pages with embedded charts."""
    css = url_for("pyecharts.static", filename="flask-pyecharts.css")
    tags = [f'<link rel="stylesheet" href="{escape(css)}">']
    tags += [f'<script src="{escape(url)}"></script>' for url in page_scripts(runtime)]
    return Markup("".join(tags))
