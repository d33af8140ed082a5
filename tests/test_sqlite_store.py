"""The SQLite store beyond the shared contract (``tests/test_stores.py``): its
file outlives the process, and the processes of one host share it."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import typing as t
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask

from flask_pyecharts import Charts
from flask_pyecharts.streams.cursors import Cursor
from flask_pyecharts.streams.stores import Page, StoreError, open_store
from flask_pyecharts.streams.stores import sqlite as sqlite_module
from flask_pyecharts.streams.stores.sqlite import SqliteStore

from .conftest import Clock
from .gunicorn_server import ROOT, Gunicorn
from .sse_client import Event, read_events

#: How long a test waits for what must come (only a failing test waits it out).
PATIENCE = 30.0
SRC = ROOT / "src"


def values(page: Page) -> list[t.Any]:
    return [value for _, value in page.points]


def seq(cursor: str) -> int:
    return Cursor.decode(cursor).seq


def opened(path: Path, window: int = 10, **options: t.Any) -> SqliteStore:
    store = SqliteStore(path, **options)
    store.configure("c", window)
    return store


def rows(path: Path, sql: str) -> list[tuple[t.Any, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


# -- one file, many lives --------------------------------------------------


def test_a_reopened_file_continues_with_the_same_epoch(tmp_path):
    path = tmp_path / "streams.db"
    first = opened(path)
    cursor = first.append("c", [(0, 1), (0, 2)], state=("producer:c", b"2"))
    first.append("c", [(0, 3)])
    first.close()
    again = opened(path)
    assert again.epoch == first.epoch
    page = again.since("c", cursor)
    assert page == Page(again.head("c"), [(0, 3)], False)  # no reset, no gap
    assert again.get_blob("producer:c") == b"2"
    assert seq(again.append("c", [(0, 4)])) == 4  # numbers go on
    assert rows(path, "PRAGMA journal_mode") == [("wal",)]
    again.close()


def test_a_new_file_has_a_new_epoch(tmp_path):
    one, other = opened(tmp_path / "one.db"), opened(tmp_path / "other.db")
    cursor = one.append("c", [(0, 1)])
    other.append("c", [(0, "b")])
    assert one.epoch != other.epoch
    page = other.since("c", cursor)
    assert page.reset and values(page) == ["b"]
    one.close()
    other.close()


def test_a_reboot_gives_a_new_epoch_and_readers_get_the_window_whole(
    tmp_path, monkeypatch
):
    """A power cut may have rolled the last commits back (synchronous=NORMAL):
    cursors from before it must not read points that reuse their numbers."""
    boot = tmp_path / "boot_id"
    boot.write_text("boot-1\n")
    monkeypatch.setattr(sqlite_module, "BOOT_ID", boot)
    store = opened(tmp_path / "streams.db")
    cursor = store.append("c", [(0, 1), (0, 2)])
    store.close()
    assert opened(tmp_path / "streams.db").epoch == store.epoch  # same boot
    boot.write_text("boot-2\n")
    rebooted = opened(tmp_path / "streams.db")
    assert rebooted.epoch != store.epoch
    page = rebooted.since("c", cursor)
    assert page.reset and values(page) == [1, 2]
    assert opened(tmp_path / "streams.db").epoch == rebooted.epoch  # once
    rebooted.close()


def test_the_window_is_trimmed_in_the_file(tmp_path):
    path = tmp_path / "streams.db"
    store = opened(path, window=100)
    for start in range(0, 1000, 10):
        store.append("c", [(0, value) for value in range(start, start + 10)])
    assert rows(path, "SELECT COUNT(*) FROM points") == [(100,)]
    store.configure("c", 10)  # a smaller window trims at once
    assert rows(path, "SELECT COUNT(*), MIN(seq) FROM points") == [(10, 991)]
    assert values(store.since("c", None)) == list(range(990, 1000))
    store.close()


def test_a_window_that_grew_never_leaves_a_silent_gap(tmp_path):
    path = tmp_path / "streams.db"
    small = opened(path, window=5)
    cursor = small.append("c", [(0, value) for value in range(2)])
    small.append("c", [(0, value) for value in range(2, 10)])  # keeps 5..9
    small.close()
    grown = opened(path, window=20)  # restarted with a larger window
    page = grown.since("c", cursor)  # inside the new window, but trimmed
    assert page.reset and values(page) == [5, 6, 7, 8, 9]
    assert values(grown.since("c", None, limit=2)) == [5, 6]
    grown.close()


# -- processes sharing one file --------------------------------------------


def test_two_stores_on_one_file_share_points_cursors_and_wake_ups(tmp_path):
    path = tmp_path / "streams.db"
    one, other = opened(path), opened(path)
    assert one.epoch == other.epoch
    cursor = one.append("c", [(0, 1)])
    assert other.head("c") == cursor  # one cursor means the same in both
    assert other.append("c", [(0, 2)]) == one.head("c")
    assert one.since("c", cursor) == other.since("c", cursor)
    assert values(one.since("c", cursor)) == [2]
    # an append of the other store (process) wakes a wait within its poll
    timer = threading.Timer(0.05, lambda: other.append("c", [(0, 3)]))
    timer.start()
    started = time.monotonic()
    assert one.wait({"c": 2}, PATIENCE) == {"c": 3}
    assert time.monotonic() - started < PATIENCE / 2
    timer.join()
    one.close()
    other.close()


APPENDER = """
import os, sys
from flask_pyecharts.streams.stores.sqlite import SqliteStore
store = SqliteStore(sys.argv[1])
store.configure("c", 10_000)
print("ready", flush=True)
sys.stdin.readline()  # all start together
for index in range(0, 200, 2):
    store.append("c", [(0, [os.getpid(), index]), (0, [os.getpid(), index + 1])])
"""


def test_processes_appending_to_one_file_lose_nothing(tmp_path):
    path = tmp_path / "streams.db"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", APPENDER, str(path)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in processes:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.close()
    for process in processes:
        assert process.wait(PATIENCE) == 0
        assert process.stdout is not None
        process.stdout.close()
    store = opened(path, window=10_000)
    assert rows(path, "SELECT MIN(seq), MAX(seq), COUNT(*) FROM points") == [
        (1, 400, 400)
    ]
    seen = values(store.since("c", None))
    for process in processes:  # each one's points whole and in its order
        assert [i for pid, i in seen if pid == process.pid] == list(range(200))
    store.close()


def test_a_process_forked_while_threads_append_can_use_the_file(tmp_path):
    """gunicorn --preload forks workers while the master's producers append:
    a child must not inherit a mutex of SQLite's that a thread held (its
    first SQLite call would then wait for ever; one fork in four did)."""
    path = tmp_path / "streams.db"
    store = opened(path, window=100)
    stop = threading.Event()

    def append() -> None:
        while not stop.is_set():
            store.append("c", [(0, 1)])
            store.since("c", None)

    threads = [threading.Thread(target=append) for _ in range(2)]
    for thread in threads:
        thread.start()
    stuck = 0
    try:
        for _ in range(30):
            pid = os.fork()
            if pid == 0:  # the child: a store of its own, as the runtime makes
                code = 1
                try:
                    child = SqliteStore(path)
                    child.configure("forked", 100)
                    child.append("forked", [(0, "child")])
                    code = 0
                finally:
                    os._exit(code)
            deadline = time.monotonic() + PATIENCE
            while not (ended := os.waitpid(pid, os.WNOHANG))[0]:
                if time.monotonic() > deadline:  # only a failing test waits
                    stuck += 1
                    os.kill(pid, signal.SIGKILL)
                    ended = os.waitpid(pid, 0)
                    break
                time.sleep(0.005)
            else:
                assert os.waitstatus_to_exitcode(ended[1]) == 0
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert stuck == 0
    store.configure("forked", 100)
    assert values(store.since("forked", None)) == ["child"] * 30
    store.close()


# -- locks and blobs -------------------------------------------------------


def test_leases_and_blobs_expire_by_the_clock(tmp_path, clock: Clock):
    path = tmp_path / "streams.db"
    one, other = opened(path, clock=clock), opened(path, clock=clock)
    lock = one.lock("job", ttl=5)
    assert lock.acquire()
    assert not other.lock("job", ttl=5).acquire()  # held by a living process
    clock.advance(4)
    lock.renew()  # five more seconds from now
    clock.advance(4)
    assert not other.lock("job", ttl=5).acquire()
    clock.advance(2)
    taken = other.lock("job", ttl=5)
    assert taken.acquire()  # the lease ran out
    with pytest.raises(RuntimeError, match="lost"):
        lock.renew()
    lock.release()  # not the holder any more: the new one keeps it
    assert not one.lock("job", ttl=5).acquire()
    taken.release()
    one.set_blob("option:x", b"built", ttl=10)
    clock.advance(9)
    assert other.get_blob("option:x") == b"built"
    clock.advance(1)
    assert other.get_blob("option:x") is None
    clock.advance(sqlite_module.SWEEP_EVERY)
    one.set_blob("k", b"v")  # a write sweeps the expired rows
    assert rows(path, "SELECT key FROM blobs") == [("k",)]
    assert rows(path, "SELECT COUNT(*) FROM locks") == [(0,)]
    one.close()
    other.close()


HOLDER = """
import os, sys
from flask_pyecharts.streams.stores.sqlite import SqliteStore
assert SqliteStore(sys.argv[1]).lock("producer:c", ttl=600).acquire()
os._exit(0)  # dies holding it, as under kill -9
"""


def test_a_lock_whose_holder_died_is_taken_at_once(tmp_path):
    path = tmp_path / "streams.db"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    subprocess.run(
        [sys.executable, "-c", HOLDER, str(path)], env=env, check=True, timeout=60
    )
    assert rows(path, "SELECT name FROM locks") == [("producer:c",)]
    store = opened(path)
    lock = store.lock("producer:c", ttl=600)
    assert lock.acquire()  # long before its lease of ten minutes ran out
    assert not store.lock("producer:c", ttl=600).acquire()  # this one lives
    lock.release()
    store.close()


# -- opening ---------------------------------------------------------------


def test_open_store_takes_sqlite_urls(tmp_path, monkeypatch):
    absolute = open_store(f"sqlite:///{tmp_path}/abs.db", max_window=7)
    assert isinstance(absolute, SqliteStore) and absolute.max_window == 7
    assert absolute.path == tmp_path / "abs.db" and absolute.path.exists()
    absolute.close()
    monkeypatch.chdir(tmp_path)
    relative = open_store("sqlite:///relative.db")
    assert relative.path == tmp_path / "relative.db"  # from here, wherever it runs
    monkeypatch.chdir("/")
    relative.configure("c", 3)
    relative.append("c", [(0, 1)])
    assert rows(tmp_path / "relative.db", "SELECT COUNT(*) FROM points") == [(1,)]
    relative.close()


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write to (root writes anywhere but in
    /proc/self)."""
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    return folder if not os.access(folder, os.W_OK) else Path("/proc/self")


@pytest.mark.parametrize(
    "where, message",
    [
        ("sqlite://", "names no file"),
        ("sqlite:///", "names no file"),
        ("sqlite://relative.db", "names no file"),
        ("sqlite:///{tmp}/missing/streams.db", "folder .* does not exist"),
        ("sqlite:///{tmp}", "is a folder"),
        ("sqlite:///{locked}/streams.db", "is not writable"),
        ("sqlite:///{tmp}/garbage.db", "Cannot use .* file is not a database"),
    ],
)
def test_a_bad_sqlite_store_fails_at_start_naming_the_key(tmp_path, where, message):
    (tmp_path / "garbage.db").write_bytes(b"not a database, " * 100)
    url = where.format(tmp=tmp_path, locked=unwritable_folder(tmp_path))
    app = Flask(__name__)
    app.config["PYECHARTS_STORE"] = url
    with pytest.raises(ValueError, match=message) as refused:
        Charts(app)
    assert "PYECHARTS_STORE" in str(refused.value)


def test_a_busy_file_is_a_store_error(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_module, "POOL_TIMEOUT", 0.05)
    path = tmp_path / "streams.db"
    store = opened(path)
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # another process writing, for ever
        with pytest.raises(StoreError, match="unavailable"):
            store.append("c", [(0, 1)])
        other.execute("ROLLBACK")
    assert seq(store.append("c", [(0, 1)])) == 1
    store.close()


# -- real servers ----------------------------------------------------------


class Server:
    """``python -m tests.apps.durable``: one server process on ``path``."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.apps.durable"],
            cwd=ROOT,
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join([str(ROOT), str(SRC)]),
                "PYECHARTS_STORE": f"sqlite:///{path}",
            },
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("port "), "the server did not start"
        self.port = int(line.split()[1])

    def get(self, path: str) -> tuple[dict[str, t.Any], dict[str, str]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = json.loads(response.read())
            assert response.status == 200, body
            return body, dict(response.headers)
        finally:
            connection.close()

    def kill(self) -> None:
        """``kill -9``: no shutdown, nothing flushed or released."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        assert self.process.stdout is not None
        self.process.stdout.close()


Points = tuple[list[list[int]], int, str]


def follow(
    get: t.Callable[[str], tuple[dict[str, t.Any], dict[str, str]]],
    cursor: str | None,
    until: t.Callable[[list[list[int]]], bool],
) -> Points:
    """Follow ``ticks`` with /points until ``until(values)``: the values, the
    resets seen and the cursor."""
    got: list[list[int]] = []
    resets = 0
    deadline = time.monotonic() + PATIENCE
    while not until(got):
        assert time.monotonic() < deadline, got[-5:]
        query = f"?since={cursor}" if cursor else ""
        page, _ = get(f"/charts/api/charts/ticks/points{query}")
        if page["reset"]:
            resets += 1
            got = []
        got.extend(value for _, value in page["points"])
        cursor = page["cursor"]
        time.sleep(0.02)
    assert cursor is not None
    return got, resets, cursor


def streamed(events: list[Event]) -> list[int]:
    """The numbers of ``ticks`` that came after the first event (the
    stream's start: the window, as a reset)."""
    return [
        value[0]
        for event in events[1:]
        if event.event == "points"
        for _, value in event.data["points"]
    ]


def consecutive(numbers: list[int]) -> bool:
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def test_a_server_killed_and_restarted_resumes_every_viewer(tmp_path):
    path = tmp_path / "streams.db"
    server = Server(path)
    try:
        before, resets, cursor = follow(server.get, None, lambda got: len(got) >= 20)
        assert resets == 1  # the first read only
        _, headers = server.get("/charts/api/charts/ticks")
        assert headers["X-Store"] == "SqliteStore"
        events, _ = read_events(
            f"http://127.0.0.1:{server.port}/charts/api/events?charts=ticks",
            until=lambda events: any(e.event == "points" for e in events),
        )
        last_id = [e.id for e in events if e.id][-1]
    finally:
        server.kill()
    again = Server(path)
    try:
        # a poller goes on from its cursor: no reset, no gap, nothing twice
        after, resets, _ = follow(again.get, cursor, lambda got: len(got) >= 20)
        assert resets == 0
        numbers = [n for n, _ in before + after]
        assert consecutive(numbers), numbers
        assert after[-1][1] == again.process.pid  # the new process produces
        # an event stream goes on from its last event id
        events, _ = read_events(
            f"http://127.0.0.1:{again.port}/charts/api/events?charts=ticks",
            last_event_id=last_id,
            until=lambda events: any(e.event == "points" for e in events),
        )
        resumed = [e for e in events if e.event in ("points", "reset", "option")]
        assert resumed[0].event == "points", [e.event for e in events]
        streamed = [value[0] for _, value in resumed[0].data["points"]]
        first = Cursor.decode(last_id).seq  # ids are cursors: seq n holds n - 1
        assert streamed[0] == first and consecutive(streamed)
    finally:
        again.kill()


@pytest.mark.parametrize("options", [[], ["--preload"]])
def test_gunicorn_workers_share_one_file(tmp_path, options):
    """With --preload the master opens the file before it forks: each worker
    then opens it again (a SQLite connection does not cross a fork)."""
    deployment = Gunicorn(
        "tests.apps.durable:create_app()",
        "gevent",
        workers=2,
        args=options,
        env={"PYECHARTS_STORE": f"sqlite:///{tmp_path}/streams.db"},
    )

    def get(path: str) -> tuple[dict[str, t.Any], dict[str, str]]:
        status, body, headers = deployment.request(path)
        assert status == 200, body
        return json.loads(body), dict(headers)

    workers: set[str] = set()

    def answered(path: str) -> tuple[dict[str, t.Any], dict[str, str]]:
        page, headers = get(path)
        workers.add(headers["X-Worker"])
        return page, headers

    def stream(_: int) -> tuple[str, list[int]]:
        """An event stream until ten points came: its worker and values."""
        events, response = read_events(
            f"http://127.0.0.1:{deployment.port}/charts/api/events?charts=ticks",
            until=lambda events: len(streamed(events)) >= 10,
        )
        return response.headers["X-Worker"], streamed(events)

    try:
        got, resets, _ = follow(
            answered, None, lambda got: len(got) >= 40 and len(workers) >= 2
        )
        streams: dict[str, list[int]] = {}
        with ThreadPoolExecutor(4) as pool:  # concurrent: both workers accept
            for _ in range(5):
                streams.update(pool.map(stream, range(4)))
                if len(streams) == 2:
                    break
    finally:
        deployment.stop()
    # the worker that does not produce sees the other's appends as they come
    assert streams.keys() == workers, "one worker served every event stream"
    assert all(consecutive(numbers) for numbers in streams.values())
    assert len(workers) == 2, "one worker answered every request"
    assert resets == 1  # each cursor meant the same on both workers
    assert consecutive([n for n, _ in got])
    # one worker produces for the two (with --preload the master may have
    # produced the first points, before it forked)
    producers = {pid for _, pid in got} - {deployment.process.pid}
    assert len(producers) == 1 and producers <= {int(pid) for pid in workers}
