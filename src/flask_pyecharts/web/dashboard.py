"""Dashboard pages: a responsive grid of live charts."""

from __future__ import annotations

import typing as t

from flask import Flask, abort, render_template, url_for
from markupsafe import Markup

from ..live.runtime import current_runtime
from ..registry import UnknownChart
from ..variables import ChoicesError, parent_value
from .embed import (
    initial_json,
    page_scripts,
    page_variables,
    uses_attribute,
    variables_json,
)

if t.TYPE_CHECKING:
    from ..live.runtime import Runtime
    from ..registry import ChartSpec, DashboardSpec


def register_dashboard(app: Flask, spec: DashboardSpec) -> None:
    """Add the dashboard's URL rule to ``app``."""

    def view() -> str:
        return render_dashboard(spec)

    view.__name__ = spec.endpoint
    app.add_url_rule(spec.rule, spec.endpoint, view)


def render_dashboard(spec: DashboardSpec) -> str:
    """The dashboard page, with every chart's current option inlined.

    A dashboard showing a chart the viewer may not see answers ``404``, like
    an unknown page.
    """
    runtime = current_runtime()
    assert runtime is not None  # the route is registered with it
    specs = []
    for name in spec.names:
        try:
            specs.append(runtime.registry.visible(name))
        except UnknownChart:
            abort(404)
    values, problems = page_variables(runtime)
    charts = []
    for chart in specs:
        wrong = any(name in problems for name in chart.variables)
        initial = None if wrong else initial_json(runtime, chart, values)
        charts.append(
            {
                "name": chart.name,
                "url": url_for("pyecharts.chart", name=chart.name),
                "title": chart.label,
                "initial": _markup(initial),
                "uses": Markup(uses_attribute(chart)),
            }
        )
    declared = variables_json(runtime, specs)
    return render_template(
        "flask_pyecharts/dashboard.html",
        title=spec.title,
        charts=charts,
        columns=spec.columns,
        scripts=page_scripts(runtime),
        stylesheet=url_for("pyecharts.static", filename="flask-pyecharts.css"),
        favicon=url_for("pyecharts.static", filename="favicon.svg"),
        api_base=url_for("pyecharts.list_charts").removesuffix("charts"),
        transport=runtime.settings.transport,
        strict_csp=runtime.settings.strict_csp,
        filters=filters(runtime, specs, values, problems),
        declared=_markup(declared),
    )


def filters(
    runtime: Runtime,
    specs: t.Sequence[ChartSpec],
    values: t.Mapping[str, str],
    problems: t.Mapping[str, str],
) -> list[dict[str, t.Any]]:
    """The filter bar: one control per variable the charts use or set on
    click, showing the value of the page's URL (or the default)."""
    clicked = {name for chart in specs for name, _ in chart.on_click}
    found = []
    for variable in runtime.registry.variables_of(specs):
        item: dict[str, t.Any] = {
            "name": variable.name,
            "label": variable.label,
            "drill": variable.name in clicked,
            "parent": variable.parent.name if variable.parent is not None else None,
            "problem": problems.get(variable.name),
        }
        try:
            described = variable.describe(parent_value(variable, values))
        except ChoicesError as error:
            item.update(control="text", value="", problem=str(error), disabled=True)
            found.append(item)
            continue
        if described["choices"] is not None:
            control = "select"
        else:
            control = {"int": "number", "float": "number", "date": "date"}.get(
                described["type"], "text"
            )
        item.update(
            control=control,
            value=values.get(variable.name, described["default"]),
            default=described["default"],
            choices=described["choices"],
            step="1" if described["type"] == "int" else "any",
            min=described["min"],
            max=described["max"],
            disabled=False,
        )
        found.append(item)
    return found


def _markup(initial: str | None) -> Markup | None:
    """Script-safe JSON is inserted as is: HTML escaping would corrupt it."""
    return None if initial is None else Markup(initial)
