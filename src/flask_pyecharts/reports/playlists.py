"""Playlists: a kiosk page cycling reports full screen.

Each report is shown in an iframe in kiosk mode (``?kiosk=1``: no header, no
navigation, no filters). The page (``client/src/playlist.js``) loads the next
report in a hidden iframe, shows it once it has drawn, then unloads the old
one; a report that fails to load is retried later while the current one
stays. The reports' own pages reconnect after a server restart, as a screen
does.
"""

from __future__ import annotations

import typing as t

from flask import Flask, Response, abort, render_template, url_for
from markupsafe import Markup

from .._json import dumps, script_safe
from ..live.runtime import current_runtime
from ..locale import page_response, request_locale, translate, translator
from ..registry import PlaylistSpec
from .site import check_free, visible_reports

if t.TYPE_CHECKING:
    from ..registry import Registry

__all__ = ["MAX_EVERY", "MIN_EVERY", "make_playlist", "register_playlist"]

#: The shortest and longest time a report is shown, in seconds.
MIN_EVERY = 5
MAX_EVERY = 3600
#: The most reports a playlist cycles.
MAX_REPORTS = 100


def make_playlist(
    registry: Registry,
    rule: str,
    rules: t.Sequence[str],
    every: float,
    title: str | None,
) -> PlaylistSpec:
    """Validate a playlist: its rule, the reports it shows (registered
    already), its period and title.

    :raises ValueError: saying what is wrong and how to fix it.
    """
    if not isinstance(rule, str) or not rule.startswith("/"):
        raise ValueError(
            f"A playlist's rule must start with '/', such as '/tv', not {rule!r}."
        )
    known = [report.rule for report in registry.reports()]
    if isinstance(rules, str) or not isinstance(rules, t.Sequence) or not rules:
        raise ValueError(
            f"The playlist at {rule!r} needs a list of report rules, such as"
            " ['/screen', '/']."
        )
    if len(rules) > MAX_REPORTS:
        raise ValueError(
            f"The playlist at {rule!r} has {len(rules)} reports; at most {MAX_REPORTS}."
        )
    for item in rules:
        if item not in known:
            listed = ", ".join(map(repr, known)) or "none yet"
            raise ValueError(
                f"The playlist at {rule!r} shows {item!r}, but no dashboard or screen"
                f" has that rule (registered: {listed}): register the reports first."
            )
    check_free(registry, rule, "The playlist")
    if (
        isinstance(every, bool)
        or not isinstance(every, (int, float))
        or not MIN_EVERY <= every <= MAX_EVERY
    ):
        raise ValueError(
            f"The playlist at {rule!r}: every must be a number of seconds from"
            f" {MIN_EVERY} to {MAX_EVERY}, not {every!r}."
        )
    if title is not None and (not isinstance(title, str) or not title.strip()):
        raise ValueError(f"The playlist at {rule!r}: title must be a non-empty text.")
    endpoint = f"pyecharts_playlist_{len(registry.playlists)}"
    return PlaylistSpec(rule, tuple(rules), float(every), title, endpoint)


def register_playlist(app: Flask, spec: PlaylistSpec) -> None:
    """Add the playlist's URL rule to ``app``."""

    def view() -> Response:
        runtime = current_runtime()
        assert runtime is not None  # the route is registered with it
        locale = request_locale(runtime.settings.locale)
        by_rule = {report.rule: report for report in visible_reports(runtime.registry)}
        items = [
            {
                "url": url_for(by_rule[rule].endpoint, kiosk=1),
                "title": by_rule[rule].title,
            }
            for rule in spec.rules
            if rule in by_rule
        ]
        if not items:
            abort(404)  # as a dashboard showing a refused chart
        page = render_template(
            "flask_pyecharts/playlist.html",
            lang=locale,
            t=translator(locale),
            title=spec.title or translate(locale, "playlist"),
            every=spec.every,
            reports=Markup(script_safe(dumps(items))),
            script=url_for("pyecharts.static", filename="flask-pyecharts.js"),
            stylesheet=url_for("pyecharts.static", filename="flask-pyecharts.css"),
            favicon=url_for("pyecharts.static", filename="favicon.svg"),
        )
        return page_response(page, runtime.settings.locale)

    view.__name__ = spec.endpoint
    app.add_url_rule(spec.rule, spec.endpoint, view)
