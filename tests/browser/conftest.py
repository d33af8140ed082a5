"""Browser fixtures: Debian's Chromium driven by Playwright; screenshots saved."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
import typing as t
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from werkzeug.serving import WSGIRequestHandler, make_server

#: The share of each box ([x, y, w, h], page coordinates) whose pixels differ
#: from the box's top-left pixel, in a full-page screenshot (base64 PNG).
DRAWN_SHARES = """async ([png, boxes]) => {
    const img = new Image();
    img.src = "data:image/png;base64," + png;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    return boxes.map(([x, y, w, h]) => {
        const d = ctx.getImageData(Math.round(x) + 2, Math.round(y) + 2,
                                   Math.round(w) - 4, Math.round(h) - 4).data;
        let drawn = 0;
        for (let i = 0; i < d.length; i += 4) {
            const diff = Math.abs(d[i] - d[0]) + Math.abs(d[i + 1] - d[1])
                + Math.abs(d[i + 2] - d[2]);
            if (diff > 15) drawn++;  // ECharts 6 fills areas in a pale blue
        }
        return drawn / (d.length / 4);
    });
}"""

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # WebGL (echarts-gl) on SwiftShader, without the deprecation warning of the
    # automatic fallback; "--use-gl=swiftshader" would turn WebGL off.
    "--enable-unsafe-swiftshader",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: How long a condition in the page may take before a test fails (ms):
#: generous, so that only a condition that never comes fails a test, however
#: loaded the machine (a condition that comes ends the wait at once).
WAIT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> t.Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


#: JS: whether every chart of a document has drawn (a state, not loading, and
#: a canvas); false for no document or one without charts.
DOCUMENT_DRAWN = """(doc) => {
    const els = doc ? [...doc.querySelectorAll("[data-chart]")] : [];
    return els.length > 0 && els.every((el) => {
        const state = el.getAttribute("data-fpe-state");
        return state && state !== "loading" && !!el.querySelector("canvas");
    });
}"""


def chart(name: str) -> str:
    """The CSS selector of the container of chart ``name`` (any mode)."""
    return f'[data-chart$="/charts/{name}"]'


class WatchedPage:
    """A page that records console errors, page errors and foreign requests."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("dialog", self._dialog)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _dialog(self, dialog: t.Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def screenshot(self, name: str, settle: bool = True) -> Path:
        """Save a full-page screenshot once the charts' animations are over
        (``settle``)."""
        if settle:
            self.settle()
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def drawn_shares(
        self, shot: str, boxes: list[list[float]], settle: bool = True
    ) -> list[float]:
        """Save the screenshot ``shot``: the share of each box drawn on it."""
        png = base64.b64encode(self.screenshot(shot, settle).read_bytes()).decode()
        return self.page.evaluate(DRAWN_SHARES, [png, boxes])

    def wait_drawn(
        self,
        shot: str,
        locate: t.Callable[[], list[tuple[str, list[float]]]],
        least: float,
        timeout: float = WAIT_MS,
    ) -> list[tuple[str, float]]:
        """The share drawn of each box ``locate()`` names, on the screenshot
        ``shot``, taken again until every share is over ``least`` or
        ``timeout`` ms have passed (3D charts grow in). The animations are
        waited for once: charts that animate for ever never rest."""
        self.settle()
        deadline = time.monotonic() + timeout / 1000
        while True:
            found = locate()
            shares = self.drawn_shares(shot, [box for _, box in found], False)
            if all(share > least for share in shares) or time.monotonic() > deadline:
                keys = [key for key, _ in found]
                return list(zip(keys, shares, strict=True))
            self.page.wait_for_timeout(100)

    def chart_option(self, selector: str) -> dict[str, t.Any]:
        """The option the ECharts instance in ``selector`` currently holds."""
        return self.page.evaluate(
            "(sel) => FlaskPyecharts.instance(document.querySelector(sel)).getOption()",
            selector,
        )

    # -- helpers of the browser suite ---------------------------------------

    def wait_events(
        self, condition: t.Callable[[], object], timeout: float = WAIT_MS
    ) -> None:
        """Wait until ``condition()`` holds, while Playwright hands the page's
        events (responses, console messages) to their Python listeners."""
        deadline = time.monotonic() + timeout / 1000
        while not condition():
            assert time.monotonic() < deadline, "the page's events did not come"
            self.page.wait_for_timeout(10)

    def state(self, selector: str) -> str | None:
        return self.page.get_attribute(selector, "data-fpe-state")

    def wait_state(
        self, selector: str, *states: str, timeout: float = WAIT_MS
    ) -> str | None:
        """Wait until every element matching ``selector`` is in one of ``states``."""
        self.page.wait_for_function(
            """([sel, states]) => {
                const els = document.querySelectorAll(sel);
                return els.length > 0 &&
                    [...els].every((el) => states.includes(el.dataset.fpeState));
            }""",
            arg=[selector, list(states)],
            timeout=timeout,
        )
        return self.state(selector)

    def run_until_live(self, *selectors: str, steps: int = 80) -> None:
        """With the page's clock installed: run it, a quarter second at a
        time, until the first selector's chart is live and the others have a
        state (at most ``steps`` quarters)."""
        for _ in range(steps):
            first, *others = map(self.state, selectors)
            if first == "live" and all(others):
                return
            self.page.clock.run_for(250)
        raise AssertionError(f"{selectors[0]} is not live on the page's clock")

    def wait_chart(
        self, selector: str, predicate: str, arg: t.Any = None, timeout: float = WAIT_MS
    ) -> t.Any:
        """Wait until ``predicate(option, arg, instance)`` (JS source) is truthy.

        ``option`` is ``instance.getOption()`` of the chart in ``selector``.
        Returns the predicate's value.
        """
        handle = self.page.wait_for_function(
            """([sel, source, arg]) => {
                const el = document.querySelector(sel);
                const inst = el && window.FlaskPyecharts &&
                    FlaskPyecharts.instance(el);
                if (!inst) return false;
                const fn = new Function("return (" + source + ")")();
                return fn(inst.getOption(), arg, inst);
            }""",
            arg=[selector, predicate, arg],
            timeout=timeout,
        )
        return handle.json_value()

    def next_frames(self, count: int = 2) -> None:
        """Let ``count`` animation frames pass (updates already received apply)."""
        self.page.evaluate(
            """(count) => new Promise((resolve) => {
                const step = (n) => n ? requestAnimationFrame(() => step(n - 1))
                                      : resolve();
                step(count);
            })""",
            count,
        )

    def series_data(self, selector: str, index: int = 0) -> list[t.Any]:
        return self.chart_option(selector)["series"][index].get("data", [])

    def texts(self, selector: str) -> list[dict[str, t.Any]]:
        """The texts zrender draws on the canvas, with their page-space boxes.

        Each: ``{shown, full, x, y, width, height}``; ``shown`` is the drawn
        (possibly truncated) line, ``full`` the text of its label.
        """
        return self.page.evaluate(
            """(sel) => {
                const inst = FlaskPyecharts.instance(document.querySelector(sel));
                return inst.getZr().storage.getDisplayList()
                  .filter((e) => e.type === "tspan" && e.style && e.style.text != null)
                  .map((e) => {
                    const box = e.getBoundingRect().clone();
                    const m = e.getComputedTransform();
                    if (m) box.applyTransform(m);
                    const parent = e.parent;
                    return {
                      shown: String(e.style.text),
                      full: parent && parent.style && parent.style.text != null
                        ? String(parent.style.text) : String(e.style.text),
                      x: box.x, y: box.y, width: box.width, height: box.height,
                    };
                  });
            }""",
            selector,
        )

    def tooltip_text(self, selector: str) -> str:
        """The text of the visible HTML tooltip inside the chart ``selector``."""
        return self.page.evaluate(
            """(sel) => {
                const el = document.querySelector(sel);
                const tips = [...el.querySelectorAll("div")].filter((d) =>
                    d.style.position === "absolute" && d.style.zIndex === "9999999"
                    && d.style.display !== "none" && d.style.opacity !== "0");
                return tips.map((d) => d.textContent).join("\\n");
            }""",
            selector,
        )

    def settle(self, selector: str = "[data-chart], .fpe-chart") -> None:
        """Wait (briefly) for the animations of the charts in ``selector`` to end."""
        try:
            self.page.wait_for_function(
                """(sel) => [...document.querySelectorAll(sel)].every((el) => {
                    const i = window.FlaskPyecharts && FlaskPyecharts.instance(el);
                    return !i || i.getZr().animation.isFinished(); })""",
                arg=selector,
                timeout=1500,
            )
        except PlaywrightTimeout:
            pass  # charts fed continuously never rest: take them as they are

    def item_point(self, selector: str, series: int, index: int) -> tuple[float, float]:
        """Where item ``index`` of ``series`` (bar, point, sector) is on the page."""
        self.settle(selector)
        xy = self.page.evaluate(
            """([sel, series, index]) => {
                const el = document.querySelector(sel);
                const inst = FlaskPyecharts.instance(el);
                const data = inst.getModel().getSeriesByIndex(series).getData();
                const l = data.getItemLayout(index);
                let x, y;
                const points = data.getLayout("points");
                if (!l && points) [x, y] = [points[2 * index], points[2 * index + 1]];
                else if (Array.isArray(l)) [x, y] = l;
                else if (l.width !== undefined) {
                    x = l.x + l.width / 2; y = l.y + l.height / 2;
                } else {
                    const a = (l.startAngle + l.endAngle) / 2;
                    const r = (l.r + (l.r0 || 0)) / 2;
                    x = l.cx + r * Math.cos(a); y = l.cy + r * Math.sin(a);
                }
                const box = el.getBoundingClientRect();
                return [box.left + x, box.top + y];
            }""",
            [selector, series, index],
        )
        return xy[0], xy[1]

    def hover_item(self, selector: str, series: int, index: int) -> None:
        """Move the mouse onto item ``index`` of ``series`` (bar, point, sector)."""
        x, y = self.item_point(selector, series, index)
        self.page.mouse.move(x - 3, y - 3)
        self.page.mouse.move(x, y, steps=3)

    def click_item(self, selector: str, series: int, index: int) -> None:
        """Click item ``index`` of ``series``, as a person would."""
        x, y = self.item_point(selector, series, index)
        self.page.mouse.move(x - 3, y - 3)
        self.page.mouse.click(x, y)

    def assert_clean(self, origin: str, allowed_errors: t.Sequence[str] = ()) -> None:
        """No console error (but ``allowed_errors`` substrings), no dialog, and
        no request outside ``origin``."""
        errors = [
            error
            for error in self.errors
            if not any(allowed in error for allowed in allowed_errors)
        ]
        assert errors == []
        assert self.dialogs == []
        foreign = [url for url in self.requests if not url.startswith(origin + "/")]
        assert foreign == []

    def record_updates(self, selector: str) -> None:
        """Keep a snapshot of series 0's data after every ``fpe:update``."""
        self.page.evaluate(
            """(sel) => {
                const el = document.querySelector(sel);
                window.__snapshots = [];
                el.addEventListener("fpe:update", () => {
                    const inst = FlaskPyecharts.instance(el);
                    const s = inst.getOption().series[0];
                    window.__snapshots.push(JSON.stringify(s.data || []));
                });
            }""",
            selector,
        )

    def snapshots(self) -> list[list[t.Any]]:
        return [json.loads(item) for item in self.page.evaluate("window.__snapshots")]


@pytest.fixture
def new_page(browser: Browser) -> t.Iterator[t.Callable[[], WatchedPage]]:
    """A factory of watched pages, each in its own browser context."""
    contexts = []

    def make() -> WatchedPage:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        return WatchedPage(context.new_page())

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def watched(new_page: t.Callable[[], WatchedPage]) -> WatchedPage:
    return new_page()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: t.Any, **kwargs: t.Any) -> None:
        pass


class BrowserServer:
    """A threaded WSGI server for ``app`` on ``port`` (0: a free one).

    :meth:`stop` behaves like a process that dies: it stops listening, cuts
    every open connection (event streams included) and stops the app's
    background threads, so a new server may take the same port at once.
    """

    def __init__(self, app: Flask, port: int = 0) -> None:
        self.app = app
        self.server = make_server(
            "127.0.0.1", port, app, threaded=True, request_handler=_QuietHandler
        )
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = False
        process, done = self.server.process_request, self.server.shutdown_request

        def process_request(request: socket.socket, address: t.Any) -> None:
            with self._lock:
                self._open.add(request)
            process(request, address)

        def shutdown_request(request: socket.socket) -> None:
            with self._lock:
                self._open.discard(request)
            done(request)

        self.server.process_request = process_request  # type: ignore[method-assign]
        self.server.shutdown_request = shutdown_request  # type: ignore[method-assign]
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self.thread.start()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.server.shutdown()
        self.server.server_close()
        with self._lock:
            open_sockets = list(self._open)
        for sock in open_sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        charts = self.app.jinja_env.globals.get("charts")
        if charts is not None:
            charts.shutdown()


@pytest.fixture
def serve() -> t.Iterator[t.Callable[..., BrowserServer]]:
    """``serve(app, port=0)`` starts a :class:`BrowserServer`; all stop at the end."""
    servers: list[BrowserServer] = []

    def start(app: Flask, port: int = 0) -> BrowserServer:
        server = BrowserServer(app, port)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
