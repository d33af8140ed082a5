"""The store contract: per-chart logs of numbered points, bounded by a window.

The contract every store implements is documented here once, on
:class:`Store`, and tested once in ``tests/test_stores.py`` against every
store:

- each stream chart has a log of points ``(series_index, value)`` numbered
  1, 2, 3, ... in append order; only the last ``window`` points are kept;
- a cursor (:mod:`flask_pyecharts.cursors`) names the store's epoch and the
  sequence number of the last point a reader has seen;
- :meth:`Store.since` never leaves a silent gap and never repeats a point: a
  reader whose cursor is missing, from another epoch, older than the window
  or in the future gets ``reset=True`` and the window from its start;
- :meth:`Store.append` can be fenced: with ``expect`` it commits only if a
  state blob (a producer's cursor) still holds the value its writer read.

Three stores ship: :class:`~.memory.MemoryStore` (one process, the default),
:class:`~.sqlite.SqliteStore` (one file: kept across restarts, shared by the
processes of one host) and :class:`~.redis.RedisStore` (every process of a
deployment shares one Redis).
:func:`~flask_pyecharts.streams.stores.open_store` picks one from
``PYECHARTS_STORE``.
"""

from __future__ import annotations

import abc
import enum
import typing as t
from dataclasses import dataclass, field

__all__ = [
    "ANY_STATE",
    "AnyState",
    "Lock",
    "Page",
    "Point",
    "StateConflict",
    "Store",
    "StoreError",
]

#: A point as stored: ``(series_index, value)``; ``value`` is JSON-able.
Point = tuple[int, t.Any]

#: The default cap on any chart's window (``PYECHARTS_MAX_WINDOW``).
DEFAULT_MAX_WINDOW = 100_000


class StoreError(RuntimeError):
    """The store's backend is unavailable (answered as ``503``)."""


class StateConflict(Exception):
    """A fenced :meth:`Store.append` found its state blob changed since it was
    read: another writer went first, and nothing was appended or set."""


class AnyState(enum.Enum):
    """The type of :data:`ANY_STATE`."""

    ANY_STATE = "ANY_STATE"


#: The default ``expect`` of :meth:`Store.append`: no condition on the state.
ANY_STATE: t.Final = AnyState.ANY_STATE


@dataclass(frozen=True)
class Page:
    """What a reader gets: the points after its cursor and the new cursor."""

    #: Where the next read continues: after the last point in ``points``.
    cursor: str
    #: The points, oldest first, as ``(series_index, value)``.
    points: list[Point] = field(default_factory=list)
    #: Drop everything you have for this chart, then apply ``points``.
    reset: bool = False


class Lock(t.Protocol):
    """A lock with expiry, for work done once per deployment.

    Each :meth:`Store.lock` call returns a new handle; only the handle that
    acquired the lock can renew or release it. Not re-entrant. As a context
    manager it blocks until acquired and releases on exit.
    """

    def acquire(self, blocking: bool = False) -> bool:
        """Take the lock; ``False`` when another holder has it."""

    def renew(self) -> None:
        """Push the expiry back by the lock's ``ttl``; raises if it was lost."""

    def release(self) -> None:
        """Give the lock up; does nothing when this handle does not hold it."""

    def __enter__(self) -> Lock:
        """Acquire, blocking."""

    def __exit__(self, *exc_info: object) -> None:
        """Release."""


class Store(abc.ABC):
    """The store contract.

    Every method is safe to call from any thread (or greenlet). Charts must be
    declared with :meth:`configure` before use; other methods raise
    :class:`KeyError` for an undeclared chart. A backend that cannot be
    reached raises :class:`StoreError`.
    """

    #: The largest window :meth:`configure` accepts.
    max_window: int

    @property
    @abc.abstractmethod
    def epoch(self) -> str:
        """The current epoch; it changes when the store loses its data or it
        may have gone back in time (a Redis server that restarted, empty or
        from an older snapshot, or a replica that took over), at the latest
        before the next append reuses a sequence number."""

    @abc.abstractmethod
    def configure(self, chart: str, window: int) -> None:
        """Declare a stream chart that keeps its last ``window`` points.

        :raises ValueError: when ``window`` is not from 1 to :attr:`max_window`.
        """

    @abc.abstractmethod
    def append(
        self,
        chart: str,
        points: t.Sequence[Point],
        state: tuple[str, bytes] | None = None,
        expect: bytes | None | AnyState = ANY_STATE,
    ) -> str:
        """Append ``points`` as one atomic batch; return the cursor after them.

        The batch gets consecutive sequence numbers: concurrent appends never
        interleave, lose or repeat a number. Values must be JSON-able (orjson
        turns NaN into ``null``).

        :param state: a blob ``(key, value)`` set in the same atomic step (as
            :meth:`set_blob`, no expiry), so a producer's cursor can never
            disagree with the points it produced.
        :param expect: a fence: the append commits only if the ``state`` blob
            still holds ``expect`` (``None``: no blob), checked in the same
            atomic step; else nothing is appended or set. A producer passes the
            cursor it read, so when two processes hold its lock (the first one
            outlasted the expiry) and read the same cursor, only the first one's
            batch lands. By default (:data:`ANY_STATE`) there is no condition.
        :returns: the cursor of the last point of the chart.
        :raises StateConflict: when the blob did not hold ``expect``.
        :raises ValueError: for ``expect`` without ``state``.
        """

    @abc.abstractmethod
    def since(self, chart: str, cursor: str | None, limit: int | None = None) -> Page:
        """The points after ``cursor``, oldest first, at most ``limit``.

        The page is a reset holding the window from its start (its first
        ``limit`` points) when ``cursor`` is ``None`` or empty, from another
        epoch, older than the window (``seq < head - window``) or in the future
        (``seq > head``). The page's cursor names its last point, so the next
        call continues where this one stopped.

        :raises ValueError: for a malformed cursor or a negative ``limit``.
        """

    @abc.abstractmethod
    def head(self, chart: str) -> str:
        """The cursor of the latest point of ``chart`` (``seq`` 0 if none)."""

    @abc.abstractmethod
    def wait(self, positions: t.Mapping[str, int], timeout: float) -> dict[str, int]:
        """Block until a chart's head passes its position, or ``timeout``.

        :param positions: chart name -> the sequence number already known.
            Charts the store does not know are ignored.
        :returns: the charts that moved, with their new head sequence numbers
            (empty on timeout). When the epoch changed, every chart in
            ``positions`` is returned with its head in the new epoch, which may
            be lower than its position. Used by the hub only.
        """

    @abc.abstractmethod
    def interrupt(self) -> None:
        """Make the :meth:`wait` in progress, or else the next one, return
        at once (used by the hub to take up new charts and to stop)."""

    def listen(self, listener: t.Callable[[str], None]) -> bool:
        """Have ``listener(chart)`` called after each append that adds points,
        in the appending thread, if this store can: only when every append is
        made in this process. The hub then needs no reader (and no wake-up of
        its own per append). Returns whether the store will call it; by
        default it will not, and the hub reads with :meth:`wait`."""
        return False

    @abc.abstractmethod
    def get_blob(self, key: str) -> bytes | None:
        """A small value shared by every process of the deployment, or ``None``."""

    @abc.abstractmethod
    def get_blobs(self, keys: t.Sequence[str]) -> list[bytes | None]:
        """The blobs ``keys`` (``None`` for each one absent), read at one
        instant: no blob is set between the reads of two of them."""

    @abc.abstractmethod
    def set_blob(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Set a shared value, expiring after ``ttl`` seconds if given."""

    @abc.abstractmethod
    def lock(self, name: str, ttl: float) -> Lock:
        """A new handle on the lock ``name``, held by one process of the
        deployment at a time; it expires ``ttl`` seconds after its last
        acquire or renew if its holder dies (the memory store needs no expiry).
        """

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the store is not used afterwards."""


def _check_window(chart: str, window: int, max_window: int) -> None:
    """The shared validation of :meth:`Store.configure`."""
    if isinstance(window, bool) or not isinstance(window, int):
        raise ValueError(f"Window of {chart!r} must be an integer, not {window!r}.")
    if not 0 < window <= max_window:
        raise ValueError(
            f"Window of {chart!r} must be from 1 to {max_window}"
            f" (PYECHARTS_MAX_WINDOW), not {window}."
        )


def _check_expect(
    state: tuple[str, bytes] | None, expect: bytes | None | AnyState
) -> None:
    """The shared validation of :meth:`Store.append`'s ``expect``."""
    if expect is not ANY_STATE and state is None:
        raise ValueError("append(expect=...) needs the state it fences.")


def _conflict(chart: str, key: str) -> StateConflict:
    """The error of a fenced append that lost its race."""
    return StateConflict(
        f"The state {key!r} changed since it was read: another writer appended"
        f" to {chart!r} first, so this batch was not appended."
    )


def _check_limit(limit: int | None) -> None:
    """The shared validation of :meth:`Store.since`'s ``limit``."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, not {limit}.")
