"""Processes forked after an app started (gunicorn ``--preload``).

Threads do not follow a fork, and under gevent the worker patches
``threading`` only after it: a runtime made before the fork has no
producers in the child, and locks that are not the child's. So the child
makes its own runtime at its first use (:func:`.runtime.runtime_of` compares
:func:`pid` with the runtime's). The parent, once it has forked, stops its
producers until it is used again: a gunicorn master, which serves nothing,
then polls nobody's database for nothing.
"""

from __future__ import annotations

import os
import sys
import threading
import types
import typing as t
import weakref

__all__ = ["Forkable", "gunicorn_workers", "lock", "pid", "register"]


class Forkable(t.Protocol):
    """What is told of a fork: a :class:`~.runtime.Runtime`."""

    def pause_producers(self) -> None: ...


_pid = os.getpid()
_forkables: weakref.WeakSet[Forkable] = weakref.WeakSet()
#: The lock of this process (made in it, after gevent's patching if any).
_locks: dict[int, threading.Lock] = {}


def pid() -> int:
    """This process's id (kept up to date at forks: no system call)."""
    return _pid


def lock() -> threading.Lock:
    """A lock of this process, for making its runtimes."""
    return _locks.setdefault(_pid, threading.Lock())


def register(forkable: Forkable) -> None:
    """Pause ``forkable``'s producers in a process that forks."""
    _forkables.add(forkable)


def gunicorn_workers() -> int:
    """How many worker processes the gunicorn loading this app runs (its
    ``-w``, from the command line, a config file or ``WEB_CONCURRENCY``);
    1 outside gunicorn.

    gunicorn's master (``--preload``) and each worker (otherwise) load the app
    from one of their methods: their ``cfg`` is on the call stack.
    """
    if not os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/"):
        return 1
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        owner = frame.f_locals.get("self")
        if type(owner).__module__.startswith("gunicorn."):
            workers = getattr(getattr(owner, "cfg", None), "workers", None)
            if isinstance(workers, int):
                return workers
        frame = frame.f_back
    return 1


def _in_child() -> None:
    global _pid
    _pid = os.getpid()
    _locks.clear()


def _in_parent() -> None:
    for forkable in list(_forkables):
        forkable.pause_producers()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_in_child, after_in_parent=_in_parent)
