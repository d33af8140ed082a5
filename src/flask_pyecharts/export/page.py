"""The exported page: one self-contained HTML file that opens offline.

It holds the charts (as static documents: the runtime draws them once, with
``JsCode`` functions revived and long labels fitted as on the live page), the
stylesheet, ECharts with the extensions, maps and themes the charts need, and
the client runtime, all inline: no request leaves the page.
"""

from __future__ import annotations

import datetime
import re
import typing as t
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import jinja2
from markupsafe import Markup

from .._json import dumps, script_safe
from ..assets import VENDOR_DIR
from ..locale import translate

__all__ = ["Export", "ExportError", "page", "require", "read", "static_card"]

#: The runtime and its stylesheet.
STATIC_DIR = VENDOR_DIR.parent
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")

_TEMPLATE = """\
<!doctype html>
<html lang="{{ lang }}" data-fpe-theme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Flask-PyEcharts {{ version }}">
<title>{{ title }}</title>
<link rel="icon" href="data:,">
<style>{{ stylesheet }}
{{ layout -}}
.fpe-export-failed { position: relative; height: clamp(260px, 42vh, 480px); }
.fpe-export-failed .fpe-state { max-width: calc(100% - 24px); }
.fpe-export-reason { display: block; color: var(--fpe-muted); overflow-wrap: anywhere; }
.fpe-export-variable strong { color: var(--fpe-fg); font-weight: 600; }
@media print {
  .fpe-header { position: static; break-after: avoid; }
  .fpe-card { break-inside: avoid; box-shadow: none; }
}
</style>
</head>
<body class="fpe-dashboard">
<header class="fpe-header">
<h1>{{ title }}</h1>
<div class="fpe-meta"><span>{{ snapshot }} \
<time datetime="{{ taken.isoformat() }}">{{ taken.strftime(time_format) }}</time>\
</span>
{%- if variables %}
<span>{{ for_values }}</span>
{%- endif %}
{%- for item in variables %}
<span class="fpe-export-variable">{{ item.label }}: \
<strong>{{ item.value }}</strong></span>
{%- endfor %}
</div>
</header>
<main class="fpe-grid \
{% if layout %}fpe-layout{% else %}fpe-grid--cols-{{ columns }}{% endif %}">
{%- for chart in charts %}
<section class="fpe-card fpe-card--{{ chart.display }}\
{% if chart.ident %} fpe-area-{{ chart.ident }}{% endif %}"\
{% if chart.title %} aria-labelledby="fpe-title-{{ loop.index }}"{% endif %}>
{%- if chart.title %}
<h2 id="fpe-title-{{ loop.index }}">{{ chart.title }}</h2>
{%- endif %}
{%- if chart.initial %}
<div class="fpe-chart" data-fpe-name="{{ chart.name }}"\
{% if chart.title_from_option %} data-fpe-title="option"{% endif %}>\
<script type="application/json" class="fpe-initial">{{ chart.initial }}</script></div>
{%- else %}
<div class="fpe-export-failed">\
<p class="fpe-state fpe-state--error fpe-state--overlay" role="alert">{{ failed }}\
<span class="fpe-export-reason">{{ chart.error }}</span></p></div>
{%- endif %}
</section>
{%- endfor %}
</main>
{%- for script in scripts %}
<script>{{ script }}</script>
{%- endfor %}
</body>
</html>
"""


class ExportError(RuntimeError):
    """The dashboard cannot be exported (no such dashboard, assets missing...)."""


@dataclass(frozen=True)
class Export:
    """An exported page."""

    #: The whole page.
    html: str
    #: The charts it shows.
    charts: list[str] = field(default_factory=list)
    #: What went wrong for some charts (they show the message instead).
    problems: list[str] = field(default_factory=list)
    #: The variables the charts were built for: name -> value (canonical text).
    variables: dict[str, str] = field(default_factory=dict)
    #: The charts that could not be exported (a notice in their card instead).
    failed: list[str] = field(default_factory=list)


def page(
    title: str,
    columns: int,
    cards: list[dict[str, t.Any]],
    extras: list[str],
    problems: list[str],
    shown: list[dict[str, str]] | None = None,
    locale: str | None = None,
    layout: str = "",
) -> Export:
    """The page around ``cards``: ECharts, the ``extras`` scripts (extensions,
    themes) and the runtime, inline; ``shown``: the variables it was built for
    (name, label and value of each); ``locale``: the header's language,
    default Chinese for a Chinese title, else English; ``layout``: the
    stylesheet placing the cards in a report's areas (else a grid of
    ``columns``)."""
    shown = shown or []
    files = [VENDOR_DIR / "echarts.min.js", STATIC_DIR / "flask-pyecharts.js"]
    require(files)
    scripts = [read(files[0]), *extras, read(files[1])]
    if locale is None:
        locale = "zh-CN" if _CJK.search(title) else "en"
    page = (
        _environment()
        .from_string(_TEMPLATE)
        .render(
            lang=locale,
            snapshot=translate(locale, "snapshot"),
            for_values=translate(locale, "for_values"),
            failed=translate(locale, "export_failed"),
            time_format="%Y-%m-%d %H:%M:%S",
            version=version("Flask-PyEcharts"),
            title=title,
            taken=datetime.datetime.now().replace(microsecond=0),
            columns=min(max(columns, 1), 6),
            layout=Markup(_inline(layout, "style")),
            charts=cards,
            variables=shown,
            stylesheet=Markup(
                _inline(read(STATIC_DIR / "flask-pyecharts.css"), "style")
            ),
            scripts=[Markup(_inline(source, "script")) for source in scripts],
        )
    )
    exported = [card["name"] for card in cards if card["initial"]]
    used = {item["name"]: item["value"] for item in shown}
    failed = [card["name"] for card in cards if card.get("error")]
    return Export(page, exported, problems, used, failed)


def require(files: list[Path]) -> None:
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise ExportError(
            f"Missing browser assets ({', '.join(missing)}): run"
            " 'python scripts/build_assets.py' or reinstall Flask-PyEcharts."
        )


def static_card(document: dict[str, t.Any]) -> Markup:
    """A chart document as a static one, script-safe (its scripts are inlined)."""
    static = {
        "kind": "static",
        "functions": document.get("functions", []),
        "scripts": [],  # inlined in the page
    }
    for key in ("option", "composite"):  # one chart, or a Page, Tab, component
        if key in document:
            static[key] = document[key]
    for key in ("theme", "fit_labels", "js_functions"):
        if key in document:
            static[key] = document[key]
    return Markup(script_safe(dumps(static)))


def _environment() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _inline(source: str, element: str) -> str:
    """Script or stylesheet text that is safe inside an inline ``<script>`` or
    ``<style>`` element."""
    # Only "</script" / "</style" (any case) or "<!--" could end or confuse the
    # element; in JavaScript and CSS they can only appear inside strings,
    # where "<\\/" and "<\\!--" mean the same.
    source = re.sub(rf"</({element})", r"<\\/\1", source, flags=re.IGNORECASE)
    return source.replace("<!--", "<\\!--")
