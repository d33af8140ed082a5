"""Export a dashboard as one self-contained HTML file that opens offline.

The file holds each chart's current option (a stream's current window), the
stylesheet, ECharts with the extensions and themes the charts need, and the
client runtime, all inline: no request leaves the page. Charts are exported as
static charts (``kind: "static"``), so the runtime draws them once, with
``JsCode`` functions revived and long labels fitted as on the live page.
"""

from __future__ import annotations

import datetime
import re
import time
import typing as t
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import jinja2
from markupsafe import Markup

from ._json import dumps, loads, script_safe
from .assets import VENDOR_DIR, UnsupportedDependencyError, script_urls
from .live.option_cache import BuildError
from .registry import UnknownChart

if t.TYPE_CHECKING:
    from flask import Flask

    from .live.runtime import Runtime
    from .registry import DashboardSpec

__all__ = ["Export", "ExportError", "export_dashboard"]

STATIC_DIR = Path(__file__).parent / "web" / "static"
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
.fpe-export-error { color: var(--fpe-error); min-height: 200px; margin: 0; }
</style>
</head>
<body class="fpe-dashboard">
<header class="fpe-header">
<h1>{{ title }}</h1>
<div class="fpe-meta"><span>{{ snapshot }} \
<time datetime="{{ taken.isoformat() }}">{{ taken.strftime(time_format) }}</time>\
</span></div>
</header>
<main class="fpe-grid fpe-grid--cols-{{ columns }}">
{%- for chart in charts %}
<section class="fpe-card" aria-labelledby="fpe-title-{{ loop.index }}">
<h2 id="fpe-title-{{ loop.index }}">{{ chart.title }}</h2>
{%- if chart.initial %}
<div class="fpe-chart" data-fpe-name="{{ chart.name }}">\
<script type="application/json" class="fpe-initial">{{ chart.initial }}</script></div>
{%- else %}
<p class="fpe-export-error" role="alert">{{ chart.error }}</p>
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


def export_dashboard(
    app: Flask,
    rule: str | None = None,
    *,
    names: t.Sequence[str] | None = None,
    title: str | None = None,
    wait: float = 5.0,
) -> Export:
    """Render a dashboard of ``app`` as one self-contained HTML page.

    :param rule: the dashboard's URL rule (``"/"``); default the first one.
    :param names: export these charts instead of a dashboard.
    :param title: the page title; default the dashboard's.
    :param wait: seconds to wait for each stream's producer to run once, so a
        freshly started app exports its streams with data.
    :raises ExportError: no such dashboard or chart, or assets not built.
    """
    runtime: Runtime | None = app.extensions.get("pyecharts")
    if runtime is None:
        raise ExportError(
            "Charts is not registered on this app. Did you forget to call 'init_app'?"
        )
    columns = 2
    if names is None:
        dashboard = _dashboard(runtime, rule)
        names, columns = dashboard.names, dashboard.columns
        title = title or dashboard.title
    title = title or "Charts"
    for name in names:
        if name not in runtime.registry.charts:
            raise ExportError(f"No chart named {name!r} is registered.")
    vendor = str(VENDOR_DIR) + "/"
    with app.test_request_context():
        # The access check applies as on the live pages (here to a request
        # with no user): what it refuses is left out.
        refused = [name for name in names if not runtime.registry.allows(name)]
        names = [name for name in names if name not in refused]
        problems = _wait_for_producers(runtime, names, wait)
        problems += [
            f"chart {name!r}: left out, the access check refuses it" for name in refused
        ]
        cards, scripts = [], ["echarts"]
        for name in names:
            card, dependencies, problem = _card(runtime, name)
            cards.append(card)
            if problem:
                problems.append(problem)
            scripts += [item for item in dependencies if item not in scripts]
    files = [Path(url) for url in script_urls(scripts, vendor)]
    files.append(STATIC_DIR / "flask-pyecharts.js")
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise ExportError(
            f"Missing browser assets ({', '.join(missing)}): run"
            " 'python scripts/build_assets.py' or reinstall Flask-PyEcharts."
        )
    chinese = bool(_CJK.search(title))
    page = (
        _environment()
        .from_string(_TEMPLATE)
        .render(
            lang="zh-CN" if chinese else "en",
            snapshot="数据快照" if chinese else "Snapshot of",
            time_format="%Y-%m-%d %H:%M:%S",
            version=version("Flask-PyEcharts"),
            title=title,
            taken=datetime.datetime.now().replace(microsecond=0),
            columns=min(max(columns, 1), 6),
            charts=cards,
            stylesheet=Markup(_text(STATIC_DIR / "flask-pyecharts.css", "style")),
            scripts=[Markup(_text(path, "script")) for path in files],
        )
    )
    exported = [card["name"] for card in cards if card["initial"]]
    return Export(page, exported, problems)


def _dashboard(runtime: Runtime, rule: str | None) -> DashboardSpec:
    dashboards = runtime.registry.dashboards
    if not dashboards:
        raise ExportError(
            "This app has no dashboard: add one with charts.dashboard(rule, names)."
        )
    if rule is None:
        return dashboards[0]
    for dashboard in dashboards:
        if dashboard.rule == rule:
            return dashboard
    rules = ", ".join(repr(dashboard.rule) for dashboard in dashboards)
    raise ExportError(f"No dashboard at {rule!r}; the dashboards are at {rules}.")


def _card(
    runtime: Runtime, name: str
) -> tuple[dict[str, t.Any], tuple[str, ...], str | None]:
    """One chart's card: its static document, its dependencies, any problem."""
    spec = runtime.registry.chart(name)
    card: dict[str, t.Any] = {
        "name": name,
        "title": spec.label,
        "initial": None,
        "error": "",
    }
    try:
        document = loads(runtime.document(spec).body)
        dependencies = runtime.option(spec).dependencies
        script_urls(dependencies, "/")  # raises if not bundled
    except (BuildError, UnsupportedDependencyError, UnknownChart) as error:
        card["error"] = f"This chart could not be exported: {error}"
        return card, (), f"chart {name!r}: {error}"
    static = {
        "kind": "static",
        "functions": document.get("functions", []),
        "scripts": [],  # inlined in the page
    }
    for key in ("option", "composite"):  # one chart, or a Page, Tab, component
        if key in document:
            static[key] = document[key]
    for key in ("theme", "fit_labels"):
        if key in document:
            static[key] = document[key]
    card["initial"] = Markup(script_safe(dumps(static)))
    return card, dependencies, None


def _wait_for_producers(
    runtime: Runtime, names: t.Sequence[str], timeout: float
) -> list[str]:
    """Wait until each exported stream's producer has run once.

    A producer's cursor is kept in the store under ``producer:<chart>`` once it
    has run (see :mod:`flask_pyecharts.producers`).
    """
    pending = [name for name in names if name in runtime.registry.producers]
    deadline = time.monotonic() + timeout
    while pending:
        pending = [n for n in pending if runtime.store.get_blob(_key(n)) is None]
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    return [
        f"chart {name!r}: its producer has not run yet; exported without new points"
        for name in pending
    ]


def _key(chart: str) -> str:
    return f"producer:{chart}"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def _text(path: Path, element: str) -> str:
    """A file's text, safe inside an inline ``<script>`` or ``<style>`` element."""
    source = path.read_text(encoding="utf-8")
    # Only "</script" / "</style" (any case) or "<!--" could end or confuse the
    # element; in JavaScript and CSS they can only appear inside strings,
    # where "<\\/" and "<\\!--" mean the same.
    source = re.sub(rf"</({element})", r"<\\/\1", source, flags=re.IGNORECASE)
    return source.replace("<!--", "<\\!--")
