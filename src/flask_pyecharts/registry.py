"""What an app publishes: variables, charts, producers and reports
(dashboards and screens), and who may see them.

A leaf (beside :mod:`.variables`): the :class:`Registry` holds plain specs and
validates them as they are registered; everything that serves them receives
the registry.
"""

from __future__ import annotations

import inspect
import re
import threading
import typing as t
from dataclasses import dataclass

from .reports.layouts import Layout, parse_layout
from .variables import CLICK_FIELDS, VariableSpec

__all__ = [
    "CHART_NAME",
    "DISPLAYS",
    "ChartSpec",
    "DashboardSpec",
    "PlaylistSpec",
    "ProducerSpec",
    "Registry",
    "ReportSpec",
    "ScreenSpec",
    "SiteSpec",
    "Topic",
    "UnknownChart",
    "VariableSpec",
    "validate_chart_name",
]

Builder = t.Callable[..., t.Any]
Producer = t.Callable[[t.Any], tuple[t.Any, t.Any]]
AccessCheck = t.Callable[[str], bool]

#: Chart names travel in URL paths, comma-separated lists and event ids.
CHART_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")
#: The longest description of a report, in characters.
MAX_DESCRIPTION = 500
#: The longest refresh interval or producer period, in seconds (one day).
MAX_PERIOD = 86_400
#: How a chart may be shown (:attr:`ChartSpec.display`).
DISPLAYS = ("chart", "number", "table")


class UnknownChart(LookupError):
    """No chart of that name is registered (or the viewer may not see it)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"No chart named {name[:64]!r}.")
        self.name = name


@dataclass(frozen=True)
class ChartSpec:
    """A registered chart: how to build it and how it refreshes."""

    name: str
    builder: Builder
    #: Seconds between rebuilds of the option; ``None`` builds it once.
    refresh: float | None = None
    #: For stream charts: how many appended points are kept.
    window: int | None = None
    #: Whether the client fits long category labels.
    fit_labels: bool = True
    #: A human title for dashboards; defaults to the name.
    title: str | None = None
    #: The variables its builder takes (its parameters), in their order.
    variables: tuple[str, ...] = ()
    #: What a click sets: ``(variable, field of the ECharts click event)``.
    on_click: tuple[tuple[str, str], ...] = ()
    #: How it is shown: ``"chart"`` (ECharts), ``"number"`` (a number card) or
    #: ``"table"`` (a live table); see :data:`DISPLAYS`.
    display: str = "chart"

    @property
    def kind(self) -> str:
        """``"stream"`` for charts fed by appended points, else ``"full"``."""
        return "stream" if self.window else "full"

    @property
    def label(self) -> str:
        """The title shown to people."""
        return self.title or self.name


@dataclass(frozen=True)
class ProducerSpec:
    """A function polled by the library that feeds a stream chart."""

    chart: str
    function: Producer
    every: float


@dataclass(frozen=True)
class DashboardSpec:
    """A page showing several charts: a grid of ``columns``, or a layout."""

    rule: str
    #: The charts, in reading order.
    names: tuple[str, ...]
    title: str
    columns: int
    endpoint: str
    #: A sentence or two about it, for the site's home page.
    description: str | None = None
    #: The picture of its areas; ``None``: a grid of ``columns``.
    layout: Layout | None = None

    @property
    def kind(self) -> str:
        return "dashboard"


#: The ways a screen fits a display of another size: whole and centred
#: (letterbox), to its width, to its height, or stretched to both.
SCREEN_FITS = ("contain", "width", "height", "stretch")
SCREEN_THEMES = ("dark", "light")
#: The smallest and largest design width or height of a screen (px).
SCREEN_SIZES = (320, 7680)


@dataclass(frozen=True)
class ScreenSpec:
    """A page designed at a fixed size and scaled to the display (大屏)."""

    rule: str
    title: str
    description: str | None
    endpoint: str
    #: The charts, in reading order.
    names: tuple[str, ...]
    layout: Layout
    #: The design size in CSS pixels: ``(width, height)``.
    size: tuple[int, int]
    theme: str
    fit: str

    @property
    def kind(self) -> str:
        return "screen"


ReportSpec = DashboardSpec | ScreenSpec


@dataclass(frozen=True)
class SiteSpec:
    """The home page listing every report, and the navigation between them."""

    rule: str
    title: str
    #: An image shown before the title: an own-site path or a URL.
    logo: str | None
    endpoint: str


@dataclass(frozen=True)
class PlaylistSpec:
    """A kiosk page cycling reports full screen."""

    rule: str
    #: The rules of the reports it shows, in order.
    rules: tuple[str, ...]
    #: Seconds each report is shown.
    every: float
    title: str | None
    endpoint: str


class Topic(t.NamedTuple):
    """What viewers follow: a chart, with one value of each variable it uses.

    A named tuple: topics are dictionary keys on every request.
    """

    chart: str
    #: ``(name, value)`` pairs, sorted by name; empty for a chart without any.
    variables: tuple[tuple[str, t.Any], ...] = ()

    @property
    def key(self) -> str:
        """A string naming the topic, such as ``sales`` or ``sales?region=华东``
        (``%``, ``&``, ``=``, ``#`` and control characters in values escaped)."""
        if not self.variables:
            return self.chart
        pairs = (f"{k}={_KEY_UNSAFE.sub(_escape, v)}" for k, v in self.variables)
        return self.chart + "?" + "&".join(pairs)


_KEY_UNSAFE = re.compile(r"[%&=#\x00-\x20\x7f]")


def _escape(match: re.Match[str]) -> str:
    return f"%{ord(match.group()):02X}"


def validate_chart_name(name: object) -> str:
    """Return ``name`` if it is a valid chart name, else raise ``ValueError``."""
    if not isinstance(name, str) or not CHART_NAME.fullmatch(name):
        raise ValueError(
            f"Invalid chart name {name!r}: use 1 to 64 letters, digits, '_', '-' or"
            " '.', starting with a letter, digit or '_'."
        )
    return name


def _description(value: object, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{where}: description must be a string, not {value!r}.")
    if value is not None and len(value) > MAX_DESCRIPTION:
        raise ValueError(
            f"{where}: description must be at most {MAX_DESCRIPTION} characters."
        )
    return value


def _period(value: object, what: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value <= MAX_PERIOD
    ):
        raise ValueError(
            f"{what} must be a number of seconds above 0 and at most {MAX_PERIOD},"
            f" not {value!r}."
        )
    return float(value)


class Registry:
    """The charts, producers and dashboards of one :class:`~.Charts`.

    Thread-safe for registration; reads take no lock (dicts are replaced, not
    mutated in place, only while registering).
    """

    def __init__(self) -> None:
        #: name -> variable, in declaration order.
        self.variables: dict[str, VariableSpec] = {}
        #: name -> chart, in registration order.
        self.charts: dict[str, ChartSpec] = {}
        #: chart name -> the producer feeding it.
        self.producers: dict[str, ProducerSpec] = {}
        #: The dashboards, in registration order.
        self.dashboards: list[DashboardSpec] = []
        #: The screens, in registration order.
        self.screens: list[ScreenSpec] = []
        self._reports: list[ReportSpec] = []
        #: The site (home page and navigation), if one is declared.
        self.site: SiteSpec | None = None
        #: The playlists, in registration order.
        self.playlists: list[PlaylistSpec] = []
        self._access: AccessCheck | None = None
        self._lock = threading.Lock()

    # -- registration -----------------------------------------------------

    @staticmethod
    def check_chart(
        name: str, refresh: float | None, window: int | None
    ) -> tuple[float | None, int | None]:
        """Validate a chart's name, refresh and window (before its builder is
        known, so decorators fail where they are written).

        :raises ValueError: for a bad name, refresh or window.
        """
        validate_chart_name(name)
        if refresh is not None:
            refresh = _period(refresh, f"Chart {name!r}: refresh")
        if window is not None and (
            isinstance(window, bool) or not isinstance(window, int) or window < 1
        ):
            raise ValueError(
                f"Chart {name!r}: window must be a positive integer, not {window!r}."
            )
        return refresh, window

    @staticmethod
    def check_producer(chart: str, every: float) -> float:
        """Validate a producer's chart name and period.

        :raises ValueError: for a bad name or period.
        """
        validate_chart_name(chart)
        return _period(every, f"Producer {chart!r}: every")

    def add_variable(self, spec: VariableSpec) -> VariableSpec:
        """Register a variable (validated by :func:`.variables.make_variable`).

        :raises ValueError: when a variable of that name is declared already.
        """
        with self._lock:
            if spec.name in self.variables:
                raise ValueError(f"A variable named {spec.name!r} is already declared.")
            self.variables = {**self.variables, spec.name: spec}
        return spec

    def check_on_click(
        self, name: str, on_click: t.Mapping[str, str] | None
    ) -> tuple[tuple[str, str], ...]:
        """Validate a chart's ``on_click``: declared variables, known fields.

        :raises ValueError: for an undeclared variable or an unknown field.
        """
        if on_click is None:
            return ()
        if not isinstance(on_click, t.Mapping):
            raise ValueError(
                f"Chart {name!r}: on_click must map variables to fields of the click,"
                " such as {'region': 'name'}."
            )
        for variable, source in on_click.items():
            if variable not in self.variables:
                raise ValueError(
                    f"Chart {name!r}: on_click sets {variable!r}, but no variable of"
                    f" that name is declared: declare it first with"
                    f" charts.variable({variable!r}, ...)."
                )
            if source not in CLICK_FIELDS:
                raise ValueError(
                    f"Chart {name!r}: on_click reads {source!r} of the click; use one"
                    f" of {', '.join(sorted(CLICK_FIELDS))}."
                )
        return tuple(on_click.items())

    def builder_variables(self, name: str, builder: Builder) -> tuple[str, ...]:
        """The variables a builder takes: each parameter must name one, except
        a parameter with a default value that names none (the loop idiom
        ``lambda j=j: ...`` keeps its value).

        :raises ValueError: for a parameter without a default that names no
            declared variable.
        """
        try:
            parameters = inspect.signature(builder).parameters.values()
        except (TypeError, ValueError):  # a builtin without a signature
            return ()
        names = []
        for parameter in parameters:
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                raise ValueError(
                    f"Chart {name!r}: the builder takes {parameter}; name each"
                    " variable it uses as a parameter instead."
                )
            if (
                parameter.name not in self.variables
                and parameter.default is not parameter.empty
                and parameter.kind is not parameter.POSITIONAL_ONLY
            ):
                continue  # not a variable: the builder keeps its default
            if parameter.kind is parameter.POSITIONAL_ONLY or (
                parameter.name not in self.variables
            ):
                declared = ", ".join(self.variables) or "none yet"
                raise ValueError(
                    f"Chart {name!r}: the builder takes {parameter.name!r}, but no"
                    f" variable of that name is declared (declared: {declared})."
                    " Builder parameters name variables: declare variables before"
                    f" charts, with charts.variable({parameter.name!r}, ...)."
                )
            names.append(parameter.name)
        return tuple(names)

    def add_chart(
        self,
        name: str,
        builder: Builder,
        refresh: float | None = None,
        window: int | None = None,
        *,
        fit_labels: bool = True,
        title: str | None = None,
        on_click: t.Mapping[str, str] | None = None,
        display: str = "chart",
    ) -> ChartSpec:
        """Validate and register a chart.

        :param display: how it is shown, one of :data:`DISPLAYS`.
        :raises ValueError: for a bad name, refresh or window, a name taken, a
            builder parameter that names no variable, variables on a stream,
            a bad ``on_click`` or an unknown ``display``.
        """
        refresh, window = self.check_chart(name, refresh, window)
        if display not in DISPLAYS:
            raise ValueError(
                f"Chart {name!r}: display must be one of {', '.join(DISPLAYS)},"
                f" not {display!r}."
            )
        if not callable(builder):
            raise TypeError(f"Chart {name!r}: the builder must be callable.")
        uses = self.builder_variables(name, builder)
        if window and uses:
            raise ValueError(
                f"Chart {name!r} is a stream and its builder takes {', '.join(uses)}:"
                " streams are the same for every viewer, so they take no variables."
            )
        clicks = self.check_on_click(name, on_click)
        spec = ChartSpec(
            name, builder, refresh, window, fit_labels, title, uses, clicks, display
        )
        with self._lock:
            if name in self.charts:
                raise ValueError(
                    f"A chart named {name!r} is already registered; choose another"
                    " name."
                )
            self.charts = {**self.charts, name: spec}
        return spec

    def add_producer(
        self, chart: str, function: Producer, every: float
    ) -> ProducerSpec:
        """Validate and register a producer for the stream chart ``chart``.

        :raises ValueError: when ``chart`` is not a registered stream chart
            (register the chart first), or already has a producer.
        """
        spec = ProducerSpec(chart, function, self.check_producer(chart, every))
        if not callable(function):
            raise TypeError(f"Producer {chart!r}: the function must be callable.")
        target = self.charts.get(chart)
        if target is None:
            raise ValueError(
                f"A producer feeds {chart!r}, but no chart of that name is registered:"
                " register it first, with @charts.chart(name, window=N)."
            )
        if target.kind != "stream":
            raise ValueError(
                f"A producer feeds {chart!r}, which is not a stream: give the chart a"
                " window, @charts.chart(name, window=N)."
            )
        with self._lock:
            if chart in self.producers:
                raise ValueError(f"A producer for {chart!r} is already registered.")
            self.producers = {**self.producers, chart: spec}
        return spec

    def add_dashboard(
        self,
        rule: str,
        names: t.Sequence[str] | None,
        title: str,
        columns: int,
        endpoint: str | None,
        *,
        layout: str | None = None,
        rows: t.Sequence[str] | None = None,
        description: str | None = None,
    ) -> DashboardSpec:
        """Validate and register a dashboard: ``names`` in a grid of
        ``columns``, or a ``layout`` picture (with optional ``rows`` sizes).

        :raises ValueError: for both or neither of ``names`` and ``layout``, a
            bad layout, a chart that is not registered (register the charts
            first), bad columns, or a rule taken by another report.
        """
        where = f"The dashboard at {rule!r}"
        if (names is None) == (layout is None):
            raise ValueError(
                f"{where}: give either names (a list of charts shown in a grid) or"
                " layout (a picture of named areas), not "
                + ("both." if names is not None else "neither.")
            )
        parsed = None
        if layout is not None:
            parsed = parse_layout(layout, rows, where=where)
            names = parsed.names
        elif rows is not None:
            raise ValueError(
                f"{where}: rows sizes the rows of a layout; give a layout."
            )
        if isinstance(names, str) or not names:
            raise ValueError(
                "A dashboard needs a list of chart names, such as ['sales']."
            )
        self._check_shown(where, names)
        if isinstance(columns, bool) or not (
            isinstance(columns, int) and 1 <= columns <= 6
        ):
            raise ValueError("columns must be an integer from 1 to 6.")
        with self._lock:
            self._check_rule(rule)
            spec = DashboardSpec(
                rule,
                tuple(names),
                title,
                columns,
                endpoint or f"pyecharts_dashboard_{len(self.dashboards)}",
                _description(description, where),
                parsed,
            )
            self.dashboards = [*self.dashboards, spec]
            self._reports = [*self._reports, spec]
        return spec

    def add_screen(
        self,
        rule: str,
        layout: str,
        *,
        size: tuple[int, int] = (1920, 1080),
        title: str,
        theme: str = "dark",
        fit: str = "contain",
        rows: t.Sequence[str] | None = None,
        description: str | None = None,
        endpoint: str | None = None,
    ) -> ScreenSpec:
        """Validate and register a screen.

        :raises ValueError: for a bad layout, size, theme or fit, a chart that
            is not registered, or a rule taken by another report.
        """
        where = f"The screen at {rule!r}"
        parsed = parse_layout(layout, rows, where=where)
        self._check_shown(where, parsed.names)
        low, high = SCREEN_SIZES
        if (
            not isinstance(size, (tuple, list))
            or len(size) != 2
            or not all(
                isinstance(n, int) and not isinstance(n, bool) and low <= n <= high
                for n in size
            )
        ):
            raise ValueError(
                f"{where}: size must be (width, height) in pixels, each from {low} to"
                f" {high}, such as (1920, 1080); not {size!r}."
            )
        if theme not in SCREEN_THEMES:
            raise ValueError(
                f"{where}: theme must be 'dark' or 'light', not {theme!r}."
            )
        if fit not in SCREEN_FITS:
            raise ValueError(
                f"{where}: fit must be one of {', '.join(SCREEN_FITS)}, not {fit!r}."
            )
        with self._lock:
            self._check_rule(rule)
            spec = ScreenSpec(
                rule,
                title,
                _description(description, where),
                endpoint or f"pyecharts_screen_{len(self.screens)}",
                parsed.names,
                parsed,
                (size[0], size[1]),
                theme,
                fit,
            )
            self.screens = [*self.screens, spec]
            self._reports = [*self._reports, spec]
        return spec

    def _check_shown(self, where: str, names: t.Iterable[str]) -> None:
        for name in names:
            validate_chart_name(name)
            if name not in self.charts:
                raise ValueError(
                    f"{where} shows {name!r}, but no chart of that name is registered:"
                    " register the charts first."
                )

    def _check_rule(self, rule: str) -> None:
        for report in self._reports:
            if report.rule == rule:
                raise ValueError(
                    f"The {report.kind} at {rule!r} already has that rule; give each"
                    " report its own."
                )

    def reports(self) -> list[ReportSpec]:
        """The dashboards and screens, in registration order."""
        return list(self._reports)

    def set_site(self, spec: SiteSpec) -> SiteSpec:
        """Declare the site.

        :raises ValueError: when one is declared already.
        """
        with self._lock:
            if self.site is not None:
                raise ValueError(
                    f"A site is already declared at {self.site.rule!r}: an app has"
                    " one home page."
                )
            self.site = spec
        return spec

    def add_playlist(self, spec: PlaylistSpec) -> PlaylistSpec:
        """Register a playlist (validated by ``reports.playlists.make_playlist``)."""
        with self._lock:
            self.playlists = [*self.playlists, spec]
        return spec

    # -- access -----------------------------------------------------------

    def set_access(self, check: AccessCheck) -> None:
        """Ask ``check(chart_name)`` before showing any chart."""
        self._access = check

    @property
    def restricted(self) -> bool:
        """Whether an access check decides who sees what: answers then depend
        on the viewer, and no shared cache may keep them."""
        return self._access is not None

    def allows(self, name: str) -> bool:
        """Whether the current request may see chart ``name``."""
        return self._access is None or bool(self._access(name))

    # -- lookup -----------------------------------------------------------

    def chart(self, name: str) -> ChartSpec:
        """The registered chart ``name``.

        :raises UnknownChart: when there is none.
        """
        spec = self.charts.get(name)
        if spec is None:
            raise UnknownChart(name)
        return spec

    def visible(self, name: str) -> ChartSpec:
        """The chart ``name`` if the current request may see it.

        A refused chart is answered exactly like an unknown one, so names
        cannot be discovered by trying them.

        :raises UnknownChart: when there is none, or the viewer may not see it.
        """
        spec = self.chart(name)
        if not self.allows(name):
            raise UnknownChart(name)
        return spec

    def visible_charts(self) -> list[ChartSpec]:
        """The charts the current request may see, in registration order."""
        return [spec for spec in self.charts.values() if self.allows(spec.name)]

    def visible_variables(self) -> t.Mapping[str, VariableSpec]:
        """The variables the current request may name: every one without an
        access check; else those of the charts it may see (as ``/api/charts``
        lists them), so that a refused chart's variables stay unknown."""
        if self._access is None:
            return self.variables
        names: set[str] = set()
        for variable in self.variables_of(self.visible_charts()):
            ancestor: VariableSpec | None = variable
            while ancestor is not None and ancestor.name not in names:
                names.add(ancestor.name)  # a parent's value sets its children's
                ancestor = ancestor.parent
        return {name: self.variables[name] for name in self.variables if name in names}

    def variables_of(self, specs: t.Iterable[ChartSpec]) -> list[VariableSpec]:
        """The variables these charts use or set on click, in declaration order."""
        specs = list(specs)
        names = {name for spec in specs for name in spec.variables}
        names |= {name for spec in specs for name, _ in spec.on_click}
        return [self.variables[name] for name in self.variables if name in names]
