"""Screens (数据大屏): a page designed at a fixed size, scaled to the display.

The server lays the page out at its design size; the client (``screen.js``)
scales it to the window per the screen's ``fit``, runs the clock, goes full
screen and hides the idle cursor. Variables come from the URL; there is no
filter bar and no control.
"""

from __future__ import annotations

import typing as t

from flask import Flask, render_template

from .pages import ReportPage, register_page

if t.TYPE_CHECKING:
    from ..registry import ScreenSpec


def register_screen(app: Flask, spec: ScreenSpec) -> None:
    """Add the screen's URL rule to ``app``."""
    register_page(app, spec, lambda: render_screen(spec))


def render_screen(spec: ScreenSpec) -> str:
    """The screen page, with every chart's current option inlined.

    A screen showing a chart the viewer may not see answers ``404``. The
    client drops misspelt variables from its URL (there is no notice line).
    """
    page = ReportPage.of(spec)
    return render_template(
        "flask_pyecharts/screen.html", **page.context(spec), screen=spec
    )
