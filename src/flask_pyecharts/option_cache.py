"""Coalesced option building: at most one build per refresh interval per process.

However many viewers ask, a chart's builder runs once per interval; requests
that arrive during a build wait for that build instead of starting their own.
"""

from __future__ import annotations

import logging
import threading
import time
import typing as t
from dataclasses import dataclass

from .options import OptionDocument, build_document

logger = logging.getLogger("flask_pyecharts")

#: How long a failed build is remembered when the chart has no refresh interval.
FAILED_BUILD_RETRY = 5.0


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
    """

    def __init__(
        self,
        name: str,
        builder: t.Callable[[], t.Any],
        refresh: float | None,
        clock: t.Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.refresh = refresh
        self._builder = builder
        self._clock = clock
        self._entry: _Entry | None = None
        self._last_good: OptionDocument | None = None
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
                    entry = self._entry = self._build()
        if entry.error is not None:
            raise entry.error
        assert entry.document is not None
        return entry.document

    def last_good(self) -> OptionDocument | None:
        """The last option that built, even if stale or followed by a failure."""
        return self._last_good

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

    def _build(self) -> _Entry:
        try:
            document = build_document(self._builder(), self.name)
        except Exception as exc:
            logger.exception("Chart %r: the builder failed", self.name)
            message = f"Chart {self.name!r} could not be built: {type(exc).__name__}"
            detail = str(exc).strip().splitlines()
            if detail:
                message += f": {detail[0][:200]}"
            return _Entry(self._clock(), None, BuildError(self.name, message))
        self._last_good = document
        return _Entry(self._clock(), document, None)
