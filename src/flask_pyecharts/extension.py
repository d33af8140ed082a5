"""The :class:`Charts` extension: chart registry, configuration and ``init_app``."""

from __future__ import annotations

import re
import threading
import typing as t
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context
from markupsafe import Markup

from .points import normalize_points

if t.TYPE_CHECKING:
    from .runtime import ChartRuntime

Builder = t.Callable[[], t.Any]
F = t.TypeVar("F", bound=t.Callable[..., t.Any])

#: Chart names travel in URL paths, comma-separated lists and event ids.
CHART_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")

#: Every configuration key with its default; each one is safe to leave unset.
DEFAULT_CONFIG: dict[str, t.Any] = {
    "PYECHARTS_URL_PREFIX": "/charts",
    "PYECHARTS_STORE": "memory://",
    "PYECHARTS_ASSETS": None,
    "PYECHARTS_TRANSPORT": "sse",
    "PYECHARTS_STRICT_CSP": False,
    "PYECHARTS_CORS_ORIGINS": (),
    "PYECHARTS_MAX_WINDOW": 100_000,
    "PYECHARTS_HEARTBEAT": 15.0,
    "PYECHARTS_STREAM_TIMEOUT": 600.0,
    "PYECHARTS_BUILD_TIMEOUT": 10.0,
    "PYECHARTS_MAX_STREAMS": 5000,
    "PYECHARTS_MAX_STREAMS_PER_CLIENT": 32,
    "PYECHARTS_MAX_CHARTS_PER_REQUEST": 64,
}

_EXTENSION_KEY = "pyecharts"


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

    @property
    def kind(self) -> str:
        """``"stream"`` for charts fed by appended points, else ``"full"``."""
        return "stream" if self.window else "full"


@dataclass(frozen=True)
class ProducerSpec:
    """A function polled by the library that feeds a stream chart."""

    chart: str
    function: t.Callable[[t.Any], tuple[t.Any, t.Any]]
    every: float


@dataclass(frozen=True)
class DashboardSpec:
    """A page showing several charts."""

    rule: str
    names: tuple[str, ...]
    title: str
    columns: int
    endpoint: str


def validate_chart_name(name: object) -> str:
    """Return ``name`` if it is a valid chart name, else raise ``ValueError``."""
    if not isinstance(name, str) or not CHART_NAME.fullmatch(name):
        raise ValueError(
            f"Invalid chart name {name!r}: use 1 to 64 letters, digits, '_', '-' or"
            " '.', starting with a letter, digit or '_'."
        )
    return name


class Charts:
    """Publish pyecharts charts from a Flask app.

    ``Charts(app)``, or ``Charts()`` then :meth:`init_app` in an app factory.
    Charts, producers and dashboards registered on this object apply to every
    app it is initialized on; each app keeps its own state and configuration.
    """

    def __init__(self, app: Flask | None = None) -> None:
        self.specs: dict[str, ChartSpec] = {}
        self.producers: dict[str, ProducerSpec] = {}
        self.dashboards: list[DashboardSpec] = []
        self._access: t.Callable[[str], bool] | None = None
        self._apps: dict[int, Flask] = {}
        self._lock = threading.Lock()
        if app is not None:
            self.init_app(app)

    # -- registration -----------------------------------------------------

    def init_app(self, app: Flask) -> None:
        """Register the extension on ``app``: config, blueprint, Jinja global."""
        if _EXTENSION_KEY in app.extensions:
            raise RuntimeError(
                "A 'Charts' instance has already been registered on this Flask app."
                " Import and use that instance instead."
            )
        for key, value in DEFAULT_CONFIG.items():
            app.config.setdefault(key, value)
        from .api import make_blueprint, register_error_handler
        from .cli import flask_group
        from .dashboard import register_dashboard
        from .runtime import ChartRuntime

        runtime = ChartRuntime(self, app)
        app.extensions[_EXTENSION_KEY] = runtime
        app.register_blueprint(
            make_blueprint(app.config["PYECHARTS_URL_PREFIX"]),
            url_prefix=app.config["PYECHARTS_URL_PREFIX"],
        )
        register_error_handler(app, app.config["PYECHARTS_URL_PREFIX"])
        app.jinja_env.globals["charts"] = self
        app.cli.add_command(flask_group)
        with self._lock:
            self._apps[id(app)] = app
            dashboards = list(self.dashboards)
        for dashboard in dashboards:
            register_dashboard(app, dashboard)
        runtime.start()

    def chart(
        self,
        name: str,
        refresh: float | None = None,
        window: int | None = None,
        *,
        fit_labels: bool = True,
        title: str | None = None,
    ) -> t.Callable[[F], F]:
        """Register a chart builder under ``name``.

        :param refresh: rebuild the option at most every ``refresh`` seconds;
            ``None`` builds it once.
        :param window: make it a stream chart keeping the last ``window``
            appended points.
        :param fit_labels: truncate long category labels to fit, full text on hover.
        :param title: the title shown on dashboards.
        """
        validate_chart_name(name)
        if refresh is not None and not (
            isinstance(refresh, (int, float)) and 0 < refresh <= 86_400
        ):
            raise ValueError(f"Chart {name!r}: refresh must be between 0 and 86400 s.")
        if window is not None and not (isinstance(window, int) and window > 0):
            raise ValueError(f"Chart {name!r}: window must be a positive integer.")

        def decorator(builder: F) -> F:
            spec = ChartSpec(name, builder, refresh, window, fit_labels, title)
            with self._lock:
                if name in self.specs:
                    raise ValueError(
                        f"A chart named {name!r} is already registered; choose"
                        " another name."
                    )
                self.specs[name] = spec
            for runtime in self._runtimes():
                runtime.add_chart(spec)
            return builder

        return decorator

    def producer(self, name: str, every: float = 1.0) -> t.Callable[[F], F]:
        """Register ``function(cursor) -> (points, new_cursor)`` feeding ``name``.

        The library calls it every ``every`` seconds on a background thread,
        once per deployment, and appends the points it returns (the points of
        series 0, or a dict mapping series index to points).
        """
        validate_chart_name(name)
        if not (isinstance(every, (int, float)) and 0 < every <= 86_400):
            raise ValueError(f"Producer {name!r}: every must be between 0 and 86400 s.")

        def decorator(function: F) -> F:
            spec = ProducerSpec(name, function, float(every))
            with self._lock:
                if name in self.producers:
                    raise ValueError(f"A producer for {name!r} is already registered.")
                self.producers[name] = spec
            for runtime in self._runtimes():
                runtime.add_producer(spec)
            return function

        return decorator

    def dashboard(
        self,
        rule: str,
        names: t.Sequence[str],
        title: str = "Dashboard",
        columns: int = 2,
        endpoint: str | None = None,
    ) -> None:
        """Serve a page at ``rule`` showing the charts ``names`` in a grid."""
        if not names:
            raise ValueError("A dashboard needs at least one chart name.")
        for name in names:
            validate_chart_name(name)
        if not (isinstance(columns, int) and 1 <= columns <= 6):
            raise ValueError("columns must be an integer from 1 to 6.")
        from .dashboard import register_dashboard

        spec = DashboardSpec(
            rule,
            tuple(names),
            title,
            columns,
            endpoint or f"pyecharts_dashboard_{len(self.dashboards)}",
        )
        with self._lock:
            self.dashboards.append(spec)
            apps = list(self._apps.values())
        for app in apps:
            register_dashboard(app, spec)

    def access(self, check: t.Callable[[str], bool]) -> t.Callable[[str], bool]:
        """Register ``check(chart_name) -> bool``, asked on every request.

        It runs in the request context (use ``flask.request``, ``g``, your
        login extension). A chart it refuses answers ``403`` in the API, embeds
        as nothing, and makes a dashboard that shows it answer ``403``.
        """
        self._access = check
        return check

    def allows(self, name: str) -> bool:
        """Whether the current request may see chart ``name``."""
        return self._access is None or bool(self._access(name))

    # -- use --------------------------------------------------------------

    def append(self, name: str, points: t.Any, series: int = 0) -> str:
        """Append one point or a list of points to stream ``name``.

        A tuple, a number or a dict is one point; a list is many points. Safe
        from any thread. Returns the stream's cursor after the append.

        :raises ValueError: for an unknown chart, a full-refresh chart or a
            wrongly shaped point; nothing is appended then.
        """
        spec = self.specs.get(name)
        if spec is None:
            raise ValueError(f"No chart named {name!r} is registered.")
        if spec.kind != "stream":
            raise ValueError(
                f"Chart {name!r} is not a stream: register it with"
                " @charts.chart(name, window=N) to append points."
            )
        items = normalize_points(points, series)
        return self.runtime().store.append(name, items)

    def embed(self, chart: t.Any, height: str = "400px", width: str = "100%") -> Markup:
        """Markup for a chart: a registered name (kept live) or a pyecharts chart."""
        from .embed import embed_markup

        return embed_markup(self.runtime(), chart, height=height, width=width)

    def scripts(self) -> Markup:
        """The ``<link>`` and ``<script>`` tags a page needs for embedded charts."""
        from .embed import script_tags

        return script_tags(self.runtime())

    def runtime(self, app: Flask | None = None) -> ChartRuntime:
        """This extension's state for ``app``, the current app or the only app."""
        if app is None and has_app_context():
            app = current_app._get_current_object()  # type: ignore[attr-defined]
        if app is None:
            apps = list(self._apps.values())
            if len(apps) != 1:
                raise RuntimeError(
                    "No app context, and this Charts instance is registered on"
                    f" {len(apps)} apps: call it inside 'with app.app_context():'."
                    if apps
                    else "Charts is not registered on any app. Did you forget to"
                    " call 'init_app'?"
                )
            app = apps[0]
        runtime = app.extensions.get(_EXTENSION_KEY)
        if runtime is None or runtime.charts is not self:
            raise RuntimeError(
                "This Charts instance is not registered on the app. Did you forget"
                " to call 'init_app'?"
            )
        return t.cast("ChartRuntime", runtime)

    def shutdown(self) -> None:
        """Stop the background threads of every app (producers, hub)."""
        for runtime in self._runtimes():
            runtime.stop()

    def _runtimes(self) -> list[ChartRuntime]:
        with self._lock:
            apps = list(self._apps.values())
        return [app.extensions[_EXTENSION_KEY] for app in apps]
