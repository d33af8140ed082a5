"""Per-app state of the extension: store, hub, option caches, producers.

This is where chart documents and updates are computed; the HTTP layer in
:mod:`flask_pyecharts.api` only parses input and formats output.
"""

from __future__ import annotations

import threading
import typing as t
from dataclasses import dataclass

from flask import Flask, url_for

from .assets import UnsupportedDependencyError, script_urls
from .hub import Hub
from .limits import StreamSlots
from .option_cache import BuildError, OptionCache
from .options import OptionDocument, dumps
from .producers import ProducerThread
from .stores import Page, Store, open_store
from .stores.memory import MemoryStore

if t.TYPE_CHECKING:
    from .extension import Charts, ChartSpec, ProducerSpec


#: The most pages of points kept for viewers to share (see ChartRuntime.points).
MAX_SHARED_PAGES = 1024


class UnknownChart(LookupError):
    """No chart of that name is registered."""


@dataclass(frozen=True)
class Update:
    """One change to send to a viewer: an event, or an entry of ``/updates``."""

    #: ``option``, ``points``, ``reset`` or ``error``.
    type: str
    chart: str
    #: The JSON object sent to the client, as bytes.
    payload: bytes
    #: The chart's ``since`` token after this update.
    token: str


@dataclass(frozen=True)
class ChartDocument:
    """What ``GET /api/charts/<name>`` answers."""

    body: bytes
    etag: str


class ChartRuntime:
    """Everything :class:`~flask_pyecharts.Charts` keeps for one app."""

    def __init__(self, charts: Charts, app: Flask) -> None:
        self.charts = charts
        self.app = app
        self.config = app.config
        self.store: Store = open_store(
            app.config["PYECHARTS_STORE"], max_window=app.config["PYECHARTS_MAX_WINDOW"]
        )
        self.hub = Hub(self.store)
        self.stream_slots = StreamSlots(
            app.config["PYECHARTS_MAX_STREAMS"],
            app.config["PYECHARTS_MAX_STREAMS_PER_CLIENT"],
        )
        # Options are built once per deployment only when processes share a store.
        self._shared = None if isinstance(self.store, MemoryStore) else self.store
        self._caches: dict[str, OptionCache] = {}
        self._merged: dict[str, tuple[str, str, ChartDocument]] = {}
        self._pages: dict[tuple[str, str, int, int], Page] = {}
        self._page_lock = threading.Lock()
        self._producers: dict[str, ProducerThread] = {}
        self._lock = threading.Lock()
        self._started = False

    # -- lifecycle --------------------------------------------------------

    def start(self) -> None:
        """Declare the streams and start the producers."""
        for spec in list(self.charts.specs.values()):
            self.add_chart(spec)
        self._started = True
        for producer in list(self.charts.producers.values()):
            self.add_producer(producer)

    def stop(self) -> None:
        """Stop producers and the hub; used at shutdown and by tests."""
        with self._lock:
            producers = list(self._producers.values())
            self._producers.clear()
        for producer in producers:
            producer.stop()
        self.hub.close()

    def add_chart(self, spec: ChartSpec) -> None:
        """Prepare the store for a newly registered chart."""
        if spec.window:
            if spec.window > self.config["PYECHARTS_MAX_WINDOW"]:
                raise ValueError(
                    f"Chart {spec.name!r}: window {spec.window} exceeds"
                    f" PYECHARTS_MAX_WINDOW ({self.config['PYECHARTS_MAX_WINDOW']})."
                )
            self.store.configure(spec.name, spec.window)

    def add_producer(self, spec: ProducerSpec) -> None:
        """Start polling a newly registered producer."""
        if not self._started:
            return
        with self._lock:
            if spec.chart in self._producers:
                return
            thread = self._producers[spec.chart] = ProducerThread(
                spec, self.app, self.store
            )
        thread.start()

    # -- charts -----------------------------------------------------------

    def spec(self, name: str) -> ChartSpec:
        """The registered chart ``name``.

        :raises UnknownChart: when there is none.
        """
        spec = self.charts.specs.get(name)
        if spec is None:
            raise UnknownChart(name)
        return spec

    def option(self, spec: ChartSpec) -> OptionDocument:
        """The chart's current base option, built at most once per refresh.

        :raises BuildError: when its builder failed.
        """
        cache = self._caches.get(spec.name)
        if cache is None:
            with self._lock:
                cache = self._caches.setdefault(
                    spec.name,
                    OptionCache(
                        spec.name,
                        spec.builder,
                        spec.refresh,
                        shared=self._shared,
                        timeout=float(self.config["PYECHARTS_BUILD_TIMEOUT"]),
                        context=self.app.app_context,
                    ),
                )
        return cache.get()

    def next_refresh(self, spec: ChartSpec) -> float | None:
        """When the option of a full chart is next due for a rebuild."""
        cache = self._caches.get(spec.name)
        return cache.next_due() if cache else None

    def option_moved(self, spec: ChartSpec, etag: str) -> bool:
        """Whether a full chart was rebuilt into another option than ``etag``
        (without building anything)."""
        cache = self._caches.get(spec.name)
        document = cache.peek() if cache else None
        return document is not None and document.etag != etag

    def document(self, spec: ChartSpec) -> ChartDocument:
        """The chart document, with a stream's current window merged in."""
        base = self.option(spec)
        if spec.kind == "full":
            return self._document(spec, base, base.body, None)
        cached = self._merged.get(spec.name)
        if (
            cached
            and cached[0] == base.etag
            and cached[1] == self.store.head(spec.name)
        ):
            return cached[2]  # nothing appended since: skip reading the window
        page = self.store.since(spec.name, None)
        option = merge_points(base.option(), page.points)
        document = self._document(spec, base, dumps(option), page.cursor)
        self._merged[spec.name] = (base.etag, page.cursor, document)
        return document

    def scripts(self, document: OptionDocument) -> list[str]:
        """URLs of the extra scripts (beyond echarts) an option needs: bundled
        files from the app, others from the ``PYECHARTS_ASSETS`` host."""
        urls = script_urls(document.dependencies, self.vendor_url(), self.assets_url())
        return urls[1:]

    def vendor_url(self) -> str:
        """Where the app serves the bundled files (echarts, maps, themes...)."""
        return url_for("pyecharts.static", filename="-")[:-1]

    def assets_url(self) -> str | None:
        """The ``PYECHARTS_ASSETS`` host, for the files not bundled, or ``None``."""
        configured = self.config["PYECHARTS_ASSETS"]
        return str(configured).rstrip("/") + "/" if configured else None

    def _document(
        self,
        spec: ChartSpec,
        base: OptionDocument,
        option_body: bytes,
        cursor: str | None,
    ) -> ChartDocument:
        merged = OptionDocument(option_body, base.functions, base.dependencies)
        try:
            scripts = self.scripts(base)
        except UnsupportedDependencyError as error:
            raise BuildError(spec.name, str(error)) from None
        head = {
            "name": spec.name,
            "kind": spec.kind,
            "functions": base.functions,
            "cursor": cursor,
            "refresh": spec.refresh,
            "window": spec.window,
            "etag": merged.etag,
        }
        head.update(_optional(scripts=scripts, theme=base.theme))
        if not spec.fit_labels:
            head["fit_labels"] = False
        body = dumps(head)[:-1] + b',"option":' + option_body + b"}"
        return ChartDocument(body, merged.etag)

    # -- updates ----------------------------------------------------------

    def updates(
        self, specs: t.Sequence[ChartSpec], tokens: t.Sequence[str], limit: int
    ) -> list[Update]:
        """What changed for each chart since its token (cursor or etag).

        :raises ValueError: for a malformed cursor.
        """
        found: list[Update] = []
        for spec, token in zip(specs, tokens, strict=True):
            if spec.kind == "stream":
                update = self._points_update(spec, token, limit)
            else:
                update = self._option_update(spec, token)
            if update is not None:
                found.append(update)
        return found

    def points(self, spec: ChartSpec, cursor: str | None, limit: int) -> Page:
        """The points of a stream after ``cursor``.

        With a shared store, viewers at the same cursor share one read per
        change the hub sees (a page read later only holds more points, so a
        shared page is never wrong, only as fresh as the hub).
        """
        generation = self.hub.generation(spec.name) if self._shared else None
        if generation is None:
            return self.store.since(spec.name, cursor or None, limit)
        key = (spec.name, cursor or "", limit, generation)
        with self._page_lock:  # one read per key, however many viewers wake at once
            page = self._pages.get(key)
            if page is None:
                page = self.store.since(spec.name, cursor or None, limit)
                if len(self._pages) >= MAX_SHARED_PAGES:
                    self._pages.clear()
                self._pages[key] = page
        return page

    def _points_update(self, spec: ChartSpec, token: str, limit: int) -> Update | None:
        page = self.points(spec, token, limit)
        if not page.points and not page.reset:
            return None
        kind = "reset" if page.reset else "points"
        payload = {
            "type": kind,
            "chart": spec.name,
            "cursor": page.cursor,
            "points": page.points,
        }
        return Update(kind, spec.name, dumps(payload), page.cursor)

    def _option_update(self, spec: ChartSpec, token: str) -> Update | None:
        try:
            document = self.option(spec)
        except BuildError as error:
            payload = {"type": "error", "chart": spec.name, "error": str(error)}
            # An empty token makes the option go out again once the builder recovers.
            return Update("error", spec.name, dumps(payload), "")
        if document.etag == token:
            return None
        head = {
            "type": "option",
            "chart": spec.name,
            "etag": document.etag,
            "functions": document.functions,
        }
        head.update(_optional(scripts=self.scripts(document), theme=document.theme))
        payload = dumps(head)[:-1] + b',"option":' + document.body + b"}"
        return Update("option", spec.name, payload, document.etag)


def _optional(**fields: t.Any) -> dict[str, t.Any]:
    """The fields that differ from their default (empty or ``None``): less to send."""
    return {key: value for key, value in fields.items() if value}


def merge_points(option: dict[str, t.Any], points: list[tuple[int, t.Any]]) -> dict:
    """Put a stream's window into ``option``: each series gets its points as data."""
    series = option.get("series")
    if isinstance(series, dict):
        series = option["series"] = [series]
    if not isinstance(series, list):
        return option
    data: dict[int, list[t.Any]] = {index: [] for index in range(len(series))}
    for index, value in points:
        if index in data:
            data[index].append(value)
    for index, item in enumerate(series):
        if isinstance(item, dict):
            item["data"] = data[index]
    for axis in _axes(option.get("xAxis")):
        if axis.get("type", "category") == "category" and axis.get("data") == []:
            del axis["data"]  # categories then come from the points' x values
            axis["type"] = "category"
    return option


def _axes(value: t.Any) -> list[dict[str, t.Any]]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]
