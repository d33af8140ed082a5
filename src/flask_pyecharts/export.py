"""Export a dashboard as one self-contained HTML file that opens offline, or
as the PNG or PDF that Chromium draws of that file.

The file holds each chart's current option (a stream's current window) for
the variables asked (their defaults otherwise), the stylesheet, ECharts with
the extensions and themes the charts need, and the client runtime, all
inline: no request leaves the page. Charts are exported as static charts
(``kind: "static"``), so the runtime draws them once, with ``JsCode`` functions
revived and long labels fitted as on the live page.

:func:`export_dashboard` exports from an app object (its store: with the
memory store, a new process holds no appended points); :func:`export_url`
exports what a running server shows, through its JSON API. :func:`write_image`
opens an exported page in headless Chromium with the network cut off
(Playwright, the ``export`` extra) and saves what it draws, as PNG or PDF.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import tempfile
import time
import typing as t
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urljoin, urlsplit

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
    "export_url",
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
#: Seconds to wait for each answer of a running server (:func:`export_url`).
HTTP_TIMEOUT = 10.0
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
    _require(files)
    extras = [_read(path) for path in files[1:]]
    return _page(title, columns, cards, extras, problems, shown)


def export_url(url: str, *, title: str | None = None) -> Export:
    """Render the charts a running server shows at ``url`` as one
    self-contained HTML page, from its JSON API.

    :param url: a page of the server with live charts (a dashboard, a page
        with ``charts.embed`` or ``data-chart`` elements), or its chart list
        (``http://host:5000/charts/api/charts``) for every chart.
    :param title: the page title; default the page's.
    :raises ExportError: the server cannot be reached, or shows no charts there.
    """
    body, content_type = _fetch(url)
    page = _ChartsInPage()
    if content_type == "application/json":
        listing = _json_body(body, url).get("charts")
        if not isinstance(listing, list):
            raise ExportError(
                f"{url} is JSON but not the chart list of Flask-PyEcharts."
            )
        base = url.split("?")[0].rstrip("/")
        urls = [
            f"{base}/{item['name']}"
            for item in listing
            if isinstance(item, dict) and isinstance(item.get("name"), str)
        ]
    else:
        page.feed(body.decode("utf-8", "replace"))
        urls = list(dict.fromkeys(urljoin(url, chart) for chart in page.charts))
    if not urls:
        raise ExportError(
            f"No live charts at {url}: give the address of a dashboard (or any page"
            " with charts) of the running server, or its chart list, such as"
            " http://127.0.0.1:5000/charts/api/charts."
        )
    titles = _titles(urls[0])
    cards, problems, scripts = [], [], []
    for chart_url in urls:
        name = urlsplit(chart_url).path.rsplit("/", 1)[-1]
        card = {"name": name, "title": titles.get(name, name), "initial": None}
        try:
            document = _json_body(_fetch(chart_url)[0], chart_url)
            shown = document.get("option", document.get("composite"))
            if not isinstance(shown, dict):
                raise ExportError(f"{chart_url} is not a chart document.")
        except ExportError as error:
            card["error"] = f"This chart could not be exported: {error}"
            problems.append(f"chart {name!r}: {error}")
        else:
            card["initial"] = _static(document)
            card["error"] = ""
            for script in document.get("scripts") or []:
                script = urljoin(chart_url, script)
                if script not in scripts:
                    scripts.append(script)
        cards.append(card)
    texts = [_fetch(script)[0].decode("utf-8") for script in scripts]
    return _page(title or page.title or "Charts", page.columns, cards, texts, problems)


def _page(
    title: str,
    columns: int,
    cards: list[dict[str, t.Any]],
    extras: list[str],
    problems: list[str],
    shown: list[dict[str, str]] | None = None,
) -> Export:
    """The page around ``cards``: ECharts, the ``extras`` scripts (extensions,
    themes) and the runtime, inline; ``shown``: the variables it was built for
    (name, label and value of each)."""
    shown = shown or []
    files = [VENDOR_DIR / "echarts.min.js", STATIC_DIR / "flask-pyecharts.js"]
    _require(files)
    scripts = [_read(files[0]), *extras, _read(files[1])]
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
            stylesheet=Markup(
                _inline(_read(STATIC_DIR / "flask-pyecharts.css"), "style")
            ),
            scripts=[Markup(_inline(source, "script")) for source in scripts],
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


def _require(files: list[Path]) -> None:
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise ExportError(
            f"Missing browser assets ({', '.join(missing)}): run"
            " 'python scripts/build_assets.py' or reinstall Flask-PyEcharts."
        )


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
    card["initial"] = _static(document)
    return card, dependencies, None


def _static(document: dict[str, t.Any]) -> Markup:
    """A chart document as a static one, script-safe (its scripts are inlined)."""
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
    return Markup(script_safe(dumps(static)))


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


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _inline(source: str, element: str) -> str:
    """Script or stylesheet text that is safe inside an inline ``<script>`` or
    ``<style>`` element."""
    # Only "</script" / "</style" (any case) or "<!--" could end or confuse the
    # element; in JavaScript and CSS they can only appear inside strings,
    # where "<\\/" and "<\\!--" mean the same.
    source = re.sub(rf"</({element})", r"<\\/\1", source, flags=re.IGNORECASE)
    return source.replace("<!--", "<\\!--")


# -- a running server ---------------------------------------------------------


def _fetch(url: str) -> tuple[bytes, str]:
    """``GET url``: the body and its media type.

    :raises ExportError: naming the URL and what went wrong (the server's JSON
        error when it sent one).
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise ExportError(f"Give an http:// or https:// address, not {url!r}.")
    request = urllib.request.Request(url, headers={"Accept": "application/json, */*"})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            return response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        try:
            message = loads(error.read())["error"]
        except (ValueError, KeyError, TypeError):
            message = error.reason
        raise ExportError(f"{url} answered {error.code}: {message}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ExportError(
            f"Cannot reach {url} ({reason}): is the app running there?"
        ) from None


def _json_body(body: bytes, url: str) -> dict[str, t.Any]:
    try:
        value = loads(body)
    except ValueError:
        raise ExportError(f"{url} did not answer JSON.") from None
    if not isinstance(value, dict):
        raise ExportError(f"{url} did not answer a JSON object.")
    return value


def _titles(chart_url: str) -> dict[str, str]:
    """Chart name -> title, from the chart list next to ``chart_url`` (empty
    if it fails: the names stand in)."""
    parts = urlsplit(chart_url)
    listing = parts._replace(path=parts.path.rsplit("/", 1)[0], query="").geturl()
    try:
        charts = _json_body(_fetch(listing)[0], listing).get("charts")
    except ExportError:
        return {}
    return {
        item["name"]: str(item.get("title") or item["name"])
        for item in charts or []
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    }


class _ChartsInPage(HTMLParser):
    """What a page shows: its title, its grid's columns, its live charts."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.columns = 2
        #: The ``data-chart`` URLs, in order.
        self.charts: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("data-chart"):
            self.charts.append(t.cast(str, found["data-chart"]))
        grid = re.search(r"\bfpe-grid--cols-(\d)\b", found.get("class") or "")
        if grid:
            self.columns = int(grid.group(1))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data.strip()


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
