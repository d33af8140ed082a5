"""Dashboard pages: live charts in a responsive grid, or in a layout, with
the filter bar of the variables they use."""

from __future__ import annotations

import typing as t

from flask import Flask, render_template, url_for
from markupsafe import Markup

from ..live.runtime import current_runtime
from ..variables import ChoicesError, parent_value
from ..web.embed import page_scripts, page_variables, variables_json
from .areas import area_cards, layout_url, visible_specs

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
    specs = visible_specs(runtime, spec.names)
    values, problems = page_variables(runtime)
    declared = variables_json(runtime, specs)
    return render_template(
        "flask_pyecharts/dashboard.html",
        title=spec.title,
        description=spec.description,
        charts=area_cards(runtime, specs, values, problems),
        columns=spec.columns,
        layout=layout_url(runtime, spec),
        scripts=page_scripts(runtime),
        stylesheet=url_for("pyecharts.static", filename="flask-pyecharts.css"),
        favicon=url_for("pyecharts.static", filename="favicon.svg"),
        api_base=url_for("pyecharts.list_charts").removesuffix("charts"),
        transport=runtime.settings.transport,
        strict_csp=runtime.settings.strict_csp,
        renew_after=runtime.settings.renew_after,
        filters=filters(runtime, specs, values, problems),
        declared=None if declared is None else Markup(declared),
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
