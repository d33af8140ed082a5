"""Stores: per-chart logs of points with sequence numbers, bounded by a window.

The contract is documented once, in :mod:`.base` (:class:`~.base.Store`);
:class:`~.memory.MemoryStore` (one process, the default),
:class:`~.sqlite.SqliteStore` (one file, kept across restarts, shared by the
processes of one host) and :class:`~.redis.RedisStore` (every process of a
deployment shares one Redis) implement it, and :func:`open_store` picks one
from ``PYECHARTS_STORE``.
"""

from __future__ import annotations

from .base import (
    ANY_STATE,
    DEFAULT_MAX_WINDOW,
    AnyState,
    Lock,
    Page,
    Point,
    StateConflict,
    Store,
    StoreError,
)

__all__ = [
    "ANY_STATE",
    "DEFAULT_MAX_WINDOW",
    "AnyState",
    "Lock",
    "Page",
    "Point",
    "StateConflict",
    "Store",
    "StoreError",
    "open_store",
]


def open_store(url: str, max_window: int = DEFAULT_MAX_WINDOW) -> Store:
    """The store named by ``PYECHARTS_STORE``.

    :param url: ``memory://`` for :class:`~.memory.MemoryStore`,
        ``sqlite:///relative.db`` or ``sqlite:////absolute.db`` for
        :class:`~.sqlite.SqliteStore`, or ``redis://``, ``rediss://`` or
        ``unix://`` URLs for :class:`~.redis.RedisStore`.
    :param max_window: the largest window a chart may declare.
    :raises ValueError: for any other scheme, or a SQLite file that cannot
        be used (its folder missing or not writable, not a database).
    """
    scheme = url.partition("://")[0].lower()
    if scheme == "memory":
        from .memory import MemoryStore

        return MemoryStore(max_window=max_window)
    if scheme == "sqlite":
        from .sqlite import SqliteStore, path_of

        return SqliteStore(path_of(url), max_window=max_window)
    if scheme in ("redis", "rediss", "unix"):
        from .redis import RedisStore

        return RedisStore(url, max_window=max_window)
    raise ValueError(
        f"Unsupported PYECHARTS_STORE {url!r}: use 'memory://',"
        " 'sqlite:///path/to/file.db' or 'redis://host:port/db' (also"
        " 'rediss://', 'unix://')."
    )
