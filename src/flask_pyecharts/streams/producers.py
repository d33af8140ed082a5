"""Background threads that poll producers and append what they return."""

from __future__ import annotations

import logging
import threading
import time
import typing as t

from .._json import dumps, loads
from .points import normalize_points
from .stores import StateConflict

if t.TYPE_CHECKING:
    from ..registry import ProducerSpec
    from .stores import Store


class HasAppContext(t.Protocol):
    """What producers run in: ``app_context()`` gives a context manager."""

    def app_context(self) -> t.ContextManager[t.Any]: ...


#: Turns what a producer returned for one series into store items, or raises
#: ``ValueError`` saying what is wrong (``normalize_points`` by default).
Prepare = t.Callable[[t.Any, int], list[tuple[int, t.Any]]]


class BadPoints(ValueError):
    """A producer returned points that cannot be charted."""


logger = logging.getLogger("flask_pyecharts")

#: The longest pause after repeated failures.
MAX_BACKOFF = 60.0
#: How long a producer lock outlives a dead holder: another process takes over.
LOCK_TTL = 3.0


class ProducerThread:
    """Calls one producer every ``every`` seconds, with back-off on failure.

    The producer's cursor is kept in the store (``producer:<chart>``), so a
    restarted process, or another one taking over, continues where it stopped.
    Each batch is appended only if that cursor is still the one the call
    started from: when a call outlasts the lock and another process took over
    from the same cursor meanwhile, the later batch is dropped, never doubled.

    :param lock_ttl: how long the producer's lock outlives a dead holder (at
        least ``3 * every``).
    :param prepare: checks and normalizes the points of one series (the
        runtime checks them against the chart's option).
    :param before_first: called once, in the app context, before the first
        call (the runtime seeds the stream with its builder's data).
    """

    def __init__(
        self,
        spec: ProducerSpec,
        app: HasAppContext,
        store: Store,
        lock_ttl: float = LOCK_TTL,
        prepare: Prepare = normalize_points,
        before_first: t.Callable[[], None] | None = None,
    ) -> None:
        self.spec = spec
        self._app = app
        self._store = store
        self._prepare = prepare
        self._lock_ttl = max(lock_ttl, 3 * spec.every)
        #: Called once, before the first poll (a stream's seeding).
        self._before_first = before_first
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"pyecharts-producer-{spec.chart}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopped.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        failures = 0
        key = f"producer:{self.spec.chart}"
        lock = self._store.lock(key, ttl=self._lock_ttl)
        held = False
        while not self._stopped.is_set():
            delay = self.spec.every
            held = _hold(lock, held)
            if held:
                try:
                    with self._app.app_context():
                        if self._before_first is not None:
                            self._before_first()
                            self._before_first = None
                        self._poll_once(key)
                    failures = 0
                except BadPoints as error:  # the data, not a crash: no traceback
                    failures += 1
                    delay = min(MAX_BACKOFF, self.spec.every * 2**failures)
                    logger.error(
                        "Producer for %r returned points that cannot be charted;"
                        " nothing was appended, retrying in %.1f s: %s",
                        self.spec.chart,
                        delay,
                        error,
                    )
                except Exception:
                    failures += 1
                    delay = min(MAX_BACKOFF, self.spec.every * 2**failures)
                    logger.exception(
                        "Producer for %r failed; retrying in %.1f s",
                        self.spec.chart,
                        delay,
                    )
            self._stopped.wait(delay)
        if held:
            lock.release()

    def _poll_once(self, key: str) -> None:
        saved = self._store.get_blob(key)
        cursor = loads(saved) if saved is not None else None
        started = time.monotonic()
        points, new_cursor = self.spec.function(cursor)
        batches = points.items() if isinstance(points, dict) else [(0, points)]
        try:
            items = [
                item
                for series, batch in batches
                for item in self._prepare(batch, series)
            ]
        except ValueError as error:
            raise BadPoints(str(error)) from None
        state = (key, dumps(new_cursor))
        if not items and new_cursor == cursor:
            return
        try:
            self._store.append(self.spec.chart, items, state=state, expect=saved)
        except StateConflict:
            # Another process produced from the same cursor first (this call
            # outlasted the lock, or the store went back to an older snapshot):
            # drop this batch; the next call starts from the stored cursor.
            logger.warning(
                "Producer for %r: its stored cursor changed during this call"
                " (%.1f s; the lock expires after %.1f s), another process"
                " produced from it first: dropping this batch of %d points,"
                " continuing from the stored cursor",
                self.spec.chart,
                time.monotonic() - started,
                self._lock_ttl,
                len(items),
            )


def _hold(lock: t.Any, held: bool) -> bool:
    """Keep or take the producer's lock: one process produces per deployment."""
    if not held:
        return bool(lock.acquire(blocking=False))
    try:
        lock.renew()
    except Exception:
        logger.warning("Lost the producer lock; another process takes over")
        return False
    return True
