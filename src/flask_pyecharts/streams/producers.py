"""Background threads that poll producers and append what they return."""

from __future__ import annotations

import logging
import threading
import typing as t

from .._json import dumps, loads
from .points import normalize_points

if t.TYPE_CHECKING:
    from ..registry import ProducerSpec
    from .stores import Store


class HasAppContext(t.Protocol):
    """What producers run in: ``app_context()`` gives a context manager."""

    def app_context(self) -> t.ContextManager[t.Any]: ...


logger = logging.getLogger("flask_pyecharts")

#: The longest pause after repeated failures.
MAX_BACKOFF = 60.0
#: How long a producer lock outlives a dead holder: another process takes over.
LOCK_TTL = 3.0


class ProducerThread:
    """Calls one producer every ``every`` seconds, with back-off on failure.

    The producer's cursor is kept in the store (``producer:<chart>``), so a
    restarted process, or another one taking over, continues where it stopped.
    """

    def __init__(
        self,
        spec: ProducerSpec,
        app: HasAppContext,
        store: Store,
        prepare: t.Callable[[], None] | None = None,
    ) -> None:
        self.spec = spec
        self._app = app
        self._store = store
        #: Called once, before the first poll (a stream's seeding).
        self._prepare = prepare
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
        lock = self._store.lock(key, ttl=max(LOCK_TTL, 3 * self.spec.every))
        held = False
        while not self._stopped.is_set():
            delay = self.spec.every
            held = _hold(lock, held)
            if held:
                try:
                    with self._app.app_context():
                        if self._prepare is not None:
                            self._prepare()
                            self._prepare = None
                        self._poll_once(key)
                    failures = 0
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
        points, new_cursor = self.spec.function(cursor)
        batches = points.items() if isinstance(points, dict) else [(0, points)]
        items = [
            item
            for series, batch in batches
            for item in normalize_points(batch, series)
        ]
        state = (key, dumps(new_cursor))
        if items or new_cursor != cursor:
            self._store.append(self.spec.chart, items, state=state)


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
