"""MemoryStore: the default store, for one process."""

from __future__ import annotations

import collections
import threading
import time
import typing as t

from ..cursors import Cursor, new_epoch
from . import Page, Point, Store


class MemoryStore(Store):
    """Points in per-chart deques, guarded by one condition variable.

    Memory is bounded by each chart's window, itself capped by ``max_window``.
    Thread-safe; under gevent the monkey-patched primitives make it cooperative.
    """

    def __init__(self, max_window: int = 100_000) -> None:
        self.max_window = max_window
        self._epoch = new_epoch()
        self._logs: dict[str, collections.deque[tuple[int, int, t.Any]]] = {}
        self._heads: dict[str, int] = {}
        self._blobs: dict[str, tuple[bytes, float | None]] = {}
        self._locks: dict[str, _MemoryLock] = {}
        self._changed = threading.Condition()

    @property
    def epoch(self) -> str:
        return self._epoch

    def configure(self, chart: str, window: int) -> None:
        self._check_window(chart, window)
        with self._changed:
            old = self._logs.get(chart, ())
            self._logs[chart] = collections.deque(old, maxlen=window)
            self._heads.setdefault(chart, 0)

    def append(
        self,
        chart: str,
        points: t.Sequence[Point],
        state: tuple[str, bytes] | None = None,
    ) -> str:
        with self._changed:
            log = self._log(chart)
            head = self._heads[chart]
            for series, value in points:
                head += 1
                log.append((head, series, value))
            self._heads[chart] = head
            if state is not None:
                self._blobs[state[0]] = (state[1], None)
            self._changed.notify_all()
        return Cursor(self._epoch, head).encode()

    def since(self, chart: str, cursor: str | None, limit: int | None = None) -> Page:
        position = Cursor.decode(cursor) if cursor else None
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
            skip = start - oldest
            count = head - start if limit is None else min(limit, head - start)
            entries = [log[index] for index in range(skip, skip + count)]
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
                if moved or remaining <= 0:
                    return moved
                self._changed.wait(remaining)

    def get_blob(self, key: str) -> bytes | None:
        value, expires = self._blobs.get(key, (None, None))
        if expires is not None and expires < time.monotonic():
            return None
        return value

    def set_blob(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self._blobs[key] = (value, None if ttl is None else time.monotonic() + ttl)

    def lock(self, name: str, ttl: float) -> _MemoryLock:
        with self._changed:
            return self._locks.setdefault(name, _MemoryLock())

    def _log(self, chart: str) -> collections.deque[tuple[int, int, t.Any]]:
        log = self._logs.get(chart)
        if log is None:
            raise KeyError(f"No stream named {chart!r}; declare it with configure().")
        return log


class _MemoryLock:
    """In one process a lock never expires: its holder cannot die alone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def acquire(self, blocking: bool = False) -> bool:
        return self._lock.acquire(blocking)

    def renew(self) -> None:
        """Nothing to renew in one process."""

    def release(self) -> None:
        if self._lock.locked():
            self._lock.release()
