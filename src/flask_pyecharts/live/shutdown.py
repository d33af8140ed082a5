"""End the event streams when a gunicorn worker is told to stop.

gunicorn waits up to its graceful timeout (30 s by default) for the requests
in progress before a worker exits, and an event stream never ends by itself:
without help every deploy or restart would take that long. In a gunicorn
worker, the worker's ``SIGTERM``, ``SIGQUIT`` and ``SIGINT`` handlers are
chained: the signal stops every runtime of the process (their event streams
end cleanly; browsers resume with ``Last-Event-ID`` on another worker), then
gunicorn's own handler runs as before.

Handlers can only be set from the main thread, and gunicorn's worker sets its
own before it loads the app (unless ``--preload``, where the worker resets
them after the fork). So :func:`install` runs when an app starts and again
when an event stream starts. Where it runs off the main thread in a worker
whose handlers are not chained (threaded workers with ``--preload``), a
watcher thread ends the streams once the worker stops being alive instead.

Outside gunicorn nothing is changed: ``flask run`` ends its process, streams
with it, at the first Ctrl+C.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import typing as t
import weakref

from .jobs import gevent_patched

__all__ = ["Stoppable", "install", "register"]

#: The signals that make a gunicorn worker stop (graceful, quick, Ctrl+C).
SIGNALS = (signal.SIGTERM, signal.SIGQUIT, signal.SIGINT)
#: Seconds between two looks at a worker's ``alive`` flag (watcher only).
WATCH_INTERVAL = 0.1


class Stoppable(t.Protocol):
    """What is stopped at exit: a :class:`~.runtime.Runtime`."""

    def stop(self) -> None: ...


_runtimes: weakref.WeakSet[Stoppable] = weakref.WeakSet()
_lock = threading.Lock()
#: The process whose watcher thread runs, if any (a fork has none).
_watching: int | None = None


def register(runtime: Stoppable) -> None:
    """Stop ``runtime`` when this gunicorn worker is told to stop."""
    with _lock:
        _runtimes.add(runtime)
    install()


def install() -> None:
    """Chain the worker's signal handlers if this process is a gunicorn worker
    and they are not chained yet; cheap when they are."""
    if isinstance(signal.getsignal(signal.SIGTERM), _Chained):
        return
    worker = _gunicorn_worker()
    if worker is None:
        return
    if threading.current_thread() is not threading.main_thread():
        _watch(worker)  # handlers can only be set from the main thread
        return
    for signum in SIGNALS:
        previous = signal.getsignal(signum)
        if not isinstance(previous, _Chained):
            signal.signal(signum, _Chained(previous))


def _gunicorn_worker() -> t.Any | None:
    """The gunicorn worker running this process (it handles SIGTERM), if any."""
    base = sys.modules.get("gunicorn.workers.base")
    if base is None:
        return None
    worker = getattr(signal.getsignal(signal.SIGTERM), "__self__", None)
    return worker if isinstance(worker, base.Worker) else None


class _Chained:
    """A signal handler that stops the runtimes, then calls the previous one."""

    def __init__(self, previous: t.Any) -> None:
        self.previous = previous

    def __call__(self, signum: int, frame: t.Any) -> None:
        _stop_soon()
        previous = self.previous
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:  # do what the default would have done
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)


def _stop_all() -> None:
    with _lock:
        runtimes = list(_runtimes)
    for runtime in runtimes:
        runtime.stop()


def _stop_soon() -> None:
    """Stop the runtimes off the signal handler: it may interrupt a thread
    (or, under gevent, the event loop) that holds their locks."""
    if gevent_patched():
        import gevent

        gevent.spawn(_stop_all)
    else:
        threading.Thread(target=_stop_all, name="pyecharts-stop", daemon=True).start()


def _watch(worker: t.Any) -> None:
    """Stop the runtimes once ``worker.alive`` turns false (one thread a process)."""
    global _watching
    with _lock:
        if _watching == os.getpid():
            return
        _watching = os.getpid()

    def run() -> None:
        while worker.alive:
            time.sleep(WATCH_INTERVAL)
        _stop_all()

    threading.Thread(target=run, name="pyecharts-worker-watch", daemon=True).start()
