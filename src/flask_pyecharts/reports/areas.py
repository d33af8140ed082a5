"""The areas of a report page: what each card shows, and the CSS grid that
places the cards (served as a small stylesheet, so strict CSPs hold).
"""

from __future__ import annotations

import hashlib
import typing as t

from flask import Flask, Response, abort, request, url_for
from markupsafe import Markup

from .._json import loads
from ..live.runtime import current_runtime
from ..registry import UnknownChart
from ..web.embed import initial_json, uses_attribute

if t.TYPE_CHECKING:
    from ..live.runtime import Runtime
    from ..registry import ChartSpec, ReportSpec

__all__ = ["area_cards", "layout_css", "register_layout_styles"]

#: The size of a row whose areas are all number cards, and of other rows:
#: on dashboards (the page scrolls) and on screens (the rows share the height).
DASHBOARD_ROWS = ("minmax(120px, auto)", "clamp(280px, 42vh, 480px)")
SCREEN_ROWS = ("minmax(120px, auto)", "minmax(0, 1fr)")
#: The widest display on which the areas of a dashboard stack, one a row.
STACK_BELOW = 600


def area_cards(
    runtime: Runtime,
    specs: t.Sequence[ChartSpec],
    values: t.Mapping[str, str],
    problems: t.Mapping[str, str],
) -> list[dict[str, t.Any]]:
    """One card per chart, in reading order: its URL, first paint and heading.

    The heading is the chart's label; else the option's own title, which the
    client then keeps up to date and stops drawing inside the chart; else
    none (never the chart's name). A number card draws its own label.
    """
    cards = []
    for index, chart in enumerate(specs):
        wrong = any(name in problems for name in chart.variables)
        initial = None if wrong else initial_json(runtime, chart, values)
        display = chart.display
        heading, from_option = chart.title, False
        if heading is None and display == "chart" and initial is not None:
            heading = option_title(initial)
            from_option = heading is not None
        cards.append(
            {
                "name": chart.name,
                "ident": f"a{index}",
                "display": display,
                "url": url_for("pyecharts.chart", name=chart.name),
                "title": None if display == "number" else heading,
                "title_from_option": from_option,
                "initial": None if initial is None else Markup(initial),
                "uses": Markup(uses_attribute(chart)),
            }
        )
    return cards


def option_title(document: str) -> str | None:
    """The text of a chart document's option's first title, if it has one."""
    return document_title(loads(document))


def document_title(document: t.Mapping[str, t.Any]) -> str | None:
    """:func:`option_title` of a document already parsed."""
    option = document.get("option")
    if not isinstance(option, dict):
        return None
    titles = option.get("title")
    first = titles[0] if isinstance(titles, list) and titles else titles
    text = first.get("text") if isinstance(first, dict) else None
    return text if isinstance(text, str) and text.strip() else None


def visible_specs(runtime: Runtime, names: t.Iterable[str]) -> list[ChartSpec]:
    """The report's charts; a report showing a chart the viewer may not see
    answers ``404``, like an unknown page."""
    specs = []
    for name in names:
        try:
            specs.append(runtime.registry.visible(name))
        except UnknownChart:
            abort(404)
    return specs


def layout_css(runtime: Runtime, report: ReportSpec) -> str:
    """The CSS that places a report's cards: its grid of named areas (or of
    columns), row sizes by what the rows show, one column on narrow displays.
    Only the report's own page loads it."""
    layout = report.layout
    if layout is None:
        return ""
    charts = runtime.registry.charts
    short = lambda name: charts[name].display == "number"  # noqa: E731
    small, tall = SCREEN_ROWS if report.kind == "screen" else DASHBOARD_ROWS
    rows = " ".join(layout.row_sizes(short, small, tall))
    lines = [
        ".fpe-layout {",
        f"  grid-template-columns: repeat({layout.columns}, minmax(0, 1fr));",
        f"  grid-template-rows: {rows};",
        f"  grid-template-areas: {layout.template_areas()};",
        "}",
    ]
    lines += [
        f".fpe-area-{area.ident} {{ grid-area: {area.ident}; }}"
        for area in layout.areas
    ]
    if report.kind == "screen":
        width, height = report.size  # type: ignore[union-attr]
        lines.append(f".fpe-screen {{ width: {width}px; height: {height}px; }}")
    else:
        lines += [
            f"@media (max-width: {STACK_BELOW}px) {{",
            "  .fpe-layout {",
            "    grid-template-columns: minmax(0, 1fr);",
            "    grid-template-rows: none;",
            "    grid-template-areas: none;",
            "  }",
            "  .fpe-layout > .fpe-card { grid-area: auto; }",
            "}",
        ]
    return "\n".join(lines) + "\n"


def layout_url(runtime: Runtime, report: ReportSpec) -> str | None:
    """Where the report's layout stylesheet is (``None`` for a plain grid)."""
    if report.layout is None:
        return None
    index = runtime.registry.reports().index(report)
    return url_for("pyecharts_report_layout", index=index)


def register_layout_styles(app: Flask, url_prefix: str) -> None:
    """Serve each report's layout stylesheet at ``<prefix>/reports/<n>/layout.css``."""

    def view(index: int) -> Response:
        runtime = current_runtime()
        assert runtime is not None  # the route is registered with it
        reports = runtime.registry.reports()
        if index >= len(reports) or reports[index].layout is None:
            abort(404)
        css = layout_css(runtime, reports[index])
        response = Response(css, mimetype="text/css")
        response.set_etag(hashlib.sha256(css.encode()).hexdigest()[:32])
        response.cache_control.no_cache = True
        response.make_conditional(request)
        return response

    app.add_url_rule(
        f"{url_prefix}/reports/<int:index>/layout.css",
        "pyecharts_report_layout",
        view,
    )
