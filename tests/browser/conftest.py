"""Browser fixtures: Debian's Chromium driven by Playwright; screenshots saved."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> t.Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


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

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def chart_option(self, selector: str) -> dict[str, t.Any]:
        """The option the ECharts instance in ``selector`` currently holds."""
        return self.page.evaluate(
            "(sel) => FlaskPyecharts.instance(document.querySelector(sel)).getOption()",
            selector,
        )


@pytest.fixture
def watched(browser: Browser) -> t.Iterator[WatchedPage]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield WatchedPage(page)
    context.close()
