"""Screens (数据大屏): a page designed at a fixed size, scaled to the display.

The server lays the page out at its design size; the client (``screen.js``)
scales it to the window per the screen's ``fit``, runs the clock, goes full
screen and hides the idle cursor. Variables come from the URL; there is no
filter bar and no control.
"""

from __future__ import annotations

import typing as t

from flask import Flask, Response, render_template, url_for
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
    from ..registry import ScreenSpec


def register_screen(app: Flask, spec: ScreenSpec) -> None:
    """Add the screen's URL rule to ``app``."""

    def view() -> Response:
        runtime = current_runtime()
        assert runtime is not None  # the route is registered with it
        return page_response(render_screen(spec), runtime.settings.locale)

    view.__name__ = spec.endpoint
    app.add_url_rule(spec.rule, spec.endpoint, view)


def render_screen(spec: ScreenSpec) -> str:
    """The screen page, with every chart's current option inlined.

    A screen showing a chart the viewer may not see answers ``404``. The
    client drops misspelt variables from its URL (there is no notice line).
    """
    runtime = current_runtime()
    assert runtime is not None  # the route is registered with it
    specs = visible_specs(runtime, spec.names)
    values, problems = page_variables(runtime)
    declared = variables_json(runtime, specs)
    locale = request_locale(runtime.settings.locale)
    return render_template(
        "flask_pyecharts/screen.html",
        screen=spec,
        charts=area_cards(runtime, specs, values, problems),
        layout=layout_url(runtime, spec),
        scripts=page_scripts(runtime),
        stylesheet=url_for("pyecharts.static", filename="flask-pyecharts.css"),
        favicon=url_for("pyecharts.static", filename="favicon.svg"),
        api_base=url_for("pyecharts.list_charts").removesuffix("charts"),
        transport=runtime.settings.transport,
        strict_csp=runtime.settings.strict_csp,
        renew_after=runtime.settings.renew_after,
        declared=None if declared is None else Markup(declared),
        lang=locale,
        t=translator(locale),
        misspelt=list(misspelt_variables(runtime, specs)),
    )
