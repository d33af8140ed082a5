"""Dashboard pages: a responsive grid of live charts."""

from __future__ import annotations

import typing as t

from flask import Flask, abort, current_app, render_template, url_for
from markupsafe import Markup

from ..registry import UnknownChart
from .embed import initial_json, page_scripts

if t.TYPE_CHECKING:
    from ..live.runtime import Runtime
    from ..registry import DashboardSpec


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
    runtime: Runtime = current_app.extensions["pyecharts"]
    charts = []
    for name in spec.names:
        try:
            chart = runtime.registry.visible(name)
        except UnknownChart:
            abort(404)
        charts.append(
            {
                "name": name,
                "url": url_for("pyecharts.chart", name=name),
                "title": chart.label,
                "initial": _markup(initial_json(runtime, name)),
            }
        )
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
    )


def _markup(initial: str | None) -> Markup | None:
    """Script-safe JSON is inserted as is: HTML escaping would corrupt it."""
    return None if initial is None else Markup(initial)
