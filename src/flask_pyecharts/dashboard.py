"""Dashboard pages: a responsive grid of live charts."""

from __future__ import annotations

import typing as t

from flask import Flask, abort, current_app, render_template, url_for
from markupsafe import Markup

from .embed import initial_json, script_urls

if t.TYPE_CHECKING:
    from .extension import DashboardSpec
    from .runtime import ChartRuntime


def register_dashboard(app: Flask, spec: DashboardSpec) -> None:
    """Add the dashboard's URL rule to ``app``."""

    def view() -> str:
        return render_dashboard(spec)

    view.__name__ = spec.endpoint
    app.add_url_rule(spec.rule, spec.endpoint, view)


def render_dashboard(spec: DashboardSpec) -> str:
    """The dashboard page, with every chart's current option inlined."""
    runtime: ChartRuntime = current_app.extensions["pyecharts"]
    charts = []
    for name in spec.names:
        chart = runtime.spec(name)
        if not runtime.charts.allows(name):
            abort(403)
        charts.append(
            {
                "name": name,
                "url": url_for("pyecharts.chart", name=name),
                "title": chart.title or name,
                "initial": _markup(initial_json(runtime, name)),
            }
        )
    return render_template(
        "flask_pyecharts/dashboard.html",
        title=spec.title,
        charts=charts,
        columns=spec.columns,
        scripts=script_urls(runtime),
        stylesheet=url_for("pyecharts.static", filename="flask-pyecharts.css"),
        favicon=url_for("pyecharts.static", filename="favicon.svg"),
        api_base=url_for("pyecharts.list_charts").removesuffix("charts"),
        transport=current_app.config["PYECHARTS_TRANSPORT"],
        strict_csp=current_app.config["PYECHARTS_STRICT_CSP"],
    )


def _markup(initial: str | None) -> Markup | None:
    """Script-safe JSON is inserted as is: HTML escaping would corrupt it."""
    return None if initial is None else Markup(initial)
