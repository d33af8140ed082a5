"""A real gunicorn (master and workers) on a free port, for one test."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

from .conftest_redis import free_port

ROOT = Path(__file__).resolve().parents[1]


def quiet_args() -> list[str]:
    """No control socket (gunicorn 27 binds one at a fixed path in $HOME, which
    concurrent test runs would share)."""
    from gunicorn import config

    names = {setting.name for setting in config.KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in names else []


class Gunicorn:
    """``gunicorn -k WORKER_CLASS -w WORKERS ARGS APP``, started and ready.

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
        self.port = free_port()
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        self.log = tempfile.TemporaryFile()
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
                f"127.0.0.1:{self.port}",
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
            try:
                if self.get("/charts/api/charts")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start:\n{self.output()}")
            time.sleep(0.05)

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
        self.log.seek(0)
        return self.log.read().decode(errors="replace")
