"""MemoryStore: the default store, for one process."""

from __future__ import annotations

import collections
import itertools
import logging
import threading
import time
import typing as t

from ..cursors import Cursor, new_epoch
from .base import (
    ANY_STATE,
    DEFAULT_MAX_WINDOW,
    AnyState,
    Page,
    Point,
    Store,
    _check_expect,
    _check_limit,
    _check_window,
    _conflict,
)

logger = logging.getLogger("flask_pyecharts")

#: A log entry: ``(seq, series_index, value)``.
_Entry = tuple[int, int, t.Any]


class MemoryStore(Store):
    """Points in per-chart deques, guarded by one condition variable.

    Memory is bounded by each chart's window, itself capped by ``max_window``.
    Thread-safe (one lock for everything, as cachelib's ``SimpleCache``); under
    gevent the monkey-patched primitives make it cooperative. Values are kept
    as given: pass JSON-able values (``normalize_points`` makes them) and do not
    mutate them afterwards. The epoch is made at start and never changes.
    """

    def __init__(self, max_window: int = DEFAULT_MAX_WINDOW) -> None:
        #: The largest window :meth:`configure` accepts.
        self.max_window = max_window
        self._epoch = new_epoch()
        self._logs: dict[str, collections.deque[_Entry]] = {}
        self._heads: dict[str, int] = {}
        self._blobs: dict[str, tuple[bytes, float | None]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._changed = threading.Condition(threading.RLock())
        self._interrupted = False
        self._listeners: list[t.Callable[[str], None]] = []

    @property
    def epoch(self) -> str:
        return self._epoch

    def configure(self, chart: str, window: int) -> None:
        _check_window(chart, window, self.max_window)
        with self._changed:
            old = self._logs.get(chart, ())
            self._logs[chart] = collections.deque(old, maxlen=window)
            self._heads.setdefault(chart, 0)

    def append(
        self,
        chart: str,
        points: t.Sequence[Point],
        state: tuple[str, bytes] | None = None,
        expect: bytes | None | AnyState = ANY_STATE,
    ) -> str:
        _check_expect(state, expect)
        with self._changed:
            log = self._log(chart)
            if state is not None and expect is not ANY_STATE:
                if self._blob(state[0]) != expect:
                    raise _conflict(chart, state[0])
            head = self._heads[chart]
            log.extend(
                (seq, series, value)
                for seq, (series, value) in enumerate(points, head + 1)
            )
            head += len(points)
            self._heads[chart] = head
            if state is not None:
                self._blobs[state[0]] = (state[1], None)
            if points:
                self._changed.notify_all()
        if points:
            for listener in self._listeners:
                try:
                    listener(chart)
                except Exception:  # the points are in: the append succeeded
                    logger.exception("A listener of chart %r failed", chart)
        return Cursor(self._epoch, head).encode()

    def listen(self, listener: t.Callable[[str], None]) -> bool:
        """Every append is made in this process: call ``listener`` after each."""
        self._listeners.append(listener)
        return True

    def since(self, chart: str, cursor: str | None, limit: int | None = None) -> Page:
        position = Cursor.decode(cursor) if cursor else None
        _check_limit(limit)
        with self._changed:
            log = self._log(chart)
            head = self._heads[chart]
            oldest = head - len(log)  # the seq just before the first kept point
            reset = (
                position is None
                or position.epoch != self._epoch
                or not oldest <= position.seq <= head
            )
            start = oldest if reset else t.cast(Cursor, position).seq
            count = head - start if limit is None else min(limit, head - start)
            entries = _slice(log, start - oldest, start - oldest + count)
        last = entries[-1][0] if entries else start
        points = [(series, value) for _, series, value in entries]
        return Page(Cursor(self._epoch, last).encode(), points, reset)

    def head(self, chart: str) -> str:
        with self._changed:
            self._log(chart)
            return Cursor(self._epoch, self._heads[chart]).encode()

    def wait(self, positions: t.Mapping[str, int], timeout: float) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                moved = {
                    chart: self._heads[chart]
                    for chart, seq in positions.items()
                    if self._heads.get(chart, 0) > seq
                }
                remaining = deadline - time.monotonic()
                if moved or remaining <= 0 or self._interrupted:
                    self._interrupted = False
                    return moved
                self._changed.wait(remaining)

    def interrupt(self) -> None:
        with self._changed:
            self._interrupted = True
            self._changed.notify_all()

    def get_blob(self, key: str) -> bytes | None:
        with self._changed:
            return self._blob(key)

    def get_blobs(self, keys: t.Sequence[str]) -> list[bytes | None]:
        with self._changed:
            return [self._blob(key) for key in keys]

    def set_blob(self, key: str, value: bytes, ttl: float | None = None) -> None:
        expires = None if ttl is None else time.monotonic() + ttl
        with self._changed:
            self._blobs[key] = (value, expires)

    def lock(self, name: str, ttl: float) -> _MemoryLock:
        with self._changed:
            shared = self._locks.setdefault(name, threading.Lock())
        return _MemoryLock(shared)

    def _blob(self, key: str) -> bytes | None:
        """The blob ``key`` unless it expired; call with the lock held."""
        value, expires = self._blobs.get(key, (None, None))
        if expires is not None and expires <= time.monotonic():
            del self._blobs[key]
            return None
        return value

    def _log(self, chart: str) -> collections.deque[_Entry]:
        log = self._logs.get(chart)
        if log is None:
            raise KeyError(f"No stream named {chart!r}; declare it with configure().")
        return log


def _slice(log: collections.deque[_Entry], start: int, stop: int) -> list[_Entry]:
    """``log[start:stop]``, walking from the nearer end (deques index in O(n))."""
    if stop <= start:
        return []
    size = len(log)
    if start < size - stop:
        return list(itertools.islice(log, start, stop))
    tail = list(itertools.islice(reversed(log), size - stop, size - start))
    tail.reverse()
    return tail


class _MemoryLock:
    """One handle on a process-wide lock.

    In one process a lock needs no expiry: its holder cannot die alone.
    """

    def __init__(self, shared: threading.Lock) -> None:
        self._shared = shared
        self._held = False

    def acquire(self, blocking: bool = False) -> bool:
        if self._held:  # not re-entrant, as a Redis lock
            return False
        self._held = self._shared.acquire(blocking)
        return self._held

    def renew(self) -> None:
        """Nothing to renew in one process; raises if this handle lost it."""
        if not self._held:
            raise RuntimeError("Cannot renew a lock this handle does not hold.")

    def release(self) -> None:
        if self._held:
            self._held = False
            self._shared.release()

    def __enter__(self) -> _MemoryLock:
        self.acquire(blocking=True)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
