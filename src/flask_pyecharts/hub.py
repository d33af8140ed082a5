"""The hub: in each process, one reader waits on the store and wakes subscribers.

A subscription holds only the set of its charts that changed, so it is bounded
by its chart count: a viewer that never reads cannot grow memory or delay
anyone. Viewers read the points themselves with ``store.since(their cursor)``,
so one that falls behind resumes from its cursor and loses nothing.
"""

from __future__ import annotations

import logging
import threading
import typing as t

from .cursors import Cursor

if t.TYPE_CHECKING:
    from .stores import Store

logger = logging.getLogger("flask_pyecharts")

#: How long the reader blocks on the store before looking at its subscribers again.
READ_TIMEOUT = 1.0


class Subscription:
    """One viewer's interest in some charts."""

    def __init__(self, hub: Hub, charts: frozenset[str]) -> None:
        self.charts = charts
        self._hub = hub
        self._pending: set[str] = set()
        self._ready = threading.Condition()

    def wait(self, timeout: float) -> set[str]:
        """The charts that changed since the last call (empty after ``timeout``)."""
        with self._ready:
            if not self._pending and timeout > 0:
                self._ready.wait(timeout)
            changed, self._pending = self._pending, set()
        return changed

    def close(self) -> None:
        self._hub._unsubscribe(self)

    def _mark(self, charts: t.Iterable[str]) -> None:
        with self._ready:
            self._pending.update(charts)
            self._ready.notify()


class Hub:
    """Fans store updates out to every :class:`Subscription` of this process."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._subscriptions: set[Subscription] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._followed = threading.Condition()
        self._reader: threading.Thread | None = None

    def subscribe(self, charts: t.Iterable[str]) -> Subscription:
        """Follow stream ``charts``; the reader starts with the first subscriber."""
        subscription = Subscription(self, frozenset(charts))
        with self._lock:
            self._subscriptions.add(subscription)
            if self._reader is None and not self._stopped.is_set():
                self._reader = threading.Thread(
                    target=self._read, name="pyecharts-hub", daemon=True
                )
                self._reader.start()
        if subscription.charts:
            with self._followed:
                self._followed.notify()
        return subscription

    def notify(self, chart: str) -> None:
        """Wake the subscribers of ``chart`` (used for in-process changes)."""
        for subscription in self._current():
            if chart in subscription.charts:
                subscription._mark((chart,))

    @property
    def closed(self) -> bool:
        """Whether the hub was closed: event streams then end."""
        return self._stopped.is_set()

    def close(self) -> None:
        """Stop the reader and wake every subscriber so their streams end."""
        self._stopped.set()
        with self._followed:
            self._followed.notify()
        for subscription in self._current():
            subscription._mark(())
        reader = self._reader
        if reader is not None and reader is not threading.current_thread():
            reader.join(READ_TIMEOUT + 1)

    def _unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions.discard(subscription)

    def _current(self) -> list[Subscription]:
        with self._lock:
            return list(self._subscriptions)

    def _read(self) -> None:
        positions: dict[str, int] = {}
        epoch = None
        while not self._stopped.is_set():
            charts = set().union(*(s.charts for s in self._current()))
            try:
                if epoch != self.store.epoch:
                    if epoch is not None:  # the store lost its data: readers reset
                        for subscription in self._current():
                            subscription._mark(subscription.charts)
                    epoch, positions = self.store.epoch, {}
                for chart in charts - positions.keys():
                    positions[chart] = Cursor.decode(self.store.head(chart)).seq
                for chart in positions.keys() - charts:
                    del positions[chart]
                moved = self.store.wait(positions, READ_TIMEOUT) if positions else {}
            except Exception:
                logger.exception("The hub could not read the store; retrying")
                self._stopped.wait(READ_TIMEOUT)
                continue
            if not positions:  # nobody follows a stream: sleep until someone does
                with self._followed:
                    self._followed.wait(READ_TIMEOUT)
            if moved:
                positions.update(moved)
                for subscription in self._current():
                    changed = subscription.charts.intersection(moved)
                    if changed:
                        subscription._mark(changed)
