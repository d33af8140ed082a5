"""Export from an app object: its dashboards and charts, from its store.

With the memory store, a new process holds no appended points: export what a
running server shows with :func:`~flask_pyecharts.export.server.export_url`.
"""

from __future__ import annotations

import time
import typing as t
import urllib.parse
from pathlib import Path

from .._json import loads
from ..assets import VENDOR_DIR, UnsupportedDependencyError, script_urls
from ..live.option_cache import BuildError
from ..live.runtime import runtime_of
from ..registry import UnknownChart
from ..reports.areas import document_title, layout_css
from ..variables import (
    ChoicesError,
    VariableError,
    parent_value,
    value_or_default,
)
from .page import Export, ExportError, page, read, require, static_card

if t.TYPE_CHECKING:
    from flask import Flask

    from ..live.runtime import Runtime
    from ..registry import ChartSpec, DashboardSpec

__all__ = ["export_dashboard"]


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
    runtime = runtime_of(app)
    if runtime is None:
        raise ExportError(
            "Charts is not registered on this app. Did you forget to call 'init_app'?"
        )
    columns, layout = 2, ""
    if names is None:
        dashboard = _dashboard(runtime, rule)
        names, columns = dashboard.names, dashboard.columns
        layout = layout_css(runtime, dashboard)  # its areas, as the live page's
        title = title or dashboard.title
    title = title or "Charts"
    for name in names:
        if name not in runtime.registry.charts:
            raise ExportError(f"No chart named {name!r} is registered.")
    values = _variables(runtime, variables or {})
    vendor = str(VENDOR_DIR) + "/"
    query = urllib.parse.urlencode(values)
    with app.test_request_context(rule or "/", query_string=query):
        # The access check applies as on the live pages, to a request with no
        # user and the variables' values in its URL: what it refuses is left out.
        refused = [name for name in names if not runtime.registry.allows(name)]
        idents = {name: f"a{index}" for index, name in enumerate(names)}  # areas'
        names = [name for name in names if name not in refused]
        if refused and not names:
            given = ", ".join(f"{name}={value}" for name, value in values.items())
            raise ExportError(
                "The access check refuses every chart of this export"
                + (f" (for {given})" if given else "")
                + ": nothing to export."
            )
        problems = _wait_for_producers(runtime, names, wait)
        problems += [
            f"chart {name!r}: left out, the access check refuses it" for name in refused
        ]
        cards, scripts = [], ["echarts"]
        for name in names:
            card, dependencies, problem = _card(runtime, name, values)
            card["ident"] = idents[name]
            cards.append(card)
            if problem:
                problems.append(problem)
            scripts += [item for item in dependencies if item not in scripts]
        specs = [runtime.registry.chart(name) for name in names]
        shown = _shown_variables(runtime, specs, values)
    files = [Path(url) for url in script_urls(scripts, vendor)]
    require(files)
    extras = [read(path) for path in files[1:]]
    setting = runtime.settings.locale
    locale = None if setting == "auto" else setting
    return page(title, columns, cards, extras, problems, shown, locale, layout)


def _variables(runtime: Runtime, given: t.Mapping[str, str]) -> dict[str, str]:
    """Check the variables asked for, as the API does. An empty value
    (``--var q=``) means the variable's default, as an emptied filter does
    in the page (``FlaskPyecharts.setVariables({q: ""})``)."""
    declared = runtime.registry.variables
    for name in given:
        if name not in declared:
            known = ", ".join(declared) or "none are declared"
            raise ExportError(f"No variable named {name!r}; the variables are {known}.")
    values: dict[str, str] = {}
    for name, spec in declared.items():  # a parent's value before its children's
        if given.get(name, "") == "":
            continue
        try:
            values[name] = spec.parse(given[name], parent_value(spec, values))
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
            value = values.get(variable.name) or value_or_default(variable, values)
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
        "display": spec.display,
        # As on the live pages: the label, else the option's title, never the name.
        "title": None if spec.display == "number" else spec.title,
        "title_from_option": False,
        "initial": None,
        "error": "",
    }
    try:
        topic = runtime.topic(spec, values)
        document = loads(runtime.document(spec, topic).body)
        dependencies = runtime.option(spec, topic).dependencies
        script_urls(dependencies, "/")  # raises if not bundled
    except (BuildError, UnsupportedDependencyError, UnknownChart) as error:
        card["error"] = str(error)  # the reason, under the page's notice
        return card, (), f"chart {name!r}: {error}"
    card["initial"] = static_card(document)
    if card["title"] is None and spec.display == "chart":
        card["title"] = document_title(document)
        card["title_from_option"] = card["title"] is not None
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
