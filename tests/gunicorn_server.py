"""A real gunicorn (master and workers) on a port of its own, for one test."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The line in which gunicorn names the address it listens at.
LISTENING = re.compile(rb"Listening at: http://127\.0\.0\.1:(\d+) ")


def quiet_args() -> list[str]:
    """No control socket (gunicorn 27 binds one at a fixed path in $HOME, which
    concurrent test runs would share)."""
    from gunicorn import config

    names = {setting.name for setting in config.KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in names else []


class Gunicorn:
    """``gunicorn -k WORKER_CLASS -w WORKERS ARGS APP``, started and ready.

    It binds port 0 (the system picks a free one, which no other test can
    take meanwhile) and says which in its log.

    :param app: the app to serve, such as ``"tests.apps.workers:create_app()"``.
    :param env: more environment variables (the app's ``PYECHARTS_*`` keys).
    """

    def __init__(
        self,
        app: str,
        worker_class: str = "gevent",
        workers: int = 1,
        args: t.Sequence[str] = (),
        env: t.Mapping[str, str] | None = None,
    ) -> None:
        self.port = 0
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        # Read through its name, never through the file gunicorn writes to:
        # they share the file's offset.
        self.log = tempfile.NamedTemporaryFile()
        self._output = ""
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-k",
                worker_class,
                "-w",
                str(workers),
                "-b",
                "127.0.0.1:0",
                *quiet_args(),
                *args,
                app,
            ],
            cwd=ROOT,
            env={**os.environ, **(env or {}), "PYTHONPATH": path},
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while True:
            self.port = self.port or self._listening_port()
            try:
                if self.port and self.get("/charts/api/charts")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start:\n{self.output()}")
            time.sleep(0.05)

    def _listening_port(self) -> int:
        """The port gunicorn's log says it listens at (0: not yet)."""
        found = LISTENING.search(self._written())
        return int(found.group(1)) if found else 0

    def get(self, path: str, timeout: float = 10) -> tuple[int, bytes]:
        """``GET path`` on a new connection: the status and the body."""
        status, body, _ = self.request(path, timeout)
        return status, body

    def request(
        self, path: str, timeout: float = 10
    ) -> tuple[int, bytes, http.client.HTTPMessage]:
        """``GET path`` on a new connection: the status, the body, the headers."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read(), response.headers
        finally:
            connection.close()

    def stop(self) -> None:
        """SIGTERM to the master (SIGKILL if it is still there after 10 s);
        keep what it wrote."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.log.closed:
            self._output = self.output()
            self.log.close()

    def output(self) -> str:
        """What gunicorn and the app wrote to standard error."""
        if self.log.closed:
            return self._output
        return self._written().decode(errors="replace")

    def _written(self) -> bytes:
        return Path(self.log.name).read_bytes()
