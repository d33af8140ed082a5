"""Background threads that poll producers and append what they return."""

from __future__ import annotations

import logging
import threading
import typing as t

from .._json import dumps, loads

if t.TYPE_CHECKING:
    from ..registry import ProducerSpec
    from .stores import Store


class ProducerHost(t.Protocol):
    """What producers run in (the runtime): an app context, and the check of
    the points they return."""

    def app_context(self) -> t.ContextManager[t.Any]: ...

    def prepare_points(
        self, name: str, points: t.Any, series: int = 0
    ) -> list[tuple[int, t.Any]]: ...


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
    """

    def __init__(
        self,
        spec: ProducerSpec,
        app: ProducerHost,
        store: Store,
    ) -> None:
        self.spec = spec
        self._app = app
        self._store = store
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
        points, new_cursor = self.spec.function(cursor)
        batches = points.items() if isinstance(points, dict) else [(0, points)]
        try:
            items = [
                item
                for series, batch in batches
                for item in self._app.prepare_points(self.spec.chart, batch, series)
            ]
        except ValueError as error:
            raise BadPoints(str(error)) from None
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
