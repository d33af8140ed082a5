"""SIGTERM to gunicorn ends the open event streams: a deploy does not wait for
the graceful timeout, and every stream gets its end.

The graceful timeout is long (two minutes) and the master must be gone at
half of it: ending the streams takes seconds, waiting for them the whole
timeout, so the test tells the two apart however slow the machine is.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess

import pytest

from .conftest import wait_until
from .gunicorn_server import Gunicorn

STREAMS = 200
GRACEFUL_TIMEOUT = 120
REQUEST = (
    b"GET /charts/api/events?charts=ticks HTTP/1.1\r\n"
    b"Host: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
)


def open_stream(port: int) -> socket.socket:
    """An event stream on a raw socket, read up to its first event."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(REQUEST)
    received = b""
    while b"retry:" not in received:
        chunk = sock.recv(4096)
        assert chunk, received
        received += chunk
    assert received.startswith(b"HTTP/1.1 200"), received
    assert b"Transfer-Encoding: chunked" in received, received
    return sock


def read_to_end(sock: socket.socket) -> bytes:
    received = b""
    with sock:
        while chunk := sock.recv(65536):
            received += chunk
    return received


def stuck_reader(port: int) -> socket.socket:
    """An event stream whose reader never reads: the server's first write (a
    5 MB option) blocks once the socket buffers are full."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(REQUEST.replace(b"charts=ticks", b"charts=bulky"))
    return sock


def test_sigterm_cuts_the_streams_of_readers_that_stopped_reading() -> None:
    """Regression: one such reader held a gevent worker's SIGTERM for its
    whole graceful timeout (the blocked write never sees the stop)."""
    server = Gunicorn(
        "tests.apps.workers:create_app()",
        "gevent",
        workers=1,
        args=[
            "--worker-connections",
            "1000",
            "--graceful-timeout",
            str(GRACEFUL_TIMEOUT),
        ],
        env={"PYECHARTS_MAX_STREAMS_PER_CLIENT": str(STREAMS)},
    )
    readers = []
    try:
        readers = [stuck_reader(server.port) for _ in range(STREAMS)]
        wait_until(
            lambda: (
                json.loads(server.request("/charts/api/stats")[1])["streams"]["open"]
                == STREAMS
            ),
            timeout=60,
        )
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(GRACEFUL_TIMEOUT / 2)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"the master still runs {GRACEFUL_TIMEOUT / 2:g} s after SIGTERM"
            )
    finally:
        server.stop()
        for sock in readers:
            sock.close()
    assert server.process.returncode == 0, server.output()


@pytest.mark.parametrize(
    "worker_class, args, count",
    [
        ("gevent", ["--worker-connections", "1000"], STREAMS),
        ("gthread", ["--threads", str(STREAMS + 10)], STREAMS),
        # With --preload the worker resets its signal handlers after loading
        # the app, and a threaded worker's requests run off the main thread.
        ("gthread", ["--threads", str(STREAMS + 10), "--preload"], STREAMS),
        ("sync", [], 1),  # a sync worker serves one request at a time
    ],
    ids=["gevent", "gthread", "gthread-preload", "sync"],
)
def test_sigterm_ends_every_stream_and_the_master_exits_before_the_graceful_timeout(
    worker_class: str, args: list[str], count: int
) -> None:
    server = Gunicorn(
        "tests.apps.workers:create_app()",
        worker_class,
        workers=2,
        args=[*args, "--graceful-timeout", str(GRACEFUL_TIMEOUT)],
        env={"PYECHARTS_MAX_STREAMS_PER_CLIENT": str(STREAMS)},
    )
    streams = []
    try:
        streams = [open_stream(server.port) for _ in range(count)]
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(GRACEFUL_TIMEOUT / 2)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"the master still runs {GRACEFUL_TIMEOUT / 2:g} s after SIGTERM"
            )
        ends = [read_to_end(sock) for sock in streams]
    finally:
        server.stop()
        for sock in streams:
            sock.close()
    assert server.process.returncode == 0, server.output()
    # Each response ended with the last chunk: a clean end, not a cut.
    cut = [end[-40:] for end in ends if not end.endswith(b"0\r\n\r\n")]
    assert cut == [], f"{len(cut)} of {count} streams were cut"
