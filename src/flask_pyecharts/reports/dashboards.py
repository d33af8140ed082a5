"""Dashboard pages: live charts in a responsive grid, or in a layout, with
the filter bar of the variables they use."""

from __future__ import annotations

import typing as t

from flask import Flask, Response, render_template, request, url_for
from markupsafe import Markup

from ..live.runtime import current_runtime
from ..locale import (
    misspelt_notice,
    page_response,
    request_locale,
    translate,
    translator,
)
from ..variables import ChoicesError, parent_value, undecodable_parameters
from ..web.embed import (
    misspelt_variables,
    page_scripts,
    page_variables,
    variables_json,
)
from .areas import area_cards, layout_url, visible_specs
from .site import navigation

if t.TYPE_CHECKING:
    from ..live.runtime import Runtime
    from ..registry import ChartSpec, DashboardSpec
    from ..variables import VariableSpec


def register_dashboard(app: Flask, spec: DashboardSpec) -> None:
    """Add the dashboard's URL rule to ``app``."""

    def view() -> Response:
        runtime = current_runtime()
        assert runtime is not None  # the route is registered with it
        return page_response(render_dashboard(spec), runtime.settings.locale)

    view.__name__ = spec.endpoint
    app.add_url_rule(spec.rule, spec.endpoint, view)


def render_dashboard(spec: DashboardSpec) -> str:
    """The dashboard page, with every chart's current option inlined.

    A dashboard showing a chart the viewer may not see answers ``404``, like
    an unknown page. Misspelt variables in its URL are named in the filter
    bar's notice (the client then drops them from the URL).
    """
    runtime = current_runtime()
    assert runtime is not None  # the route is registered with it
    specs = visible_specs(runtime, spec.names)
    locale = request_locale(runtime.settings.locale)
    values, problems = page_variables(runtime)
    declared = variables_json(runtime, specs)
    misspelt = misspelt_variables(runtime, specs)
    names = [variable.name for variable in runtime.registry.variables_of(specs)]
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
        filters=filters(runtime, specs, values, problems, locale),
        misspelt=list(misspelt),
        misspelt_notice=misspelt_notice(locale, misspelt, names) if misspelt else "",
        declared=None if declared is None else Markup(declared),
        lang=locale,
        t=translator(locale),
        nav=navigation(runtime, spec),
        kiosk=request.args.get("kiosk") == "1",
    )


def filters(
    runtime: Runtime,
    specs: t.Sequence[ChartSpec],
    values: t.Mapping[str, str],
    problems: t.Mapping[str, str],
    locale: str = "en",
) -> list[dict[str, t.Any]]:
    """The filter bar: one control per variable the charts use or set on
    click, showing the value of the page's URL (or the default), and what is
    wrong with the URL's value, in ``locale``."""
    clicked = {name for chart in specs for name, _ in chart.on_click}
    found = []
    for variable in runtime.registry.variables_of(specs):
        item: dict[str, t.Any] = {
            "name": variable.name,
            "label": variable.label,
            "drill": variable.name in clicked,
            "parent": variable.parent.name if variable.parent is not None else None,
            "problem": _problem(locale, variable, problems, values),
        }
        try:
            described = variable.describe(parent_value(variable, values))
        except ChoicesError:
            problem = translate(locale, "choices_failed", label=variable.label)
            item.update(control="text", value="", problem=problem, disabled=True)
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


def _problem(
    locale: str,
    variable: VariableSpec,
    problems: t.Mapping[str, str],
    values: t.Mapping[str, str],
) -> str | None:
    """What is wrong with the URL's value of ``variable``, for people."""
    if variable.name not in problems:
        return None
    given = request.args.getlist(variable.name)
    label = variable.label
    if variable.name in undecodable_parameters(request.query_string):
        return translate(locale, "not_text", label=label)
    if len(given) != 1:
        return translate(locale, "repeated", label=label, count=len(given))
    try:
        choices = variable.describe(parent_value(variable, values))["choices"]
    except ChoicesError:
        return translate(locale, "choices_failed", label=label)
    if choices is None:
        return _out_of_bounds(locale, variable, given[0]) or translate(
            locale, "not_valid", value=given[0][:64], label=label
        )
    listed = ", ".join(str(choice) for choice in choices[:10])
    listed += ", …" if len(choices) > 10 else ""
    return translate(
        locale, "not_allowed", value=given[0][:64], label=label, choices=listed
    )


def _out_of_bounds(locale: str, variable: VariableSpec, text: str) -> str | None:
    """ "must be at least/most ..." for a well-formed value past a bound."""
    low, high = variable.min, variable.max
    try:
        value = variable.convert(text)
        if low is not None and value < variable.convert(low):  # type: ignore[operator]
            return translate(locale, "at_least", label=variable.label, min=low)
        if high is not None and value > variable.convert(high):  # type: ignore[operator]
            return translate(locale, "at_most", label=variable.label, max=high)
    except (TypeError, ValueError):
        pass
    return None
