"""A real nginx in front of a server of the app, with the configuration that
``flask pyecharts nginx`` prints for it."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or (
    "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None
)


def free_port() -> int:
    """A port no one listens at now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def check_config(config: Path, prefix: Path) -> None:
    """``nginx -t``: the configuration file ``config`` is valid under ``prefix``."""
    assert NGINX is not None
    checked = subprocess.run(
        [NGINX, "-t", "-c", str(config), "-p", str(prefix)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr


def get(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, bytes, http.client.HTTPMessage]:
    """``GET path`` on a new connection: the status, the body, the headers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), response.headers
    finally:
        connection.close()


class Nginx:
    """``nginx -c FILE -p DIR -g 'daemon off;'`` with the configuration
    ``flask pyecharts nginx`` prints for ``app`` in front of ``upstream``
    (a port on 127.0.0.1), started and answering at :attr:`url`.

    :param app: the app, or its import path for ``flask --app`` (the
        command then runs in a process of its own, as a user runs it, with
        ``env`` added to the environment).
    :param options: more options of the command (``--nchan``, ``--redis URL``).
    """

    def __init__(
        self,
        app: Flask | str,
        upstream: int,
        env: t.Mapping[str, str] | None = None,
        options: t.Sequence[str] = (),
    ) -> None:
        assert NGINX is not None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [
            "pyecharts",
            "nginx",
            "--listen",
            f"127.0.0.1:{self.port}",
            "--upstream",
            f"127.0.0.1:{upstream}",
            *options,
        ]
        if isinstance(app, str):
            config = subprocess.run(
                [sys.executable, "-m", "flask", "--app", app, *args],
                cwd=ROOT,
                env={
                    **os.environ,
                    **(env or {}),
                    "PYTHONPATH": os.pathsep.join(
                        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
                    ),
                },
                check=True,
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout
        else:
            result = app.test_cli_runner().invoke(args=args)
            assert result.exit_code == 0, result.output
            config = result.output
        # Reachable by nginx's workers, which run as another user under root.
        self.prefix = Path(tempfile.mkdtemp(prefix="fpe-nginx-"))
        self.prefix.chmod(0o755)
        self.file = self.prefix / "nginx.conf"
        self.file.write_text(config)
        self.process = subprocess.Popen(
            [NGINX, "-c", str(self.file), "-p", str(self.prefix), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(self.port, "/charts/api/charts")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.log()
                self.stop()
                raise RuntimeError(f"nginx did not start:\n{log}")
            time.sleep(0.02)

    def get(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, http.client.HTTPMessage]:
        return get(self.port, path, headers)

    def log(self) -> str:
        """nginx's error log."""
        path = self.prefix / "error.log"
        return path.read_text() if path.exists() else ""

    def access_log(self) -> str:
        """nginx's access log (``cache=`` says MISS, HIT...)."""
        path = self.prefix / "access.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        """SIGTERM (SIGKILL after 10 s), then remove its directory."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.prefix, ignore_errors=True)
