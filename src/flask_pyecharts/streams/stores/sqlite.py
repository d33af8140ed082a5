"""SqliteStore: streams in one SQLite file, kept across restarts on one host.

``PYECHARTS_STORE=sqlite:///path.db`` (``sqlite:////abs/path.db`` for an
absolute path) keeps every window, blob and lock in one file in WAL mode, so
a server killed with ``kill -9`` and started again on the same file goes on
where it stopped: same epoch, same sequence numbers, and producers resume
from their stored cursors. Several processes of one host (gunicorn workers)
may share the file; it must not be on a network file system.

Tables:

- ``meta``: the ``epoch`` token, made with the file, and the ``boot`` id of
  the machine that made it. Commits are ``synchronous=NORMAL``: a crashed
  process loses nothing, but a power cut may roll the last commits back, so
  the first process after a reboot gives the file a new epoch (readers reset
  and get the window whole, instead of points that might reuse their
  numbers). Linux names its boots; elsewhere the epoch stays;
- ``heads``: each chart's last sequence number;
- ``points``: ``(chart, seq, point)``, the point as JSON bytes; an append
  trims its chart to the window in the same transaction;
- ``blobs``: ``(key, value, expires)``; ``locks``: ``(name, token, expires,
  host, pid)``, leases: a new holder takes a lock whose lease expired, or
  whose holder died (its ``pid`` is gone, in this boot and process namespace
  of the ``host``), so a server restarted after ``kill -9`` produces again at
  once instead of after the lease. Expiry is wall-clock time (shared by the
  processes, and meaningful after a restart); expired rows are swept once a
  minute by the next write.

Appends are one ``BEGIN IMMEDIATE`` transaction each. :meth:`SqliteStore.wait`
wakes at once for appends made by this store object, and sees the other
processes' appends by polling the heads every :data:`POLL_INTERVAL` seconds:
that is the latency a viewer of one worker has for a point appended by
another (one indexed ``SELECT`` per interval per process, by the hub only).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import threading
import time
import typing as t
import uuid
from pathlib import Path

from ..._json import dumps, loads
from ..cursors import Cursor, new_epoch
from .base import (
    ANY_STATE,
    DEFAULT_MAX_WINDOW,
    AnyState,
    Page,
    Point,
    Store,
    StoreError,
    _check_expect,
    _check_limit,
    _check_window,
    _conflict,
)

#: Seconds between two reads of the heads by a waiting hub: the latency of
#: points appended by another process.
POLL_INTERVAL = 0.05
#: Connections per process; callers beyond them wait their turn.
POOL_SIZE = 8
#: Seconds a caller waits for a free connection, or for another process's
#: write transaction (``busy_timeout``), before a ``503``.
POOL_TIMEOUT = 10.0
#: Seconds between two sweeps of expired blobs and locks.
SWEEP_EVERY = 60.0
#: Where Linux names the current boot.
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")

#: The tables, made in one transaction with the file.
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta ("
    " key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS heads ("
    " chart TEXT PRIMARY KEY, head INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS points ("
    " chart TEXT NOT NULL, seq INTEGER NOT NULL, point BLOB NOT NULL,"
    " PRIMARY KEY (chart, seq)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS blobs ("
    " key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS locks ("
    " name TEXT PRIMARY KEY, token TEXT NOT NULL, expires REAL NOT NULL,"
    " host TEXT NOT NULL, pid INTEGER NOT NULL) WITHOUT ROWID",
)


def path_of(url: str) -> Path:
    """The file of a ``sqlite:///`` URL, checked: its folder must exist and
    be writable (WAL mode writes ``-wal`` and ``-shm`` files next to it). A
    relative path is made absolute now, from the working directory.

    :raises ValueError: for another scheme, no path, or a folder that is
        missing or not writable.
    """
    scheme, _, rest = url.partition("://")
    if scheme.lower() != "sqlite" or not rest.startswith("/") or rest == "/":
        raise ValueError(
            f"PYECHARTS_STORE {url!r} names no file: use 'sqlite:///relative.db'"
            " or 'sqlite:////absolute/path.db'."
        )
    path = Path(rest[1:])
    folder = path.parent.resolve()
    if path.is_dir():
        raise ValueError(f"PYECHARTS_STORE {url!r}: {path} is a folder, not a file.")
    if not folder.is_dir():
        raise ValueError(
            f"PYECHARTS_STORE {url!r}: the folder {folder} does not exist."
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(
            f"PYECHARTS_STORE {url!r}: the folder {folder} is not writable (the"
            " store writes its file and the -wal and -shm files next to it)."
        )
    return folder / path.name


class SqliteStore(Store):
    """The store contract on one SQLite file (the stdlib ``sqlite3``).

    :param path: the file, created if missing (its folder must exist).
    :param max_window: the largest window :meth:`configure` accepts.
    :param clock: wall-clock seconds, for the expiry of blobs and locks.
    :param poll: seconds between two reads of the heads in :meth:`wait`.
    :raises ValueError: when the file cannot be opened as a store.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        max_window: int = DEFAULT_MAX_WINDOW,
        clock: t.Callable[[], float] = time.time,
        poll: float = POLL_INTERVAL,
    ) -> None:
        #: The SQLite file.
        self.path = Path(path)
        #: The largest window :meth:`configure` accepts.
        self.max_window = max_window
        self._clock = clock
        self._poll = poll
        self._windows: dict[str, int] = {}
        self._pool = _Pool(self.path)
        self._writing = threading.Lock()  # one writer per process at a time
        self._changed = threading.Condition()
        self._appends = 0
        self._interrupted = False
        self._next_sweep = 0.0
        try:
            self._epoch = self._open()
        except sqlite3.Error as error:
            self._pool.close()
            raise ValueError(
                f"Cannot use {self.path} as a PYECHARTS_STORE: {error}."
            ) from error

    def _open(self) -> str:
        """Create the tables if needed; return the file's epoch."""
        with self._pool.connection() as db:
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"WAL journal refused ({mode})")
            with _transaction(db):
                for table in _SCHEMA:
                    db.execute(table)
                boot = _boot()
                db.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('epoch', ?), ('boot', ?)",
                    (new_epoch(), boot),
                )
                made = db.execute("SELECT value FROM meta WHERE key = 'boot'")
                if made.fetchone()[0] != boot:  # rebooted: see the module's doc
                    db.execute(
                        "UPDATE meta SET value = ? WHERE key = 'epoch'", (new_epoch(),)
                    )
                    db.execute("UPDATE meta SET value = ? WHERE key = 'boot'", (boot,))
                row = db.execute("SELECT value FROM meta WHERE key = 'epoch'")
                return str(row.fetchone()[0])

    @property
    def epoch(self) -> str:
        return self._epoch

    def configure(self, chart: str, window: int) -> None:
        _check_window(chart, window, self.max_window)
        self._windows[chart] = window
        with self._write() as db:  # a smaller window trims at once
            db.execute(
                "DELETE FROM points WHERE chart = ? AND seq <="
                " (SELECT head FROM heads WHERE chart = ?) - ?",
                (chart, chart, window),
            )

    def append(
        self,
        chart: str,
        points: t.Sequence[Point],
        state: tuple[str, bytes] | None = None,
        expect: bytes | None | AnyState = ANY_STATE,
    ) -> str:
        _check_expect(state, expect)
        window = self._window(chart)
        if not points and state is None:
            return self.head(chart)
        values = [dumps([series, value]) for series, value in points]
        with self._write() as db:
            if state is not None and expect is not ANY_STATE:
                if self._blob(db, state[0]) != expect:
                    raise _conflict(chart, state[0])
            head = _head(db, chart)
            if values:
                db.executemany(
                    "INSERT INTO points VALUES (?, ?, ?)",
                    [(chart, seq, value) for seq, value in enumerate(values, head + 1)],
                )
                head += len(values)
                db.execute(
                    "INSERT INTO heads VALUES (?, ?) ON CONFLICT (chart)"
                    " DO UPDATE SET head = excluded.head",
                    (chart, head),
                )
                db.execute(
                    "DELETE FROM points WHERE chart = ? AND seq <= ?",
                    (chart, head - window),
                )
            if state is not None:
                self._set(db, state[0], state[1], None)
        if values:
            with self._changed:
                self._appends += 1
                self._changed.notify_all()
        return Cursor(self._epoch, head).encode()

    def since(self, chart: str, cursor: str | None, limit: int | None = None) -> Page:
        position = Cursor.decode(cursor) if cursor else None
        _check_limit(limit)
        window = self._window(chart)
        with self._read() as db:
            head = _head(db, chart)
            first = db.execute(
                "SELECT MIN(seq) FROM points WHERE chart = ?", (chart,)
            ).fetchone()[0]
            # the seq just before the first point kept (a window that grew
            # since the points were trimmed keeps fewer than it says)
            oldest = head if first is None else max(head - window, first - 1)
            reset = (
                position is None
                or position.epoch != self._epoch
                or not oldest <= position.seq <= head
            )
            start = oldest if reset else t.cast(Cursor, position).seq
            count = head - start if limit is None else min(limit, head - start)
            rows = db.execute(
                "SELECT seq, point FROM points WHERE chart = ? AND seq > ?"
                " ORDER BY seq LIMIT ?",
                (chart, start, max(count, 0)),
            ).fetchall()
        points: list[Point] = []
        for _, point in rows:
            series, value = loads(point)
            points.append((series, value))
        last = rows[-1][0] if rows else start
        return Page(Cursor(self._epoch, last).encode(), points, reset)

    def head(self, chart: str) -> str:
        self._window(chart)
        with self._read() as db:
            return Cursor(self._epoch, _head(db, chart)).encode()

    def wait(self, positions: t.Mapping[str, int], timeout: float) -> dict[str, int]:
        wanted = {c: seq for c, seq in positions.items() if c in self._windows}
        deadline = time.monotonic() + timeout
        while True:
            with self._changed:
                seen = self._appends
            moved = {}
            if wanted:
                with self._read() as db:
                    heads = dict(db.execute("SELECT chart, head FROM heads"))
                moved = {
                    chart: heads[chart]
                    for chart, seq in wanted.items()
                    if heads.get(chart, 0) > seq
                }
            with self._changed:
                remaining = deadline - time.monotonic()
                if moved or remaining <= 0 or self._interrupted:
                    self._interrupted = False
                    return moved
                if self._appends == seen:  # else read again at once
                    self._changed.wait(min(remaining, self._poll))

    def interrupt(self) -> None:
        with self._changed:
            self._interrupted = True
            self._changed.notify_all()

    def get_blob(self, key: str) -> bytes | None:
        with self._read() as db:
            return self._blob(db, key)

    def get_blobs(self, keys: t.Sequence[str]) -> list[bytes | None]:
        with self._read() as db:  # one snapshot of the file
            return [self._blob(db, key) for key in keys]

    def set_blob(self, key: str, value: bytes, ttl: float | None = None) -> None:
        with self._write() as db:
            self._set(db, key, value, None if ttl is None else self._clock() + ttl)

    def lock(self, name: str, ttl: float) -> _SqliteLock:
        return _SqliteLock(self, name, ttl)

    def close(self) -> None:
        """Close the connections of this process."""
        self._pool.close()

    def _blob(self, db: sqlite3.Connection, key: str) -> bytes | None:
        row = db.execute(
            "SELECT value FROM blobs WHERE key = ? AND"
            " (expires IS NULL OR expires > ?)",
            (key, self._clock()),
        ).fetchone()
        return None if row is None else bytes(row[0])

    def _set(
        self, db: sqlite3.Connection, key: str, value: bytes, expires: float | None
    ) -> None:
        db.execute(
            "INSERT INTO blobs VALUES (?, ?, ?) ON CONFLICT (key)"
            " DO UPDATE SET value = excluded.value, expires = excluded.expires",
            (key, value, expires),
        )

    def _window(self, chart: str) -> int:
        window = self._windows.get(chart)
        if window is None:
            raise KeyError(f"No stream named {chart!r}; declare it with configure().")
        return window

    @contextlib.contextmanager
    def _read(self) -> t.Iterator[sqlite3.Connection]:
        """A connection in a read transaction (one snapshot of the file)."""
        with _failures(), self._pool.connection() as db, _transaction(db, "BEGIN"):
            yield db

    @contextlib.contextmanager
    def _write(self) -> t.Iterator[sqlite3.Connection]:
        """A connection in a write transaction, committed when the block ends
        without an exception; expired blobs and locks are swept now and then."""
        with _failures(), self._writing, self._pool.connection() as db:
            with _transaction(db):
                now = self._clock()
                if now >= self._next_sweep:
                    self._next_sweep = now + SWEEP_EVERY
                    db.execute("DELETE FROM blobs WHERE expires <= ?", (now,))
                    db.execute("DELETE FROM locks WHERE expires <= ?", (now,))
                yield db


class _SqliteLock:
    """A lease: a row of ``locks`` that a new holder may take once it expired."""

    def __init__(self, store: SqliteStore, name: str, ttl: float) -> None:
        self._store = store
        self._name = name
        self._ttl = ttl
        self._token = uuid.uuid4().hex
        self._held = False

    def acquire(self, blocking: bool = False) -> bool:
        if self._held:  # not re-entrant, as a Redis lock
            return False
        while True:
            try:
                self._held = self._take()
            except StoreError:
                self._held = False
            if self._held or not blocking:
                return self._held
            time.sleep(self._store._poll)

    def _take(self) -> bool:
        """Take the lock if it is free, expired or its holder died."""
        with self._store._write() as db:
            now = self._store._clock()
            row = db.execute(
                "SELECT expires, host, pid FROM locks WHERE name = ?", (self._name,)
            ).fetchone()
            if row is not None and row[0] > now:
                _, host, pid = row
                if not host or host != _host() or _alive(pid):
                    return False
            db.execute(
                "INSERT OR REPLACE INTO locks VALUES (?, ?, ?, ?, ?)",
                (self._name, self._token, now + self._ttl, _host(), os.getpid()),
            )
            return True

    def renew(self) -> None:
        """Push the expiry back; raises when the lease was lost or expired."""
        with self._store._write() as db:
            now = self._store._clock()
            renewed = db.execute(
                "UPDATE locks SET expires = ? WHERE name = ? AND token = ?"
                " AND expires > ?",
                (now + self._ttl, self._name, self._token, now),
            ).rowcount
        if renewed != 1:
            self._held = False
            raise RuntimeError(f"The lock {self._name!r} was lost (it expired).")

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        with contextlib.suppress(StoreError):
            with self._store._write() as db:
                db.execute(
                    "DELETE FROM locks WHERE name = ? AND token = ?",
                    (self._name, self._token),
                )

    def __enter__(self) -> _SqliteLock:
        self.acquire(blocking=True)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


class _ForkGate:
    """Holds a fork off while a thread of this process is inside SQLite.

    A child inherits SQLite's own mutexes as they were at the fork: one that
    another thread held then is held in the child for ever, and the child's
    first SQLite call waits on it (gunicorn ``--preload`` forks its workers
    while the master's producers append). Only the calls of this module are
    held off: other users of SQLite in the process are their own business.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """No thread inside (and a new lock: in a child, after the fork)."""
        self._changed = threading.Condition(threading.Lock())
        self._inside = 0
        self._forking = False

    @contextlib.contextmanager
    def inside(self) -> t.Iterator[None]:
        """Around SQLite calls: a fork waits until they return."""
        with self._changed:
            while self._forking:
                self._changed.wait()
            self._inside += 1
        try:
            yield
        finally:
            with self._changed:
                self._inside -= 1
                if not self._inside:
                    self._changed.notify_all()

    def before_fork(self) -> None:
        """Wait until no thread is inside, and let none in until the fork."""
        self._changed.acquire()
        self._forking = True
        while self._inside:
            self._changed.wait()

    def after_fork_in_parent(self) -> None:
        self._forking = False
        self._changed.notify_all()
        self._changed.release()


_gate = _ForkGate()
if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(
        before=_gate.before_fork,
        after_in_parent=_gate.after_fork_in_parent,
        after_in_child=_gate.reset,
    )


class _Pool:
    """At most :data:`POOL_SIZE` connections, opened on demand.

    Like the store, a pool is of one process: a process forked from the one
    that made it makes its own store (as the runtime does).
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._slots = threading.BoundedSemaphore(POOL_SIZE)

    @contextlib.contextmanager
    def connection(self) -> t.Iterator[sqlite3.Connection]:
        slots = self._slots
        if not slots.acquire(timeout=POOL_TIMEOUT):
            raise StoreError(f"No free connection to {self._path} in {POOL_TIMEOUT} s.")
        try:
            with _gate.inside():
                with self._lock:
                    db = self._idle.pop() if self._idle else None
                if db is None:
                    db = sqlite3.connect(
                        self._path,
                        timeout=POOL_TIMEOUT,
                        isolation_level=None,
                        check_same_thread=False,
                    )
                    db.execute("PRAGMA synchronous=NORMAL")
                try:
                    yield db
                finally:
                    with self._lock:
                        self._idle.append(db)
        finally:
            slots.release()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        with _gate.inside():
            for db in idle:
                db.close()


@contextlib.contextmanager
def _transaction(
    db: sqlite3.Connection, begin: str = "BEGIN IMMEDIATE"
) -> t.Iterator[None]:
    """``begin`` ... ``COMMIT``, or ``ROLLBACK`` on an exception."""
    db.execute(begin)
    try:
        yield
    except BaseException:
        if db.in_transaction:  # SQLite may have rolled back already
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@contextlib.contextmanager
def _failures() -> t.Iterator[None]:
    """SQLite errors (a locked, full or broken file) as :class:`StoreError`."""
    try:
        yield
    except sqlite3.Error as error:
        raise StoreError(f"The SQLite store is unavailable: {error}") from error


def _head(db: sqlite3.Connection, chart: str) -> int:
    row = db.execute("SELECT head FROM heads WHERE chart = ?", (chart,)).fetchone()
    return 0 if row is None else int(row[0])


def _boot() -> str:
    """This boot of the machine ('' where the system does not say)."""
    try:
        return BOOT_ID.read_text().strip()
    except OSError:
        return ""


@functools.cache
def _host() -> str:
    """Where a process id means one process: this boot and process namespace
    ('' where the system does not say: then no lock is taken from a holder
    that seems dead, only from one whose lease expired)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""
    boot = _boot()
    return f"{boot} {namespace}" if boot else ""


def _alive(pid: int) -> bool:
    """Whether the process ``pid`` exists (a zombie counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's
        return True
    return True
