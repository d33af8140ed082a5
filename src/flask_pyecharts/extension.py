"""The :class:`Charts` extension: the public face of the package."""

from __future__ import annotations

import time
import typing as t
import weakref

from flask import Flask, current_app, has_app_context
from markupsafe import Markup

from .commands import flask_group
from .config import read_settings
from .live.runtime import EXTENSION_KEY, Runtime, runtime_of
from .registry import DashboardSpec, PlaylistSpec, Registry, ScreenSpec, SiteSpec
from .reports.areas import register_layout_styles
from .reports.dashboards import register_dashboard
from .reports.numbers import card_builder, number_card
from .reports.playlists import make_playlist, register_playlist
from .reports.screens import register_screen
from .reports.site import add_reports_route, make_site, register_site
from .reports.tables import table_builder, table_card
from .variables import Value, VariableSpec, make_variable, value_or_default
from .web.api import make_blueprint, register_error_handler
from .web.embed import embed_markup, page_variables, script_tags

__all__ = ["Charts"]

F = t.TypeVar("F", bound=t.Callable[..., t.Any])


class Charts:
    """Publish pyecharts charts from a Flask app.

    ``Charts(app)``, or ``Charts()`` then :meth:`init_app` in an app factory.
    Charts, producers and dashboards registered on this object apply to every
    app it is initialized on; each app keeps its own state and configuration
    (in ``app.extensions["pyecharts"]``), and this object holds apps weakly:
    an app's background threads end with it.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        clock: t.Callable[[], float] = time.monotonic,
    ) -> None:
        #: The variables, charts, producers and dashboards registered here.
        self.registry = Registry()
        #: Monotonic seconds: refresh intervals, idle topics, cached choices
        #: (tests pass their own).
        self.clock = clock
        self._apps: weakref.WeakSet[Flask] = weakref.WeakSet()
        if app is not None:
            self.init_app(app)

    # -- registration -----------------------------------------------------

    def init_app(self, app: Flask) -> None:
        """Register the extension on ``app``: configuration, blueprint,
        dashboards, the ``charts`` Jinja global and the ``flask pyecharts``
        commands; then start its producers.

        :raises RuntimeError: when a ``Charts`` is already registered on ``app``.
        :raises ValueError: for a bad ``PYECHARTS_*`` setting.
        """
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError(
                "A 'Charts' instance has already been registered on this Flask app."
                " Import and use that instance instead."
            )
        settings = read_settings(app.config)
        runtime = Runtime(self.registry, app, settings, clock=self.clock)
        app.extensions[EXTENSION_KEY] = runtime
        blueprint = make_blueprint()
        add_reports_route(blueprint)
        app.register_blueprint(blueprint, url_prefix=settings.url_prefix)
        register_error_handler(app, settings.url_prefix)
        app.jinja_env.globals["charts"] = self
        app.cli.add_command(flask_group)
        self._apps.add(app)
        register_layout_styles(app, settings.url_prefix)
        for report in self.registry.reports():
            _register_report(app, report)
        if self.registry.site is not None:
            register_site(app, self.registry.site)
        for playlist in self.registry.playlists:
            register_playlist(app, playlist)
        runtime.start()

    def variable(
        self,
        name: str,
        *,
        choices: t.Iterable[Value]
        | t.Callable[..., t.Iterable[Value]]
        | t.Mapping[t.Any, t.Iterable[Value]]
        | None = None,
        default: Value | t.Callable[[], Value] | None = None,
        type: type = str,
        label: str | None = None,
        min: Value | None = None,
        max: Value | None = None,
        parent: str | None = None,
    ) -> VariableSpec:
        """Declare a variable that viewers choose (in the URL, a filter, a click)
        and that every chart whose builder has a parameter of that name uses.

        Declare variables before the charts that use them.

        :param choices: the allowed values, or a function returning them (such
            as a query; its answer is kept 10 s); ``None``: any value of the type.
            With a ``parent``: a function of the parent's value, or a dict.
        :param default: the value when the viewer gives none, or a function
            asked each time (``datetime.date.today``); ``None``: the first choice.
            The default is always allowed.
        :param type: ``str``, ``int``, ``float`` or ``datetime.date`` (ISO in URLs).
        :param label: what people read next to the filter; default the name.
        :param min: the smallest number or date allowed (without choices).
        :param max: the largest number or date allowed (without choices).
        :param parent: the name of a variable declared before, whose value this
            one's choices depend on: ``choices`` is then a function of its
            value (``lambda region: cities_of(region)``) or a dict of lists by
            its values. When a viewer changes the parent, this one goes back
            to its default (drill-down: 全国 › 广东 › 广州市).
        :raises ValueError: for a bad or reserved name, a wrong type, a value
            of another type, a name taken, or an undeclared parent.
        """
        if parent is not None and parent not in self.registry.variables:
            declared = ", ".join(self.registry.variables) or "none yet"
            raise ValueError(
                f"Variable {name!r}: its parent {parent!r} is not declared"
                f" (declared: {declared}); declare the parent first."
            )
        spec = make_variable(
            name,
            type=type,
            choices=choices,
            default=default,
            label=label,
            min=min,
            max=max,
            parent=self.registry.variables[parent] if parent is not None else None,
            clock=self.clock,
        )
        return self.registry.add_variable(spec)

    def chart(
        self,
        name: str,
        refresh: float | None = None,
        window: int | None = None,
        *,
        fit_labels: bool = True,
        label: str | None = None,
        title: str | None = None,
        on_click: t.Mapping[str, str] | None = None,
    ) -> t.Callable[[F], F]:
        """Register a chart builder under ``name``.

        The builder's parameters name the variables it uses (declared with
        :meth:`variable`); it is built once per value of those, per refresh.

        :param refresh: rebuild the option at most every ``refresh`` seconds
            while someone views it; ``None`` builds it once.
        :param window: make it a stream chart keeping the last ``window``
            appended points (streams take no variables).
        :param fit_labels: truncate long category labels to fit, full text on hover.
        :param label: the title of its card on dashboards and screens;
            without it, the card shows the option's own title (drawn once),
            or no heading. ``title=`` is the same, its older name.
        :param on_click: variables a click on the chart sets, each from a field
            of the ECharts click event: ``{"region": "name"}``. Clicking the
            same element again sets the variable back to its default.
        """
        self.registry.check_chart(name, refresh, window)
        self.registry.check_on_click(name, on_click)
        if label is not None and title is not None and label != title:
            raise ValueError(
                f"Chart {name!r}: give label= or title= (its older name), not both."
            )
        title = label if label is not None else title

        def decorator(builder: F) -> F:
            spec = self.registry.add_chart(
                name,
                builder,
                refresh,
                window,
                fit_labels=fit_labels,
                title=title,
                on_click=on_click,
            )
            for runtime in self._runtimes():
                runtime.add_chart(spec)
            return builder

        return decorator

    def number(
        self,
        name: str,
        refresh: float | None = None,
        *,
        label: str | None = None,
        prefix: str = "",
        suffix: str = "",
        digits: int = 0,
        up: str | None = None,
    ) -> t.Callable[[F], F]:
        """Register a number card (数字翻牌器) under ``name``: its builder
        returns a number, or ``{"value": v, "previous": p, "trend": [...]}``.

        The card rolls to each new value, shows the change against
        ``previous`` and a sparkline of ``trend``. Its parameters name
        variables as a chart builder's do; it is published like a chart (API,
        feed, dashboards, ``embed``, exports).

        :param refresh: rebuild at most every ``refresh`` seconds while
            someone views it; ``None`` builds it once.
        :param label: what the card says the number is (``"今日销售额"``).
        :param prefix: text before the number (``"¥"``).
        :param suffix: text after it (``"%"``, ``" 单"``).
        :param digits: decimals shown, 0 to 6.
        :param up: the colour of a rise, ``"red"`` or ``"green"``; ``None``:
            the page's convention (red in Chinese, green in English).
        :raises ValueError: for a bad name, refresh or setting.
        """
        self.registry.check_chart(name, refresh, None)
        card = number_card(
            name, label=label, prefix=prefix, suffix=suffix, digits=digits, up=up
        )

        def decorator(builder: F) -> F:
            if not callable(builder):
                raise TypeError(f"Chart {name!r}: the builder must be callable.")
            spec = self.registry.add_chart(
                name,
                card_builder(card, builder),
                refresh,
                fit_labels=False,
                title=label,
                display="number",
            )
            for runtime in self._runtimes():
                runtime.add_chart(spec)
            return builder

        return decorator

    def table(
        self,
        name: str,
        columns: t.Sequence[str],
        refresh: float | None = None,
        window: int | None = None,
        *,
        scroll: bool = False,
        rank: bool = False,
        label: str | None = None,
    ) -> t.Callable[[F], F]:
        """Register a live table under ``name``: its builder returns its rows,
        a list of tuples with one cell per column (text, numbers, dates or
        ``None``; shown as text, never as markup).

        :param columns: the column titles.
        :param refresh: rebuild the rows at most every ``refresh`` seconds
            while someone views the table (its parameters name variables, as
            a chart builder's do).
        :param window: make it a stream of rows keeping the last ``window``
            (at most 1000): the builder's rows come first, then each row given
            to :meth:`append` (or a :meth:`producer`), exactly once.
        :param scroll: scroll the rows through the panel, one every 2 s (轮播表).
        :param rank: a ranking board: rows are ``(name, value, ...)``, shown
            by value, largest first, with their rank and a bar.
        :param label: the title shown on dashboards and screens.
        :raises ValueError: for bad columns, a bad refresh or window.
        """
        self.registry.check_chart(name, refresh, window)
        card = table_card(name, columns, window=window, scroll=scroll, rank=rank)

        def decorator(builder: F) -> F:
            spec = self.registry.add_chart(
                name,
                table_builder(name, builder, card),
                refresh,
                window,
                fit_labels=False,
                title=label,
                display="table",
            )
            for runtime in self._runtimes():
                runtime.add_chart(spec)
            return builder

        return decorator

    def producer(self, name: str, every: float = 1.0) -> t.Callable[[F], F]:
        """Register ``function(cursor) -> (points, new_cursor)`` feeding ``name``.

        The library calls it every ``every`` seconds on a background thread,
        once per deployment, and appends the points it returns (the points of
        series 0, or a dict mapping series index to points). Register the
        stream chart first.
        """
        self.registry.check_producer(name, every)

        def decorator(function: F) -> F:
            spec = self.registry.add_producer(name, function, every)
            for runtime in self._runtimes():
                runtime.add_producer(spec)
            return function

        return decorator

    def dashboard(
        self,
        rule: str,
        names: t.Sequence[str] | None = None,
        *,
        layout: str | None = None,
        title: str = "Dashboard",
        columns: int = 2,
        rows: t.Sequence[str] | None = None,
        description: str | None = None,
        endpoint: str | None = None,
    ) -> DashboardSpec:
        """Serve a page at ``rule`` showing charts: ``names`` in a grid of
        ``columns``, or the areas of a ``layout`` picture.

        :param names: the charts, in a grid of ``columns`` (1 to 6) equal cards.
        :param layout: the charts as a picture (the CSS ``grid-template-areas``
            convention): one line per row, one name per cell; a name repeated
            over cells spans them (a rectangle), ``.`` is an empty cell. Rows
            of number cards are short, other rows tall; on displays up to
            600 px wide the areas stack in reading order.
        :param rows: the size of each row of the layout (``"120px"``,
            ``"1fr"``, ``"auto"``, ``"minmax(100px, 1fr)"``...), instead of
            sizes by what the rows show.
        :param description: a sentence or two about it, shown under the title.
        :raises ValueError: for both or neither of ``names`` and ``layout``, a
            bad picture (naming the name and its rows), a chart that is not
            registered, or a rule another report has.
        """
        spec = self.registry.add_dashboard(
            rule,
            names,
            title,
            columns,
            endpoint,
            layout=layout,
            rows=rows,
            description=description,
        )
        for app in list(self._apps):
            register_dashboard(app, spec)
        return spec

    def screen(
        self,
        rule: str,
        layout: str,
        *,
        size: tuple[int, int] = (1920, 1080),
        title: str = "Screen",
        theme: str = "dark",
        fit: str = "contain",
        rows: t.Sequence[str] | None = None,
        description: str | None = None,
        endpoint: str | None = None,
    ) -> ScreenSpec:
        """Serve a screen (数据大屏) at ``rule``: the charts of ``layout``
        (as for :meth:`dashboard`) on a page designed at ``size`` and scaled
        to any display, with a title bar and a clock, and no controls.

        :param size: the design size ``(width, height)`` in CSS pixels.
        :param theme: ``"dark"`` (framed dark panels) or ``"light"``.
        :param fit: how the page meets a display of another shape:
            ``"contain"`` (whole, centred), ``"width"`` (fills the width),
            ``"height"`` (fills the height) or ``"stretch"`` (both).
        :param rows: explicit row sizes, as for :meth:`dashboard`.
        :raises ValueError: for a bad picture, size, theme or fit, a chart
            that is not registered, or a rule another report has.
        """
        spec = self.registry.add_screen(
            rule,
            layout,
            size=size,
            title=title,
            theme=theme,
            fit=fit,
            rows=rows,
            description=description,
            endpoint=endpoint,
        )
        for app in list(self._apps):
            register_screen(app, spec)
        return spec

    def site(self, rule: str = "/", *, title: str, logo: str | None = None) -> SiteSpec:
        """Serve a home page at ``rule`` listing every dashboard and screen the
        viewer may see, and put a navigation bar on every dashboard.

        Moving between reports keeps the variables they share. The page's JSON
        twin is ``GET {URL_PREFIX}/api/reports``.

        :param title: the site's name, in the navigation bar and the home page.
        :param logo: an image before the title: a path on this site
            (``/static/logo.png``) or an http(s) URL.
        :raises ValueError: for a bad rule, title or logo, or a second site.
        """
        spec = self.registry.set_site(make_site(self.registry, rule, title, logo))
        for app in list(self._apps):
            register_site(app, spec)
        return spec

    def playlist(
        self,
        rule: str,
        reports: t.Sequence[str],
        every: float = 30,
        title: str | None = None,
    ) -> PlaylistSpec:
        """Serve a kiosk page at ``rule`` cycling the reports whose rules are
        ``reports`` full screen, each shown ``every`` seconds (5 to 3600).

        The next report is loaded before it is shown, so no blank frame;
        register the reports first.

        :raises ValueError: for a rule no dashboard or screen has, or a bad
            ``every``.
        """
        spec = self.registry.add_playlist(
            make_playlist(self.registry, rule, reports, every, title)
        )
        for app in list(self._apps):
            register_playlist(app, spec)
        return spec

    def access(self, check: t.Callable[[str], bool]) -> t.Callable[[str], bool]:
        """Register ``check(chart_name) -> bool``, asked on every request.

        It runs in the request context (use ``flask.request``, ``g``, your
        login extension). A chart it refuses is absent from listings, answers
        ``404`` in the API as an unknown chart would, embeds as nothing, makes
        a dashboard that shows it answer ``404`` and is left out of exports.
        """
        self.registry.set_access(check)
        return check

    def allows(self, name: str) -> bool:
        """Whether the current request may see chart ``name``."""
        return self.registry.allows(name)

    # -- use --------------------------------------------------------------

    def append(self, name: str, points: t.Any, series: int = 0) -> str:
        """Append one point or a list of points to stream ``name``.

        A tuple, a number or a dict is one point; a list is many points. Safe
        from any thread. Returns the stream's cursor after the append.

        Each point is checked against the chart's option: the series must
        exist, and a point must have the shape its series' axes give it
        (``y`` or ``(category, y)`` on a category axis, ``(x, y)`` on value
        and time axes); ``None`` is not a point, and integers must be safe in
        JavaScript (at most ``2**53 - 1`` either way). For a table
        (:meth:`table`), a tuple is one row and a list of tuples many rows;
        a row has one cell per column.

        :raises ValueError: for an unknown chart, a full-refresh chart or a
            point the browser could not draw, saying what was expected;
            nothing is appended then.
        """
        return self.runtime().append(name, points, series)

    def values(self) -> dict[str, Value]:
        """The variables of the current page's URL, as Python values: each
        declared variable's value there, or its default when the URL has none
        or one that is not allowed (for a view or a template around charts)."""
        runtime = self.runtime()
        texts, _ = page_variables(runtime)
        values: dict[str, Value] = {}
        for name, spec in self.registry.variables.items():  # parents first
            texts[name] = value_or_default(spec, texts)
            values[name] = spec.convert(texts[name])
        return values

    def embed(
        self, chart: t.Any, height: str | None = None, width: str = "100%"
    ) -> Markup:
        """Markup for a chart: a registered name (kept live) or a pyecharts chart.

        :param height: a CSS length; default ``400px``, ``140px`` for a number card.
        """
        return embed_markup(self.runtime(), chart, height=height, width=width)

    def scripts(self) -> Markup:
        """The ``<link>`` and ``<script>`` tags a page needs for embedded charts."""
        return script_tags(self.runtime())

    def runtime(self, app: Flask | None = None) -> Runtime:
        """This extension's state for ``app``, the current app or the only app."""
        if app is None and has_app_context():
            app = current_app._get_current_object()  # type: ignore[attr-defined]
        if app is None:
            apps = list(self._apps)
            if len(apps) != 1:
                raise RuntimeError(
                    "No app context, and this Charts instance is registered on"
                    f" {len(apps)} apps: call it inside 'with app.app_context():'."
                    if apps
                    else "Charts is not registered on any app. Did you forget to"
                    " call 'init_app'?"
                )
            app = apps[0]
        runtime = runtime_of(app)
        if runtime is None or runtime.registry is not self.registry:
            raise RuntimeError(
                "This Charts instance is not registered on the app. Did you forget"
                " to call 'init_app'?"
            )
        return runtime

    def shutdown(self) -> None:
        """Stop the background threads of every app and end their event
        streams (browsers resume where they were)."""
        for runtime in self._runtimes():
            runtime.stop()

    def _runtimes(self) -> list[Runtime]:
        runtimes = (runtime_of(app) for app in list(self._apps))
        return [runtime for runtime in runtimes if runtime is not None]


def _register_report(app: Flask, report: DashboardSpec | ScreenSpec) -> None:
    if isinstance(report, ScreenSpec):
        register_screen(app, report)
    else:
        register_dashboard(app, report)
