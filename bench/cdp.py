"""Headless Chromium driven over its DevTools pipe, as a wall screen runs it.

Playwright enables DevTools' Network domain on every page it drives, and
Chromium then keeps what the network brought for DevTools to ask for later
(response bodies, event-stream messages): memory that a screen on a TV never
spends, about 30 MB an hour of the demo screen in S9 (bench/README.md, "What
the browser's recorder cost"). The page benches (S6's page cost, S9) drive
Chromium here instead, through ``--remote-debugging-pipe``, with no domain
enabled on a page but the ones a measure needs (Performance, Page).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import typing as t
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
#: Seconds to wait for an answer of the browser.
ANSWER_TIMEOUT = 120.0

Handler = t.Callable[[dict[str, t.Any]], None]


class Chromium:
    """A headless Chromium and the one DevTools connection to it (the pipe:
    the browser reads commands on fd 3, writes answers and events on fd 4,
    each a JSON text ended by a NUL byte)."""

    def __init__(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="bench-chromium-")
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()

        def pipe_fds() -> None:
            # Copies first: a pipe may already be fd 3 or 4, and dup2 onto
            # itself would leave it closed at exec (Python's pipes are not
            # inheritable); dup2 onto another fd makes it inheritable.
            commands, answers = os.dup(commands_read), os.dup(answers_write)
            os.dup2(commands, 3)
            os.dup2(answers, 4)

        self.process = subprocess.Popen(
            [
                CHROMIUM, *ARGS, "--headless", "--hide-scrollbars",
                "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            preexec_fn=pipe_fds,
            close_fds=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(commands_read)
        os.close(answers_write)
        self._numbers = itertools.count(1)
        self._waiting: dict[int, tuple[threading.Event, list[dict[str, t.Any]]]] = {}
        self._handlers: dict[tuple[str, str | None], list[Handler]] = {}
        self._write = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        while chunk := os.read(self._answers, 1 << 20):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    done, box = self._waiting.pop(message["id"])
                    box.append(message)
                    done.set()
                    continue
                key = (message["method"], message.get("sessionId"))
                for handler in list(self._handlers.get(key, [])):
                    handler(message.get("params", {}))

    def on(self, method: str, handler: Handler, session: str | None = None) -> None:
        """Call ``handler`` with the parameters of each ``method`` event (of
        the page ``session``, or of the browser)."""
        self._handlers.setdefault((method, session), []).append(handler)

    def off(self, method: str, handler: Handler, session: str | None = None) -> None:
        """Stop calling ``handler`` (given to :meth:`on`)."""
        self._handlers.get((method, session), []).remove(handler)

    def send(
        self,
        method: str,
        params: dict[str, t.Any] | None = None,
        session: str | None = None,
    ) -> dict[str, t.Any]:
        """Send a command (to the page ``session``, or to the browser) and
        return its result."""
        number = next(self._numbers)
        done = threading.Event()
        box: list[dict[str, t.Any]] = []
        self._waiting[number] = (done, box)
        message: dict[str, t.Any] = {
            "id": number,
            "method": method,
            "params": params or {},
        }
        if session:
            message["sessionId"] = session
        with self._write:
            os.write(self._commands, json.dumps(message).encode() + b"\0")
        if not done.wait(ANSWER_TIMEOUT):
            raise TimeoutError(f"Chromium did not answer {method}")
        if "error" in box[0]:
            raise RuntimeError(f"{method}: {box[0]['error'].get('message')}")
        return t.cast(dict[str, t.Any], box[0].get("result", {}))

    def new_page(
        self, width: int, height: int, init_scripts: t.Sequence[str] = ()
    ) -> Page:
        """A blank page ``width`` x ``height`` in a browsing context of its
        own (a renderer process of its own), running ``init_scripts`` before
        any document's own."""
        started = [
            target["targetId"]
            for target in self.send("Target.getTargets")["targetInfos"]
            if target["type"] == "page" and target["url"] == "about:blank"
        ]
        context = self.send("Target.createBrowserContext")["browserContextId"]
        target = self.send(
            "Target.createTarget",
            {"url": "about:blank", "browserContextId": context},
        )["targetId"]
        session = self.send(
            "Target.attachToTarget", {"targetId": target, "flatten": True}
        )["sessionId"]
        for blank in started:  # the window Chromium opened: only ours measured
            self.send("Target.closeTarget", {"targetId": blank})
        page = Page(self, session)
        page.send("Page.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        for source in init_scripts:
            page.send("Page.addScriptToEvaluateOnNewDocument", {"source": source})
        return page

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.process.wait(30)
        except (OSError, RuntimeError, TimeoutError, subprocess.TimeoutExpired):
            self.process.kill()
        finally:
            os.close(self._commands)
            shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """One page of a :class:`Chromium`, through its DevTools session."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session

    def send(
        self, method: str, params: dict[str, t.Any] | None = None
    ) -> dict[str, t.Any]:
        return self.browser.send(method, params, self.session)

    def goto(self, url: str) -> None:
        """Open ``url`` and wait for its load event."""
        loaded = threading.Event()
        self.browser.on("Page.loadEventFired", lambda _: loaded.set(), self.session)
        self.send("Page.navigate", {"url": url})
        if not loaded.wait(ANSWER_TIMEOUT):
            raise TimeoutError(f"{url} did not load")

    def evaluate(self, function: str, *args: t.Any) -> t.Any:
        """The value of the JavaScript ``function`` called with ``args``
        (JSON), awaited when it returns a promise."""
        expression = f"({function})(...{json.dumps(list(args))})"
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            error = details.get("exception", {}).get("description") or details["text"]
            raise RuntimeError(f"the page threw: {error}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
