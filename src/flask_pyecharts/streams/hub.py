"""The hub: in each process, one reader waits on the store and wakes subscribers.

A subscription holds only the set of its charts that changed, so it is bounded
by its chart count: a viewer that never reads cannot grow memory or delay
anyone. Viewers read the points themselves with ``store.since(their cursor)``,
so one that falls behind resumes from its cursor and loses nothing.

To miss nothing, subscribe first, then read: whatever is appended after
:meth:`Hub.subscribe` returns wakes the subscription.
"""

from __future__ import annotations

import logging
import threading
import time
import typing as t

from .cursors import Cursor

if t.TYPE_CHECKING:
    from .stores import Store

logger = logging.getLogger("flask_pyecharts")

#: How long the reader blocks on the store before looking at its subscribers
#: again (new charts and close interrupt it at once).
READ_TIMEOUT = 1.0


class Subscription:
    """One viewer's interest in some charts; made by :meth:`Hub.subscribe`.

    Use it as a context manager, or call :meth:`close` when done.
    """

    def __init__(
        self,
        hub: Hub,
        charts: frozenset[str],
        notify: t.Callable[[t.Collection[str]], None] | None = None,
    ) -> None:
        #: The charts followed: stream charts (woken by appends) and any chart
        #: woken by :meth:`Hub.notify`.
        self.charts = charts
        self._hub = hub
        self._notify = notify
        self._pending: set[str] = set()
        self._closed = False
        self._ready = threading.Condition(threading.Lock())

    def wait(self, timeout: float) -> set[str]:
        """The charts that changed since the last call; empty after ``timeout``,
        at once when this subscription or the hub is closed.

        A chart may be returned without new points (for example when the hub
        starts watching it); reading it then simply finds nothing new.
        """
        deadline = time.monotonic() + timeout
        with self._ready:
            while not (self._pending or self._closed or self._hub.closed):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._ready.wait(remaining)
            changed, self._pending = self._pending, set()
        return changed

    def close(self) -> None:
        """Stop following; the hub forgets this subscription."""
        self._hub._unsubscribe(self)
        with self._ready:
            self._closed = True
            self._pending.clear()
            self._ready.notify_all()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _mark(self, charts: t.Iterable[str]) -> None:
        changed = self.charts.intersection(charts)
        if self._notify is not None and changed and not self._closed:
            self._notify(changed)
        with self._ready:
            if not self._closed:
                self._pending.update(changed)
            self._ready.notify_all()


class Hub:
    """Fans store updates out to every :class:`Subscription` of this process.

    A store whose appends are all made in this process (a ``MemoryStore``)
    tells the hub of each one as it happens (:meth:`Store.listen
    <.stores.Store.listen>`). Otherwise one daemon reader thread (a greenlet
    under gevent) starts with the first subscription and calls
    :meth:`Store.wait <.stores.Store.wait>` on the stream charts followed.
    Charts the store does not know (full charts) are woken only by
    :meth:`notify`.
    """

    def __init__(self, store: Store) -> None:
        #: The store watched.
        self.store = store
        self._subscriptions: set[Subscription] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        #: Set when the subscriptions change or the hub closes.
        self._wake = threading.Event()
        #: The charts the reader has taken up (streams or not).
        self._taken: frozenset[str] = frozenset()
        self._reader: threading.Thread | None = None
        #: Whether the store calls :meth:`_appended` itself (no reader).
        self._listening = store.listen(self._appended)

    def subscribe(
        self,
        charts: t.Iterable[str],
        notify: t.Callable[[t.Collection[str]], None] | None = None,
    ) -> Subscription:
        """Follow ``charts``; a reader (for a store that does not tell the hub
        of appends itself) starts with the first subscriber.

        :param notify: called with the charts that moved, in the thread that
            saw them move (the reader's, or the one that appended to a store
            that tells the hub itself: keep it short), besides waking
            :meth:`Subscription.wait`.
        """
        subscription = Subscription(self, frozenset(charts), notify)
        with self._lock:
            self._subscriptions.add(subscription)
            new = subscription.charts - self._taken
            if self._listening:
                self._taken = self._taken | new
            elif self._reader is None and not self._stopped.is_set():
                self._reader = threading.Thread(
                    target=self._read, name="pyecharts-hub", daemon=True
                )
                self._reader.start()
        self._wake.set()
        if self._listening:
            if new:  # as the reader does when it takes charts up
                subscription._mark(new)
        elif new:
            self._interrupt()  # take the new charts up now, not after READ_TIMEOUT
        return subscription

    def notify(self, chart: str) -> None:
        """Wake the subscribers of ``chart`` (for changes made in this process,
        such as a full chart's new option)."""
        self._mark((chart,))

    @property
    def closed(self) -> bool:
        """Whether the hub was closed: event streams then end."""
        return self._stopped.is_set()

    def close(self) -> None:
        """Stop the reader and wake every subscriber so their streams end."""
        self._stopped.set()
        self._wake.set()
        self._interrupt()
        for subscription in self._current():
            subscription._mark(())
        reader = self._reader
        if reader is not None and reader is not threading.current_thread():
            reader.join(READ_TIMEOUT + 1)

    def _unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions.discard(subscription)
            if self._listening:
                self._taken = frozenset().union(
                    *(s.charts for s in self._subscriptions)
                )
        self._wake.set()

    def _appended(self, chart: str) -> None:
        """The store's call after an append made in this process."""
        if self._subscriptions and not self._stopped.is_set():
            self._mark((chart,))

    def _interrupt(self) -> None:
        """End the reader's ``store.wait`` early; failures are the reader's."""
        if self._reader is None:
            return
        try:
            self.store.interrupt()
        except Exception:
            logger.debug("Could not interrupt the store's wait", exc_info=True)

    def _current(self) -> list[Subscription]:
        with self._lock:
            return list(self._subscriptions)

    def _mark(self, charts: t.Collection[str]) -> None:
        for subscription in self._current():
            if not subscription.charts.isdisjoint(charts):
                subscription._mark(charts)

    def _read(self) -> None:
        """The reader: follow the subscribed stream charts, mark what moves."""
        positions: dict[str, int] = {}  # chart -> the head seq last seen
        failures = 0
        while not self._stopped.is_set():
            self._wake.clear()
            subscriptions = self._current()
            if not subscriptions:  # sleep until someone subscribes
                positions.clear()
                self._taken = frozenset()
                self._wake.wait()
                continue
            try:
                wanted = frozenset().union(*(s.charts for s in subscriptions))
                followed = self._follow(wanted - positions.keys())
                self._taken = wanted
                if followed:
                    positions.update(followed)
                    # appends between subscribe() and now would otherwise be missed
                    self._mark(followed)
                if positions:
                    moved = self.store.wait(positions, READ_TIMEOUT)
                else:  # only full charts: notify() wakes them
                    self._wake.wait(READ_TIMEOUT)
                    moved = {}
            except Exception:
                if self._stopped.is_set():
                    break
                failures += 1
                if failures == 1:
                    logger.exception("The hub cannot read the store; retrying")
                self._stopped.wait(READ_TIMEOUT)
                continue
            if failures:
                logger.info("The hub reads the store again")
                failures = 0
            if moved:
                positions.update(moved)
                self._mark(moved)

    def _follow(self, charts: t.Iterable[str]) -> dict[str, int]:
        """The head of each chart the store knows as a stream."""
        heads = {}
        for chart in charts:
            try:
                heads[chart] = Cursor.decode(self.store.head(chart)).seq
            except KeyError:  # not a stream: woken by notify() only
                continue
        return heads
