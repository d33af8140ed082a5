"""The site of reports: a home page listing every dashboard and screen the
viewer may see, its JSON twin, and the navigation bar on dashboards.

Moving between reports keeps the variables they share: each link carries the
current values of the variables its target uses (the client keeps the links
up to date as the values change).
"""

from __future__ import annotations

import typing as t

from flask import Blueprint, Flask, Response, render_template, url_for

from .._json import dumps
from ..components import safe_image_src
from ..live.runtime import current_runtime
from ..locale import page_response, request_locale, translator
from ..registry import SiteSpec
from ..web.embed import page_variables

if t.TYPE_CHECKING:
    from ..live.runtime import Runtime
    from ..registry import Registry, ReportSpec

__all__ = [
    "check_free",
    "listing",
    "add_reports_route",
    "make_site",
    "navigation",
    "register_site",
    "visible_reports",
]

#: The longest site title.
MAX_TITLE = 200


def check_free(registry: Registry, rule: str, what: str) -> None:
    """Refuse a ``rule`` a report, the site or a playlist has already.

    :raises ValueError: naming what holds it.
    """
    holders = [
        (report.rule, f"the {report.kind} {report.title!r}")
        for report in registry.reports()
    ]
    if registry.site is not None:
        holders.append((registry.site.rule, "the site's home page"))
    holders += [(playlist.rule, "a playlist") for playlist in registry.playlists]
    for held, holder in holders:
        if held == rule:
            raise ValueError(
                f"{what} at {rule!r}: that rule is {holder}'s already; choose another."
            )


def make_site(registry: Registry, rule: str, title: str, logo: str | None) -> SiteSpec:
    """Validate a site's rule, title and logo.

    :raises ValueError: for a rule not starting with ``/`` or taken, an empty
        title or a logo an ``<img>`` may not show.
    """
    if not isinstance(rule, str) or not rule.startswith("/"):
        raise ValueError(
            f"The site's rule must start with '/', such as '/', not {rule!r}."
        )
    if registry.site is None:  # a second site is refused by the registry
        check_free(registry, rule, "The site")
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
        raise ValueError(
            f"The site needs a title of 1 to {MAX_TITLE} characters, such as"
            " charts.site('/', title='零售分析')."
        )
    if logo is not None and safe_image_src(logo) is None:
        raise ValueError(
            f"The site's logo must be a path on this site ('/static/logo.png') or"
            f" an http(s) URL, not {logo[:100]!r}."
            if isinstance(logo, str)
            else f"The site's logo must be a string, not {logo!r}."
        )
    return SiteSpec(rule, title, logo, "pyecharts_site")


def register_site(app: Flask, spec: SiteSpec) -> None:
    """Add the home page's URL rule to ``app``."""

    def view() -> Response:
        runtime = _runtime()
        response = page_response(home_page(runtime, spec), runtime.settings.locale)
        twin = url_for("pyecharts.reports")
        response.headers["Link"] = f'<{twin}>; rel="alternate"; type="application/json"'
        return response

    view.__name__ = spec.endpoint
    app.add_url_rule(spec.rule, spec.endpoint, view)


def visible_reports(registry: Registry) -> list[ReportSpec]:
    """The reports the current request may see: those showing no chart the
    access hook refuses."""
    return [
        report
        for report in registry.reports()
        if all(registry.allows(name) for name in report.names)
    ]


def uses(registry: Registry, report: ReportSpec) -> list[str]:
    """The variables a report's charts use or set on click."""
    specs = [registry.charts[name] for name in report.names if name in registry.charts]
    return [variable.name for variable in registry.variables_of(specs)]


def link(runtime: Runtime, report: ReportSpec, values: t.Mapping[str, str]) -> str:
    """The URL of ``report`` carrying the ``values`` of the variables it uses."""
    used = uses(runtime.registry, report)
    query: dict[str, t.Any] = {k: v for k, v in values.items() if k in used}
    return url_for(report.endpoint, **query)


def listing(runtime: Runtime) -> dict[str, t.Any]:
    """``GET /api/reports``: the site, and every report and playlist the
    viewer may see."""
    registry = runtime.registry
    reports = visible_reports(registry)
    site = registry.site
    rules = {report.rule for report in reports}
    return {
        "site": None
        if site is None
        else {"title": site.title, "url": url_for(site.endpoint), "logo": site.logo},
        "reports": [
            {
                "title": report.title,
                "description": report.description,
                "kind": report.kind,
                "url": url_for(report.endpoint),
                "charts": list(report.names),
                "variables": uses(registry, report),
            }
            for report in reports
        ],
        "playlists": [
            {
                "title": playlist.title,
                "url": url_for(playlist.endpoint),
                "every": playlist.every,
                "reports": [rule for rule in playlist.rules if rule in rules],
            }
            for playlist in registry.playlists
            if any(rule in rules for rule in playlist.rules)
        ],
    }


def list_reports() -> Response:
    """``GET {prefix}/api/reports``: :func:`listing` as JSON (a view of the
    API blueprint, added by :func:`add_reports_route`)."""
    response = Response(dumps(listing(_runtime())), mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"
    return response


def add_reports_route(blueprint: Blueprint) -> None:
    """Serve ``/api/reports`` from the API's blueprint (its errors, CORS)."""
    blueprint.add_url_rule("/api/reports", "reports", list_reports)


def navigation(runtime: Runtime, current: ReportSpec) -> dict[str, t.Any] | None:
    """The navigation bar of a dashboard: the site's title and logo linking
    home, and a link to each report the viewer may see (``current`` marked);
    ``None`` without a site."""
    site = runtime.registry.site
    if site is None:
        return None
    values, _ = page_variables(runtime)
    return {
        "title": site.title,
        "logo": site.logo,
        "home": url_for(site.endpoint),
        "links": [
            {
                "title": report.title,
                "url": link(runtime, report, values),
                "uses": ",".join(uses(runtime.registry, report)),
                "current": report.rule == current.rule,
                "kind": report.kind,
            }
            for report in visible_reports(runtime.registry)
        ],
    }


def home_page(runtime: Runtime, spec: SiteSpec) -> str:
    """The home page: a card for each report the viewer may see."""
    locale = request_locale(runtime.settings.locale)
    values, _ = page_variables(runtime)
    registry = runtime.registry
    reports = visible_reports(registry)
    rules = {report.rule for report in reports}
    return render_template(
        "flask_pyecharts/site.html",
        lang=locale,
        t=translator(locale),
        site=spec,
        reports=[
            {
                "title": report.title,
                "description": report.description,
                "kind": report.kind,
                "url": link(runtime, report, values),
                "uses": ",".join(uses(registry, report)),
            }
            for report in reports
        ],
        playlists=[
            {"title": playlist.title, "url": url_for(playlist.endpoint)}
            for playlist in registry.playlists
            if any(rule in rules for rule in playlist.rules)
        ],
        stylesheet=url_for("pyecharts.static", filename="flask-pyecharts.css"),
        favicon=url_for("pyecharts.static", filename="favicon.svg"),
        twin=url_for("pyecharts.reports"),
    )


def _runtime() -> Runtime:
    runtime = current_runtime()
    assert runtime is not None  # the route is registered with it
    return runtime
