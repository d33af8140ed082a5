"""Dashboard pages: live charts in a responsive grid, or in a layout, with
the filter bar of the variables they use."""

from __future__ import annotations

import typing as t

from flask import Flask, render_template, request

from ..locale import misspelt_notice, translate
from ..variables import ChoicesError, parent_value, undecodable_parameters
from .pages import ReportPage, register_page
from .site import navigation

if t.TYPE_CHECKING:
    from ..live.runtime import Runtime
    from ..registry import ChartSpec, DashboardSpec
    from ..variables import VariableSpec


def register_dashboard(app: Flask, spec: DashboardSpec) -> None:
    """Add the dashboard's URL rule to ``app``."""
    register_page(app, spec, lambda: render_dashboard(spec))


def render_dashboard(spec: DashboardSpec) -> str:
    """The dashboard page, with every chart's current option inlined.

    A dashboard showing a chart the viewer may not see answers ``404``, like
    an unknown page. Misspelt variables in its URL are named in the filter
    bar's notice (the client then drops them from the URL).
    """
    page = ReportPage.of(spec)
    runtime, locale, misspelt = page.runtime, page.locale, page.misspelt
    names = [variable.name for variable in runtime.registry.variables_of(page.specs)]
    return render_template(
        "flask_pyecharts/dashboard.html",
        **page.context(spec),
        title=spec.title,
        description=spec.description,
        columns=spec.columns,
        filters=filters(runtime, page.specs, page.values, page.problems, locale),
        misspelt_notice=misspelt_notice(locale, misspelt, names) if misspelt else "",
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
