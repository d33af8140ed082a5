"""Stores: per-chart logs of points with sequence numbers, bounded by a window.

The contract every store implements (documented here once, tested once in
``tests/test_stores.py`` against every store):

- each stream chart has a log of points ``(series, value)`` numbered
  1, 2, 3, ... in append order; only the last ``window`` are kept;
- a cursor (:mod:`flask_pyecharts.cursors`) names the store's epoch and the
  last sequence number a reader has seen;
- :meth:`Store.since` never leaves a silent gap: a reader whose cursor is from
  another epoch, older than the window or in the future gets ``reset=True``
  and the window from its start.
"""

from __future__ import annotations

import abc
import typing as t
from dataclasses import dataclass, field

#: A point as stored: ``(series_index, value)``.
Point = tuple[int, t.Any]


class StoreError(RuntimeError):
    """The store's backend is unavailable (answered as ``503``)."""


@dataclass(frozen=True)
class Page:
    """What a reader gets: the points after its cursor and the new cursor."""

    cursor: str
    points: list[Point] = field(default_factory=list)
    #: Drop everything you have for this chart, then apply ``points``.
    reset: bool = False


class Lock(t.Protocol):
    """A lock with expiry, for work done once per deployment."""

    def acquire(self, blocking: bool = False) -> bool: ...
    def renew(self) -> None: ...
    def release(self) -> None: ...


class Store(abc.ABC):
    """The store contract: see the module docstring."""

    #: The largest window a stream may declare (``PYECHARTS_MAX_WINDOW``).
    max_window: int = 100_000

    def _check_window(self, chart: str, window: int) -> None:
        if not 0 < window <= self.max_window:
            raise ValueError(
                f"Window of {chart!r} must be from 1 to {self.max_window}"
                " (PYECHARTS_MAX_WINDOW)."
            )

    @property
    @abc.abstractmethod
    def epoch(self) -> str:
        """The current epoch; it changes when the store loses its data."""

    @abc.abstractmethod
    def configure(self, chart: str, window: int) -> None:
        """Declare a stream chart and the number of points it keeps."""

    @abc.abstractmethod
    def append(
        self,
        chart: str,
        points: t.Sequence[Point],
        state: tuple[str, bytes] | None = None,
    ) -> str:
        """Append points atomically; return the cursor after them. Thread-safe.

        :param state: a blob ``(key, value)`` set in the same atomic step, so a
            producer's cursor can never disagree with the points it produced.
        """

    @abc.abstractmethod
    def since(self, chart: str, cursor: str | None, limit: int | None = None) -> Page:
        """The points after ``cursor``, at most ``limit``.

        :raises ValueError: for a malformed cursor.
        """

    @abc.abstractmethod
    def head(self, chart: str) -> str:
        """The cursor of the latest point of ``chart``."""

    @abc.abstractmethod
    def wait(self, positions: t.Mapping[str, int], timeout: float) -> dict[str, int]:
        """Block until a chart's head passes its position (or ``timeout``).

        Returns the charts that moved with their new head sequence numbers;
        an epoch change counts as a move.
        """

    @abc.abstractmethod
    def get_blob(self, key: str) -> bytes | None:
        """A small value shared by every process of the deployment."""

    @abc.abstractmethod
    def set_blob(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Set a shared value, expiring after ``ttl`` seconds if given."""

    @abc.abstractmethod
    def lock(self, name: str, ttl: float) -> Lock:
        """A lock held by one process of the deployment at a time."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


def open_store(url: str, max_window: int = 100_000) -> Store:
    """The store named by ``PYECHARTS_STORE``: ``memory://`` or ``redis://...``."""
    scheme = url.partition("://")[0].lower()
    if scheme == "memory":
        from .memory import MemoryStore

        return MemoryStore(max_window=max_window)
    if scheme in ("redis", "rediss", "unix"):
        from .redis import RedisStore

        return RedisStore(url, max_window=max_window)
    raise ValueError(
        f"Unsupported PYECHARTS_STORE {url!r}: use 'memory://' or"
        " 'redis://host:port/db' (also 'rediss://', 'unix://')."
    )
