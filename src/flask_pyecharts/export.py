"""Export a dashboard as one self-contained HTML file that opens offline, or
as the PNG or PDF that Chromium draws of that file.

The file holds each chart's current option (a stream's current window) for
the variables asked (their defaults otherwise), the stylesheet, ECharts with
the extensions and themes the charts need, and the client runtime, all
inline: no request leaves the page. Charts are exported as static charts
(``kind: "static"``), so the runtime draws them once, with ``JsCode`` functions
revived and long labels fitted as on the live page. :func:`write_image` opens
that file in headless Chromium with the network cut off (Playwright, the
``export`` extra) and saves what it draws.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import tempfile
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
from .variables import ChoicesError, VariableError

if t.TYPE_CHECKING:
    from .registry import ChartSpec

if t.TYPE_CHECKING:
    from flask import Flask

    from .live.runtime import Runtime
    from .registry import DashboardSpec

__all__ = [
    "FORMATS",
    "Export",
    "ExportError",
    "export_dashboard",
    "find_chromium",
    "write_image",
]

#: The formats an export is written in.
FORMATS = ("html", "png", "pdf")
#: The page width Chromium draws exports at (CSS pixels).
EXPORT_WIDTH = 1280
#: Seconds Chromium may take to draw an exported page.
RENDER_TIMEOUT = 30.0

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
.fpe-export-variable strong { color: var(--fpe-fg); font-weight: 600; }
</style>
</head>
<body class="fpe-dashboard">
<header class="fpe-header">
<h1>{{ title }}</h1>
<div class="fpe-meta"><span>{{ snapshot }} \
<time datetime="{{ taken.isoformat() }}">{{ taken.strftime(time_format) }}</time>\
</span>
{%- for item in variables %}
<span class="fpe-export-variable">{{ item.label }}: \
<strong>{{ item.value }}</strong></span>
{%- endfor %}
</div>
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
    #: The variables the charts were built for: name -> value (canonical text).
    variables: dict[str, str] = field(default_factory=dict)


def export_dashboard(
    app: Flask,
    rule: str | None = None,
    *,
    names: t.Sequence[str] | None = None,
    title: str | None = None,
    wait: float = 5.0,
    variables: t.Mapping[str, str] | None = None,
) -> Export:
    """Render a dashboard of ``app`` as one self-contained HTML page.

    :param rule: the dashboard's URL rule (``"/"``); default the first one.
    :param names: export these charts instead of a dashboard.
    :param title: the page title; default the dashboard's.
    :param wait: seconds to wait for each stream's producer to run once, so a
        freshly started app exports its streams with data.
    :param variables: values of variables, as in URLs (``{"region": "华东"}``);
        the others take their defaults.
    :raises ExportError: no such dashboard or chart, a variable unknown or not
        allowed, or assets not built.
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
    values = _variables(runtime, variables or {})
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
            card, dependencies, problem = _card(runtime, name, values)
            cards.append(card)
            if problem:
                problems.append(problem)
            scripts += [item for item in dependencies if item not in scripts]
        specs = [runtime.registry.chart(name) for name in names]
        shown = _shown_variables(runtime, specs, values)
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
            variables=shown,
            stylesheet=Markup(_text(STATIC_DIR / "flask-pyecharts.css", "style")),
            scripts=[Markup(_text(path, "script")) for path in files],
        )
    )
    exported = [card["name"] for card in cards if card["initial"]]
    used = {item["name"]: item["value"] for item in shown}
    return Export(page, exported, problems, used)


def _variables(runtime: Runtime, given: t.Mapping[str, str]) -> dict[str, str]:
    """Check the variables asked for, as the API does."""
    declared = runtime.registry.variables
    values = {}
    for name, text in given.items():
        spec = declared.get(name)
        if spec is None:
            known = ", ".join(declared) or "none are declared"
            raise ExportError(f"No variable named {name!r}; the variables are {known}.")
        try:
            values[name] = spec.parse(text)
        except (VariableError, ChoicesError) as error:
            raise ExportError(str(error)) from None
    return values


def _shown_variables(
    runtime: Runtime, specs: list[ChartSpec], values: t.Mapping[str, str]
) -> list[dict[str, str]]:
    """The variables the exported charts use, with the values they were built for."""
    shown = []
    for variable in runtime.registry.variables_of(specs):
        if not any(variable.name in spec.variables for spec in specs):
            continue  # only set by clicks, which an export has none of
        try:
            value = values.get(variable.name) or variable.default_text()
        except ChoicesError as error:
            raise ExportError(str(error)) from None
        shown.append({"name": variable.name, "label": variable.label, "value": value})
    return shown


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
    runtime: Runtime, name: str, values: t.Mapping[str, str]
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
        topic = runtime.topic(spec, values)
        document = loads(runtime.document(spec, topic).body)
        dependencies = runtime.option(spec, topic).dependencies
        script_urls(dependencies, "/")  # raises if not bundled
    except (BuildError, UnsupportedDependencyError, UnknownChart) as error:
        card["error"] = f"This chart could not be exported: {error}"
        return card, (), f"chart {name!r}: {error}"
    static = {
        "kind": "static",
        "functions": document.get("functions", []),
        "scripts": [],  # inlined in the page
        "option": document["option"],
    }
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


# -- images ---------------------------------------------------------------------


def find_chromium(path: str | os.PathLike[str] | None = None) -> str:
    """The Chromium (or Chrome) to draw exports with: ``path``, else
    ``$FLASK_PYECHARTS_CHROMIUM``, else ``chromium`` on the PATH.

    :raises ExportError: when there is none.
    """
    wanted = path or os.environ.get("FLASK_PYECHARTS_CHROMIUM")
    if wanted:
        if not os.access(wanted, os.X_OK) or os.path.isdir(wanted):
            raise ExportError(f"No Chromium at {str(wanted)!r}: give the path of one.")
        return str(wanted)
    for name in (
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ):
        found = shutil.which(name)
        if found:
            return found
    raise ExportError(
        "PNG and PDF export need Chromium: install it (Debian: apt-get install"
        " chromium) or give its path with --chromium."
    )


def write_image(
    html: str,
    output: Path,
    format: str,
    *,
    chromium: str | os.PathLike[str] | None = None,
    width: int = EXPORT_WIDTH,
    scale: float | None = None,
) -> list[str]:
    """Draw an exported page in headless Chromium, offline, and save it.

    The page is opened from a file with every network request refused, so it
    shows exactly what the HTML file shows. PNG: the whole page, ``width`` CSS
    pixels wide. PDF: one page the size of the whole page (screen styles,
    backgrounds), charts drawn at twice the resolution by default.

    :param format: ``"png"`` or ``"pdf"``.
    :param chromium: the browser (see :func:`find_chromium`).
    :param scale: device pixels per CSS pixel (default 1 for PNG, 2 for PDF).
    :returns: the requests the page tried to make (refused); none for our pages.
    :raises ExportError: Playwright or Chromium missing, or the page not drawn.
    """
    if format not in ("png", "pdf"):
        raise ExportError(f"Cannot draw a {format!r} image: use 'png' or 'pdf'.")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ExportError(
            "PNG and PDF export need Playwright: pip install"
            " 'Flask-PyEcharts[export]' (it drives your own Chromium; no browser"
            " is downloaded)."
        ) from None
    executable = find_chromium(chromium)
    refused: list[str] = []
    with tempfile.TemporaryDirectory(prefix="flask-pyecharts-") as folder:
        page_file = Path(folder) / "export.html"
        page_file.write_text(html, encoding="utf-8")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=executable, headless=True, args=_chromium_args()
                )
                try:
                    _draw(browser, page_file, output, format, width, scale, refused)
                finally:
                    browser.close()
        except PlaywrightError as error:
            message = str(error).strip().splitlines()[0]
            raise ExportError(f"Chromium could not draw the page: {message}") from None
    return refused


def _chromium_args() -> list[str]:
    args = ["--disable-gpu", "--no-first-run", "--disable-background-networking"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses root otherwise
    return args


_DRAWN = """() => [...document.querySelectorAll(".fpe-chart")].every((el) => {
    const state = el.getAttribute("data-fpe-state");
    if (state === "error") return true;
    const chart = window.FlaskPyecharts && FlaskPyecharts.instance(el);
    return state === "static" && chart && chart.getZr().animation.isFinished();
})"""


_FREEZE_SIZES = """() => document.querySelectorAll(".fpe-chart").forEach((el) => {
    el.style.height = el.clientHeight + "px";
    el.style.width = el.clientWidth + "px";
})"""
_CONTENT_HEIGHT = """() => Math.ceil(Math.max(...[...document.body.children].map(
    (el) => el.getBoundingClientRect().bottom + window.scrollY)))"""


def _draw(
    browser: t.Any,
    page_file: Path,
    output: Path,
    format: str,
    width: int,
    scale: float | None,
    refused: list[str],
) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        device_scale_factor=scale or (2.0 if format == "pdf" else 1.0),
        offline=True,
    )
    page = context.new_page()

    def refuse(route: t.Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", refuse)
    page.goto(page_file.as_uri())
    page.wait_for_function(_DRAWN, timeout=RENDER_TIMEOUT * 1000)
    page.evaluate("document.fonts.ready.then(() => true)")
    height = page.evaluate(_CONTENT_HEIGHT)
    if format == "png":  # the page down to its last card, no blank below
        clip = {"x": 0, "y": 0, "width": width, "height": height}
        page.screenshot(path=str(output), full_page=True, clip=clip)
        return
    page.emulate_media(media="screen")
    # A PDF page is as high as the content, so 'vh' changes: keep chart sizes.
    page.evaluate(_FREEZE_SIZES)
    page.pdf(
        path=str(output),
        width=f"{width}px",
        height=f"{height + 1}px",
        print_background=True,
        margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
        page_ranges="1",
    )
