"""Per-app state of the extension: store, hub, feed, option caches, producers.

:class:`Runtime` wires the parts together for one app and answers what the
HTTP layer asks (documents, points, updates); it holds the app weakly, and
its threads end with the app (or with :meth:`Runtime.stop`).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
import typing as t
import weakref

from flask import current_app, has_request_context, request

from .._json import dumps
from ..assets import UnsupportedDependencyError, script_urls
from ..options import OptionDocument, merge_points, seed_points
from ..registry import Topic
from ..streams.cursors import Cursor
from ..streams.hub import Hub
from ..streams.points import normalize_points, normalize_rows
from ..streams.producers import ProducerThread
from ..streams.shapes import PointShapes
from ..streams.stores import Page, open_store
from ..streams.stores.memory import MemoryStore
from ..streams.windows import Windows
from ..variables import value_or_default
from ..wire.documents import ChartDocument, chart_document
from . import forks
from .feed import Feed
from .limits import StreamSlots, VariantBudget, client_address
from .option_cache import BuildError, OptionCache, OptionCaches
from .relay import Relay
from .shutdown import register as stop_at_worker_exit

if t.TYPE_CHECKING:
    from flask import Flask
    from flask.ctx import AppContext

    from ..config import Settings
    from ..registry import ChartSpec, ProducerSpec, Registry
    from ..streams.stores import Store

__all__ = ["EXTENSION_KEY", "Runtime", "current_runtime", "runtime_of"]

logger = logging.getLogger("flask_pyecharts")

#: Where an app keeps its runtime: ``app.extensions["pyecharts"]``.
EXTENSION_KEY = "pyecharts"
#: How long a seeding lock outlives a dead holder (seconds).
SEED_LOCK_TTL = 30.0


#: Seconds a stopping process lets event streams finish their last write.
STUCK_WRITE_GRACE = 1.0


def runtime_of(app: Flask) -> Runtime | None:
    """The app's runtime in this process, ``None`` if it has none.

    In a process forked after the app started (gunicorn ``--preload``), the
    first call makes the process its own runtime, started there; in one that
    has forked, it starts the producers again (see :mod:`.forks`).
    """
    runtime = app.extensions.get(EXTENSION_KEY)
    if not isinstance(runtime, Runtime):
        return None
    if runtime.stopped:  # shut down: nothing to start again
        return runtime
    if runtime.pid != forks.pid():
        with forks.lock():
            runtime = app.extensions[EXTENSION_KEY]
            if runtime.pid != forks.pid() and not runtime.stopped:
                runtime = Runtime(
                    runtime.registry, app, runtime.settings, runtime._clock
                )
                app.extensions[EXTENSION_KEY] = runtime
                runtime.start()
    elif runtime.paused:
        runtime.resume_producers()
    return runtime


def current_runtime() -> Runtime | None:
    """:func:`runtime_of` the current app."""
    return runtime_of(current_app._get_current_object())  # type: ignore[attr-defined]


class Runtime:
    """Everything :class:`~flask_pyecharts.Charts` keeps for one app.

    :param registry: the charts, producers and dashboards to serve.
    :param app: the app (held weakly).
    :param settings: the app's validated configuration.
    :param clock: monotonic seconds, for every cache and the feed.
    """

    def __init__(
        self,
        registry: Registry,
        app: Flask,
        settings: Settings,
        clock: t.Callable[[], float] = time.monotonic,
    ) -> None:
        self.registry = registry
        self.settings = settings
        self._app = weakref.ref(app)
        self._clock = clock
        self.store: Store = open_store(settings.store, max_window=settings.max_window)
        self.hub = Hub(self.store)
        self.stream_slots = StreamSlots(
            settings.max_streams, settings.max_streams_per_client
        )
        # Options are built once per deployment only when processes share a store.
        self._shared = None if isinstance(self.store, MemoryStore) else self.store
        self._caches = OptionCaches(settings.max_variants, settings.max_variant_bytes)
        self.variant_budget = VariantBudget(
            settings.max_new_variants_per_client, clock=clock
        )
        #: Publishes frames to nginx's nchan, which then serves event streams.
        self.relay = (
            Relay(self.store, settings.nchan, settings.heartbeat)
            if settings.nchan
            else None
        )
        self.feed = Feed(
            store=self.store,
            hub=self.hub,
            spec_of=lambda topic: self.registry.chart(topic.chart),
            cache_of=self.cache,
            scripts_of=self.scripts,
            max_fps=settings.max_fps,
            max_idle=settings.max_variants,
            max_bytes=settings.max_feed_bytes,
            tidy=self._caches.trim,
            wake_every=min(settings.heartbeat, settings.stream_timeout) / 2,
            clock=clock,
            relay=self.relay,
        )
        self._windows = Windows(self.store)
        self._merged: dict[str, tuple[str, str, ChartDocument]] = {}
        self._shapes: dict[str, tuple[str, PointShapes]] = {}
        self._producers: dict[str, ProducerThread] = {}
        self._seeded: set[str] = set()
        self._seed_lock = threading.Lock()
        self._script_root = ""
        self._lock = threading.Lock()
        self._started = False
        self._stopped = False
        #: The process this runtime was made in (its threads live there).
        self.pid = forks.pid()
        #: Whether this process forked and stopped the producers meanwhile.
        self.paused = False
        weakref.finalize(app, self.stop)

    # -- lifecycle --------------------------------------------------------

    def start(self) -> None:
        """Declare the streams and start the producers; under gunicorn, end
        the event streams when the worker is told to stop."""
        for spec in list(self.registry.charts.values()):
            self.add_chart(spec)
        self._started = True
        for producer in list(self.registry.producers.values()):
            self.add_producer(producer)
        stop_at_worker_exit(self)
        forks.register(self)
        self._warn_of_private_stores()

    def _warn_of_private_stores(self) -> None:
        """Several workers each with a memory store of its own: each has its
        own streams and cursors, and a viewer's requests go from one to the
        other (different values, resets)."""
        workers = forks.gunicorn_workers()
        if workers > 1 and isinstance(self.store, MemoryStore):
            logger.warning(
                "gunicorn runs %d workers and PYECHARTS_STORE is %r: each worker"
                " has its own streams, cursors and builds, and viewers see their"
                " values alternate. Set PYECHARTS_STORE=redis://HOST:6379/0 to"
                " share one store, or run one worker (-w 1).",
                workers,
                self.settings.store,
            )

    def pause_producers(self) -> None:
        """Stop the producers until :func:`runtime_of` is next called in this
        process (it has forked: see :mod:`.forks`)."""
        with self._lock:
            producers = list(self._producers.values())
            self._producers.clear()
            self.paused = bool(producers)
        for producer in producers:
            producer.stop(timeout=0)

    def resume_producers(self) -> None:
        """Start the producers again after :meth:`pause_producers`."""
        self.paused = False
        for producer in list(self.registry.producers.values()):
            self.add_producer(producer)

    def stop(self) -> None:
        """End the event streams, stop producers, feed and hub (idempotent).

        A stream whose reader stopped reading is blocked in a write that
        would hold a stopping worker until its graceful timeout: what is
        still blocked :data:`STUCK_WRITE_GRACE` seconds later is cut.
        """
        self._stopped = True
        with self._lock:
            producers = list(self._producers.values())
            self._producers.clear()
        self.feed.close()
        if self.relay is not None:
            self.relay.close()
        cut = threading.Timer(STUCK_WRITE_GRACE, self.stream_slots.cut_stuck)
        cut.daemon = True
        cut.start()
        for producer in producers:
            producer.stop()
        self.hub.close()

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called: event streams end."""
        return self._stopped

    def app_context(self) -> AppContext:
        """A context of the app, for work done outside requests."""
        app = self._app()
        if app is None:
            raise RuntimeError("The app of this Flask-PyEcharts runtime is gone.")
        return app.app_context()

    def debug(self) -> bool:
        """Whether the app runs in debug mode (viewers see builders' errors)."""
        app = self._app()
        return app is not None and app.debug

    def add_chart(self, spec: ChartSpec) -> None:
        """Prepare the store for a newly registered chart."""
        if spec.window:
            if spec.window > self.settings.max_window:
                raise ValueError(
                    f"Chart {spec.name!r}: window {spec.window} exceeds"
                    f" PYECHARTS_MAX_WINDOW ({self.settings.max_window})."
                )
            self.store.configure(spec.name, spec.window)

    def add_producer(self, spec: ProducerSpec) -> None:
        """Start polling a newly registered producer."""
        if not self._started or self._stopped:
            return
        with self._lock:
            if spec.chart in self._producers:
                return
            chart = self.registry.charts.get(spec.chart)
            thread = self._producers[spec.chart] = ProducerThread(
                spec,
                self,
                self.store,
                prepare=functools.partial(self.prepare_points, spec.chart),
                before_first=(lambda: self.seed(chart)) if chart else None,
            )
        thread.start()

    # -- charts -----------------------------------------------------------

    def topic(
        self, spec: ChartSpec, values: t.Mapping[str, str] | None = None
    ) -> Topic:
        """The topic viewers of ``spec`` follow for these variable values
        (canonical texts, checked); the variables it uses and ``values`` lacks
        take their default, and those it does not use are ignored.

        :raises ChoicesError: when a default cannot be had.
        """
        if not spec.variables:
            return Topic(spec.name)
        values = values or {}
        variables = self.registry.variables
        pairs = [
            (name, value_or_default(variables[name], values)) for name in spec.variables
        ]
        return Topic(spec.name, tuple(sorted(pairs)))

    def admit(self, topics: t.Iterable[Topic]) -> None:
        """Charge the client of the current request (by address) for the
        variants among ``topics`` not kept yet: each is a build. Nothing is
        charged outside requests.

        :raises LimitReached: ``429`` when its budget of new variants is spent.
        """
        if not has_request_context():
            return
        new = sum(
            1
            for topic in topics
            if topic.variables and self._caches.peek(topic.key) is None
        )
        if new:
            self.variant_budget.take(client_address(), new)

    def cache(self, topic: Topic) -> OptionCache:
        """The option cache of ``topic``."""
        if not topic.variables:  # kept for good once made: no rank to update
            kept = self._caches.peek(topic.chart)
            if kept is not None:
                return kept
        spec = self.registry.chart(topic.chart)
        variables = self.registry.variables
        arguments = {name: variables[name].convert(v) for name, v in topic.variables}

        def make() -> OptionCache:
            return OptionCache(
                topic.key,
                spec.name,
                lambda: spec.builder(**arguments),
                spec.refresh,
                shared=self._shared,
                timeout=self.settings.build_timeout,
                context=self.app_context,
                clock=self._clock,
                debug=self.debug,
                on_change=functools.partial(self._changed, topic),
            )

        return self._caches.get(topic.key, make, variant=bool(topic.variables))

    def _changed(self, topic: Topic, cache: OptionCache) -> None:
        """A build had a new outcome: tell the feed; a variant's new size may
        take its caches past their budget."""
        self.feed.changed(topic)
        if topic.variables:
            self._caches.trim()

    def variants(self) -> list[str]:
        """The keys of the variants whose options are kept, least recent first."""
        return self._caches.variants()

    def stats(self) -> dict[str, t.Any]:
        """What this process holds and its budgets: option caches, the feed,
        event streams (counts and bytes; no names or values)."""
        return {
            "pid": forks.pid(),
            "rss_bytes": _rss_bytes(),
            "options": self._caches.stats(),
            "feed": self.feed.stats(),
            "streams": {
                "open": self.stream_slots.count(),
                "max": self.settings.max_streams,
            },
            **({"relay": self.relay.stats()} if self.relay is not None else {}),
        }

    def option(self, spec: ChartSpec, topic: Topic | None = None) -> OptionDocument:
        """The chart's current base option, built at most once per refresh.

        :param topic: the variant (default: the chart with default values).
        :raises BuildError: when its builder failed.
        """
        return self.cache(topic or self.topic(spec)).get()

    def document(self, spec: ChartSpec, topic: Topic | None = None) -> ChartDocument:
        """The chart document, with a stream's current window merged in.

        :param topic: the variant (default: the chart with default values).
        :raises BuildError: when the builder failed or needs a script that
            cannot be served.
        """
        topic = topic or self.topic(spec)
        base = self.option(spec, topic)
        if spec.kind == "full":
            return self._document(spec, base, base.body, None, topic)
        if base.composite:
            raise BuildError(
                spec.name,
                f"Chart {spec.name!r} is a stream: its builder must return one"
                " chart (Line, Bar...), not a Page, Tab or component.",
            )
        self.seed(spec)
        assert spec.window is not None  # every stream chart has one
        cursor, points = self._windows.read(spec.name, spec.window)
        cached = self._merged.get(spec.name)
        if cached and cached[0] == base.etag and cached[1] == cursor:
            return cached[2]  # nothing appended since
        option = merge_points(base.option(), points)
        document = self._document(spec, base, dumps(option), cursor, topic)
        self._merged[spec.name] = (base.etag, cursor, document)
        return document

    def _document(
        self,
        spec: ChartSpec,
        base: OptionDocument,
        option: bytes,
        cursor: str | None,
        topic: Topic,
    ) -> ChartDocument:
        merged = OptionDocument(
            option,
            base.functions,
            base.dependencies,
            base.theme,
            base.composite,
            base.js_functions,
        )
        return chart_document(
            name=spec.name,
            kind=spec.kind,
            option=option,
            etag=merged.etag,
            functions=base.functions,
            cursor=cursor,
            refresh=spec.refresh,
            window=spec.window,
            scripts=self.scripts(base, spec.name),
            theme=base.theme,
            fit_labels=spec.fit_labels,
            variables=dict(topic.variables),
            on_click=dict(spec.on_click),
            composite=base.composite,
            js_functions=list(base.js_functions),
        )

    def scripts(self, document: OptionDocument, chart: str = "chart") -> list[str]:
        """URLs of the extra scripts (beyond echarts) an option needs: bundled
        files from the app, others from the ``PYECHARTS_ASSETS`` host.

        :raises BuildError: when one cannot be served.
        """
        try:
            urls = script_urls(
                document.dependencies, self.vendor_url(), self.settings.assets
            )
        except UnsupportedDependencyError as error:
            raise BuildError(chart, str(error)) from None
        return urls[1:]

    def vendor_url(self) -> str:
        """Where the app serves the bundled files (echarts, maps, themes...)."""
        if has_request_context():
            self._script_root = request.script_root
        return f"{self._script_root}{self.settings.url_prefix}/static/"

    # -- streams ----------------------------------------------------------

    def append(self, name: str, points: t.Any, series: int = 0) -> str:
        """Validate and append points to the stream chart ``name``.

        :raises ValueError: for an unknown chart, a full chart or bad points.
        """
        items = self.prepare_points(name, points, series)
        self.seed(self.registry.chart(name))
        return self.store.append(name, items)

    def prepare_points(
        self, name: str, points: t.Any, series: int = 0
    ) -> list[tuple[int, t.Any]]:
        """Points for the stream chart ``name``, normalized and checked against
        its option (its series, and the shape their axes give a point; a
        table's rows, one cell per column).

        :raises ValueError: for an unknown chart, a full chart or bad points,
            naming what was expected.
        """
        spec = self.registry.charts.get(name)
        if spec is None:
            raise ValueError(f"No chart named {name!r} is registered.")
        if spec.kind != "stream":
            raise ValueError(
                f"Chart {name!r} is not a stream: register it with"
                " @charts.chart(name, window=N) (a table with @charts.table(name,"
                " columns=[...], window=N)) to append points."
            )
        if spec.display == "table":  # a row is a tuple (or a list of cells)
            items = normalize_rows(points, series)
        else:
            items = normalize_points(points, series)
        self._point_shapes(spec).check(items)
        return items

    def _point_shapes(self, spec: ChartSpec) -> PointShapes:
        """The shapes of the chart's points, from its current option (or, when
        its builder fails, the checks that need no option)."""
        try:
            base = self.option(spec)
        except BuildError:
            return PointShapes(spec.name, None)
        cached = self._shapes.get(spec.name)
        if cached is None or cached[0] != base.etag:
            cached = self._shapes[spec.name] = (
                base.etag,
                PointShapes(spec.name, None if base.composite else base.option()),
            )
        return cached[1]

    def seed(self, spec: ChartSpec) -> None:
        """Start a stream with its builder's data, once per deployment.

        The series data of the built option become the stream's first points
        (:func:`~flask_pyecharts.options.seed_points`), appended only while the
        stream has never had a point: under the store's lock (one process of
        the deployment) with a marker set in the same atomic append, so that a
        restart, or another process, never seeds again. A builder that fails
        seeds nothing (and is asked again next time).
        """
        if spec.kind != "stream" or spec.name in self._seeded:
            return
        try:
            base = self.option(spec)
        except BuildError:
            return
        if base.composite:
            return
        with self._seed_lock:
            if spec.name in self._seeded:
                return
            points = seed_points(base.option())[-(spec.window or 1) :]
            if points:
                marker = f"seeded:{spec.name}"
                with self.store.lock(marker, ttl=SEED_LOCK_TTL):
                    empty = Cursor.decode(self.store.head(spec.name)).seq == 0
                    if empty and self.store.get_blob(marker) is None:
                        self.store.append(spec.name, points, state=(marker, b"1"))
            self._seeded.add(spec.name)

    def points(self, spec: ChartSpec, cursor: str | None, limit: int) -> Page:
        """The points of a stream after ``cursor``.

        :raises ValueError: for a malformed cursor.
        """
        self.seed(spec)
        return self.store.since(spec.name, cursor or None, limit)


def _rss_bytes() -> int | None:
    """This process's resident memory (Linux), or ``None`` where unknown."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")
