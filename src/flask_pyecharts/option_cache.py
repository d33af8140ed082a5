"""Coalesced option building: at most one build per refresh interval.

However many viewers ask, a chart's builder runs once per interval; requests
that arrive during a build wait for that build instead of starting their own.
With a shared store (Redis) the interval is kept for the whole deployment: the
process holding the build lock builds and publishes the option, the others
read it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import typing as t
from dataclasses import dataclass

import orjson

from .options import OptionDocument, build_document, dumps

if t.TYPE_CHECKING:
    from .stores import Store

logger = logging.getLogger("flask_pyecharts")

#: How long a failed build is remembered when the chart has no refresh interval.
FAILED_BUILD_RETRY = 5.0
#: How long a process waits for another one's build before building itself.
SHARED_BUILD_WAIT = 5.0
#: How long a build lock outlives a dead builder.
BUILD_LOCK_TTL = 30.0


class BuildError(RuntimeError):
    """A chart's builder raised; the message is safe to show to viewers."""

    def __init__(self, chart: str, message: str) -> None:
        super().__init__(message)
        self.chart = chart


@dataclass(frozen=True)
class _Entry:
    built_at: float
    document: OptionDocument | None
    error: BuildError | None


class OptionCache:
    """The latest option of one chart, rebuilt when older than ``refresh``.

    :param name: the chart's name.
    :param builder: returns a pyecharts chart or an option dict.
    :param refresh: seconds an option stays fresh; ``None`` builds it once.
    :param shared: a store shared by the deployment's processes, if any.
    :param timeout: seconds a build may take.
    :param context: entered around each build (the app context).
    """

    def __init__(
        self,
        name: str,
        builder: t.Callable[[], t.Any],
        refresh: float | None,
        shared: Store | None = None,
        timeout: float = 10.0,
        context: t.Callable[[], t.ContextManager[t.Any]] = contextlib.nullcontext,
    ) -> None:
        self.name = name
        self.refresh = refresh
        #: Seconds a build may take before viewers get a time-out error.
        self.timeout = timeout
        self._builder = builder
        self._context = context
        self._running: threading.Thread | None = None
        self._clock = time.monotonic
        # Charts built once (no refresh) are built by each process.
        self._shared = shared if refresh else None
        self._entry: _Entry | None = None
        self._lock = threading.Lock()

    def get(self) -> OptionDocument:
        """The current option, building it first when it is stale.

        :raises BuildError: when the latest build failed.
        """
        entry = self._entry
        if entry is None or self._expired(entry):
            with self._lock:
                entry = self._entry
                if entry is None or self._expired(entry):
                    build = self._build if self._shared is None else self._build_shared
                    entry = self._entry = build()
        if entry.error is not None:
            raise entry.error
        assert entry.document is not None
        return entry.document

    def peek(self) -> OptionDocument | None:
        """The option built last, without building; ``None`` after a failure."""
        entry = self._entry
        return entry.document if entry is not None else None

    def next_due(self) -> float | None:
        """The clock time after which the next :meth:`get` rebuilds, if ever."""
        entry = self._entry
        if entry is None:
            return self._clock()
        lifetime = self._lifetime(entry)
        return None if lifetime is None else entry.built_at + lifetime

    def _lifetime(self, entry: _Entry) -> float | None:
        if entry.error is not None:
            return self.refresh or FAILED_BUILD_RETRY
        return self.refresh

    def _expired(self, entry: _Entry) -> bool:
        lifetime = self._lifetime(entry)
        return lifetime is not None and self._clock() - entry.built_at >= lifetime

    def _build_shared(self) -> _Entry:
        """Build once for the deployment, or read what another process built."""
        assert self._shared is not None
        entry = self._read_shared()
        if entry is not None and not self._expired(entry):
            return entry
        lock = self._shared.lock(f"build:{self.name}", ttl=BUILD_LOCK_TTL)
        if lock.acquire(blocking=False):
            try:
                entry = self._read_shared()
                if entry is None or self._expired(entry):
                    entry = self._build()
                    self._write_shared(entry)
                return entry
            finally:
                lock.release()
        deadline = self._clock() + SHARED_BUILD_WAIT
        while self._clock() < deadline:
            time.sleep(0.05)
            entry = self._read_shared()
            if entry is not None and not self._expired(entry):
                return entry
        logger.warning("Chart %r: no shared build arrived; building here", self.name)
        return self._build()

    def _read_shared(self) -> _Entry | None:
        assert self._shared is not None
        blob = self._shared.get_blob(f"option:{self.name}")
        if blob is None:
            return None
        saved = orjson.loads(blob)
        age = max(0.0, time.time() - saved["built_at"])
        built_at = self._clock() - age
        if saved.get("error"):
            return _Entry(built_at, None, BuildError(self.name, saved["error"]))
        document = OptionDocument(
            saved["body"].encode(),
            saved["functions"],
            tuple(saved["dependencies"]),
            saved["theme"],
        )
        return _Entry(built_at, document, None)

    def _write_shared(self, entry: _Entry) -> None:
        assert self._shared is not None and self.refresh is not None
        document = entry.document
        saved: dict[str, t.Any] = {
            "built_at": time.time() - (self._clock() - entry.built_at)
        }
        if document is None:
            saved["error"] = str(entry.error)
        else:
            saved.update(
                body=document.body.decode(),
                functions=document.functions,
                dependencies=document.dependencies,
                theme=document.theme,
            )
        lifetime = max(self.refresh, FAILED_BUILD_RETRY) * 3
        self._shared.set_blob(f"option:{self.name}", dumps(saved), lifetime)

    def _build(self) -> _Entry:
        """Run the builder with a time limit; a hung builder is not started twice."""
        running = self._running
        if running is not None and running.is_alive():
            return self._timed_out()
        outcome: list[t.Any] = []
        thread = threading.Thread(
            target=self._run_builder,
            args=(outcome,),
            name=f"pyecharts-build-{self.name}",
            daemon=True,
        )
        self._running = thread
        thread.start()
        thread.join(self.timeout)
        if not outcome:
            return self._timed_out()
        return t.cast(_Entry, outcome[0])

    def _timed_out(self) -> _Entry:
        logger.error("Chart %r: the builder ran over %s s", self.name, self.timeout)
        message = f"Chart {self.name!r} timed out after {self.timeout:g} s."
        return _Entry(self._clock(), None, BuildError(self.name, message))

    def _run_builder(self, outcome: list[t.Any]) -> None:
        with self._context():
            outcome.append(self._build_here())

    def _build_here(self) -> _Entry:
        try:
            document = build_document(self._builder(), self.name)
        except Exception as exc:
            logger.exception("Chart %r: the builder failed", self.name)
            message = f"Chart {self.name!r} could not be built: {type(exc).__name__}"
            detail = str(exc).strip().splitlines()
            if detail:
                message += f": {detail[0][:200]}"
            return _Entry(self._clock(), None, BuildError(self.name, message))
        return _Entry(self._clock(), document, None)
