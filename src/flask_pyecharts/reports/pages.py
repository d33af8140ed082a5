"""What every report page (a dashboard, a screen) is served with: its route,
and the context its template shares with the others."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from flask import Flask, Response, url_for
from markupsafe import Markup

from ..live.runtime import current_runtime
from ..locale import page_response, request_locale, translator
from ..web.embed import (
    misspelt_variables,
    page_scripts,
    page_variables,
    variables_json,
)
from .areas import area_cards, layout_url, visible_specs

if t.TYPE_CHECKING:
    from ..live.runtime import Runtime
    from ..registry import ChartSpec, DashboardSpec, ScreenSpec

    Report = DashboardSpec | ScreenSpec


def register_page(app: Flask, spec: Report, render: t.Callable[[], str]) -> None:
    """Serve ``render()`` at the report's rule, in the request's language."""

    def view() -> Response:
        runtime = current_runtime()
        assert runtime is not None  # the route is registered with it
        return page_response(render(), runtime.settings.locale)

    view.__name__ = spec.endpoint
    app.add_url_rule(spec.rule, spec.endpoint, view)


@dataclass
class ReportPage:
    """A report's page for the current request: the charts the viewer may see
    (a refused one answers ``404``), the variables of its URL, its language."""

    runtime: Runtime
    specs: list[ChartSpec]
    #: The variables of the URL that are allowed, and what is wrong with the others.
    values: dict[str, str]
    problems: dict[str, str]
    locale: str
    #: Parameters of the URL that look like misspelt variables -> the variable.
    misspelt: dict[str, str]

    @classmethod
    def of(cls, spec: Report) -> ReportPage:
        runtime = current_runtime()
        assert runtime is not None  # the route is registered with it
        specs = visible_specs(runtime, spec.names)
        values, problems = page_variables(runtime)
        return cls(
            runtime,
            specs,
            values,
            problems,
            request_locale(runtime.settings.locale),
            dict(misspelt_variables(runtime, specs)),
        )

    def context(self, spec: Report) -> dict[str, t.Any]:
        """What every report template gets (its own adds the rest)."""
        runtime = self.runtime
        declared = variables_json(runtime, self.specs)
        return {
            "charts": area_cards(runtime, self.specs, self.values, self.problems),
            "layout": layout_url(runtime, spec),
            "scripts": page_scripts(runtime),
            "stylesheet": url_for("pyecharts.static", filename="flask-pyecharts.css"),
            "favicon": url_for("pyecharts.static", filename="favicon.svg"),
            "api_base": url_for("pyecharts.list_charts").removesuffix("charts"),
            "transport": runtime.settings.transport,
            "strict_csp": runtime.settings.strict_csp,
            "renew_after": runtime.settings.renew_after,
            "declared": None if declared is None else Markup(declared),
            "lang": self.locale,
            "t": translator(self.locale),
            "misspelt": list(self.misspelt),
        }
