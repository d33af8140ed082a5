"""A pytest plugin: a private ``redis-server`` on a free port for the session.

Load it with ``pytest_plugins = ["tests.conftest_redis"]``. The ``redis_url``
fixture names the server; set ``PYECHARTS_TEST_REDIS_URL`` to use a running
server instead. Tests that stop, flush or restore Redis make their own
:class:`RedisServer` (``private_redis``), never touching a shared one.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import typing as t
from pathlib import Path

import pytest


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_binary() -> str | None:
    """The ``redis-server`` executable, if installed."""
    found = shutil.which("redis-server")
    if found is None and os.access("/usr/bin/redis-server", os.X_OK):
        found = "/usr/bin/redis-server"
    return found


class RedisServer:
    """A ``redis-server`` process (no persistence) that tests may stop and
    restart on the same port: a restart loses every key, as in production.

    A test can also play a server with RDB persistence that crashes: take a
    snapshot with :meth:`save`, change more, then ``restart(from_snapshot=True)``
    boots from the snapshot, so the keys go back to what they were at the save.
    """

    #: The snapshot's file name, in :attr:`directory`.
    SNAPSHOT = "dump.rdb"

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = tempfile.mkdtemp(prefix="fpe-redis-")
        self.process: subprocess.Popen[bytes] | None = None
        self._started = False

    def start(self) -> None:
        """Start the server; on its first start, if another process took the
        port meanwhile (parallel test runs), on another free port."""
        for _ in range(5):
            if self._launch():
                self._started = True
                return
            if self._started:  # a restart keeps its port: tests rely on it
                break
            self.port = free_port()
            self.url = f"redis://127.0.0.1:{self.port}/0"
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def _launch(self) -> bool:
        binary = redis_binary()
        if binary is None:
            pytest.fail("redis-server is not installed: run bash scripts/setup.sh")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.directory,
                "--dbfilename",
                self.SNAPSHOT,
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if self.command("PING") == b"+PONG" and self._serves_port():
                    return True
            except OSError:
                pass
            time.sleep(0.02)
        self.stop()
        return False

    def _serves_port(self) -> bool:
        """Whether the server answering on the port is this one's process
        (not another run's that took the port first)."""
        import redis

        client = redis.Redis(port=self.port, socket_timeout=5)
        try:
            pid = client.info("server")["process_id"]
        except redis.RedisError:
            return False
        finally:
            client.close()
        return self.process is not None and pid == self.process.pid

    def command(self, line: str) -> bytes:
        """Send one inline command; the first line of the reply."""
        with socket.create_connection(("127.0.0.1", self.port), 1) as sock:
            sock.sendall(line.encode() + b"\r\n")
            reply = b""
            while not reply.endswith(b"\r\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
        return reply.strip()

    def stop(self) -> None:
        """``SHUTDOWN NOSAVE``; terminate if it does not go."""
        process, self.process = self.process, None
        if process is None:
            return
        try:
            self.command("SHUTDOWN NOSAVE")
            process.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            process.terminate()
            process.wait(10)

    def save(self) -> None:
        """Write a snapshot of every key now (``SAVE``), as an RDB file."""
        reply = self.command("SAVE")
        if reply != b"+OK":
            raise RuntimeError(f"SAVE failed: {reply!r}")

    def restart(self, from_snapshot: bool = False) -> None:
        """Stop and start on the same port: every key is gone, or, with
        ``from_snapshot``, every key is as it was at the last :meth:`save`
        (a crash and a restart from the RDB file)."""
        self.stop()
        if not from_snapshot:
            Path(self.directory, self.SNAPSHOT).unlink(missing_ok=True)
        self.start()

    def cleanup(self) -> None:
        """Stop and remove the working directory."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server() -> t.Iterator[RedisServer]:
    """The session's private server."""
    server = RedisServer()
    server.start()
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def redis_url(request: pytest.FixtureRequest) -> str:
    """``PYECHARTS_TEST_REDIS_URL``, or the session's private server."""
    configured = os.environ.get("PYECHARTS_TEST_REDIS_URL")
    if configured:
        return configured
    server: RedisServer = request.getfixturevalue("redis_server")
    return server.url


@pytest.fixture
def private_redis() -> t.Iterator[RedisServer]:
    """A server of the test's own, free to restart or flush."""
    server = RedisServer()
    server.start()
    yield server
    server.cleanup()
