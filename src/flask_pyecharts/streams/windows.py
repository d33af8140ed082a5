"""The current window of each stream chart, for its chart documents.

Every page that opens asks for its charts' documents, so a stream chart's
window is read far more often than it changes. :class:`Windows` keeps each
window in memory: a request at the store's head reads nothing more, the
first one after an append reads only the new points, and concurrent requests
wait for one read instead of each reading the whole window.
"""

from __future__ import annotations

import collections
import threading
import typing as t

if t.TYPE_CHECKING:
    from .stores import Point, Store

__all__ = ["Windows"]


class _Window:
    def __init__(self, size: int) -> None:
        self.lock = threading.Lock()
        self.points: collections.deque[Point] = collections.deque(maxlen=size)
        #: The cursor and the points up to it, replaced as one (readers that
        #: do not take the lock never see one without the other).
        self.read: tuple[str | None, tuple[Point, ...]] = (None, ())


class Windows:
    """The last points of each stream chart of ``store``, kept up to date."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def read(self, chart: str, size: int) -> tuple[str, tuple[Point, ...]]:
        """The cursor of the store's head and the window's points up to it
        (the last ``size`` at most), oldest first.

        :raises StoreError: when the store cannot be reached.
        """
        window = self._window(chart, size)
        head = self._store.head(chart)
        cursor, points = window.read
        if cursor == head:
            return head, points
        with window.lock:  # the others wait for this read, then share it
            cursor, points = window.read
            if cursor != head:
                page = self._store.since(chart, cursor)
                if page.reset:
                    window.points.clear()
                window.points.extend(page.points)
                cursor, points = window.read = (page.cursor, tuple(window.points))
            assert cursor is not None  # read under the lock at least once
            return cursor, points

    def _window(self, chart: str, size: int) -> _Window:
        window = self._windows.get(chart)
        if window is None or window.points.maxlen != size:
            with self._lock:
                window = self._windows.get(chart)
                if window is None or window.points.maxlen != size:
                    window = self._windows[chart] = _Window(size)
        return window
