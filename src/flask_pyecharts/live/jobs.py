"""Run a function in a real thread, with a time limit that holds under gevent.

Under gevent's monkey patching ``threading.Thread`` makes a greenlet: a
CPU-heavy builder would then freeze the worker's event loop, and no time-out
could fire. :func:`start_job` uses gevent's thread pool there (a real OS
thread: the loop keeps running, waiting yields to other greenlets) and a
daemon thread otherwise.
"""

from __future__ import annotations

import sys
import threading
import typing as t

__all__ = ["Job", "gevent_patched", "start_job"]

T = t.TypeVar("T")


def gevent_patched() -> bool:
    """Whether gevent has patched ``threading`` in this process."""
    if "gevent" not in sys.modules:
        return False
    from gevent import monkey

    return bool(monkey.is_module_patched("threading"))


class Job(t.Generic[T]):
    """A function running in a real thread; :meth:`wait` for its result."""

    def __init__(self, function: t.Callable[[], T], name: str) -> None:
        self._outcome: list[T] = []
        self._error: list[BaseException] = []

        def run() -> None:
            try:
                self._outcome.append(function())
            except BaseException as error:  # handed to the waiter
                self._error.append(error)

        if gevent_patched():
            import gevent

            self._async = gevent.get_hub().threadpool.spawn(run)
            self._thread: threading.Thread | None = None
        else:
            self._thread = threading.Thread(target=run, name=name, daemon=True)
            self._thread.start()

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; whether the function has returned."""
        if self._thread is not None:
            self._thread.join(timeout)
        else:
            self._async.wait(timeout)
        return self.done

    @property
    def done(self) -> bool:
        """Whether the function has returned or raised."""
        return bool(self._outcome or self._error)

    def result(self) -> T:
        """The function's return value; re-raises what it raised."""
        if self._error:
            raise self._error[0]
        return self._outcome[0]


def start_job(function: t.Callable[[], T], name: str) -> Job[T]:
    """Start ``function`` in a real thread."""
    return Job(function, name)
