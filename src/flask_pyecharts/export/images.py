"""Exported pages as images: PNG or PDF, drawn by headless Chromium offline.

Playwright (the ``export`` extra) drives the Chromium of the machine; no
browser is downloaded.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import typing as t
from pathlib import Path

from .files import write_file
from .page import ExportError
from .paper import DEFAULT_PAGE_SIZE, MARGIN_MM, PageSize

__all__ = ["FORMATS", "find_chromium", "write_image"]

FORMATS = ("html", "png", "pdf")
#: The page width Chromium draws exports at (CSS pixels).
EXPORT_WIDTH = 1280
#: Seconds Chromium may take to draw an exported page.
RENDER_TIMEOUT = 30.0


def find_chromium(path: str | os.PathLike[str] | None = None) -> str:
    """The Chromium (or Chrome) to draw exports with: ``path``, else
    ``$FLASK_PYECHARTS_CHROMIUM``, else ``chromium`` on the PATH.

    :raises ExportError: when there is none.
    """
    wanted = path or os.environ.get("FLASK_PYECHARTS_CHROMIUM")
    if wanted:
        if not os.access(wanted, os.X_OK) or os.path.isdir(wanted):
            raise ExportError(f"No Chromium at {str(wanted)!r}: give the path of one.")
        return str(wanted)
    for name in (
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ):
        found = shutil.which(name)
        if found:
            return found
    raise ExportError(
        "PNG and PDF export need Chromium: install it (Debian: apt-get install"
        " chromium) or give its path with --chromium."
    )


def write_image(
    html: str,
    output: Path,
    format: str,
    *,
    chromium: str | os.PathLike[str] | None = None,
    width: int = EXPORT_WIDTH,
    scale: float | None = None,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
) -> list[str]:
    """Draw an exported page in headless Chromium, offline, and save it.

    The page is opened from a file with every network request refused, so it
    shows exactly what the HTML file shows. PNG: the whole page, ``width`` CSS
    pixels wide. PDF: pages of ``page_size`` (A4 landscape by default), the
    page laid out at their width so charts size to the paper, no card cut
    between two pages, backgrounds printed, charts drawn at twice the
    resolution by default.

    :param format: ``"png"`` or ``"pdf"``.
    :param chromium: the browser (see :func:`find_chromium`).
    :param scale: device pixels per CSS pixel (default 1 for PNG, 2 for PDF).
    :param page_size: the paper of a PDF (see :func:`.paper.parse_page_size`).
    :returns: the requests the page tried to make (refused); none for our pages.
    :raises ExportError: Playwright or Chromium missing, the page not drawn, or
        ``output`` not writable (a previous file is then left as it was).
    """
    if format not in ("png", "pdf"):
        raise ExportError(f"Cannot draw a {format!r} image: use 'png' or 'pdf'.")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ExportError(
            "PNG and PDF export need Playwright: pip install"
            " 'Flask-PyEcharts[export]' (it drives your own Chromium; no browser"
            " is downloaded)."
        ) from None
    executable = find_chromium(chromium)
    refused: list[str] = []
    with tempfile.TemporaryDirectory(prefix="flask-pyecharts-") as folder:
        page_file = Path(folder) / "export.html"
        page_file.write_text(html, encoding="utf-8")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=executable, headless=True, args=_chromium_args()
                )
                try:
                    data = _draw(
                        browser, page_file, format, width, scale, page_size, refused
                    )
                finally:
                    browser.close()
        except PlaywrightError as error:
            message = str(error).strip().splitlines()[0]
            raise ExportError(f"Chromium could not draw the page: {message}") from None
    write_file(output, data)
    return refused


def _chromium_args() -> list[str]:
    args = ["--disable-gpu", "--no-first-run", "--disable-background-networking"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses root otherwise
    return args


#: Every chart drawn (as its status says: ECharts' animations over, a number
#: card's roll over, a composite's parts shown) or failed.
_DRAWN = """() => [...document.querySelectorAll(".fpe-chart")].every((el) => {
    const state = el.getAttribute("data-fpe-state");
    if (state === "error") return true;
    const [status] = window.FlaskPyecharts ? FlaskPyecharts.status(el) : [];
    return state === "static" && !!status && status.drawn;
})"""


_FREEZE_SIZES = """() => document.querySelectorAll(".fpe-chart").forEach((el) => {
    el.style.height = el.clientHeight + "px";
    el.style.width = el.clientWidth + "px";
})"""
_CONTENT_HEIGHT = """() => Math.ceil(Math.max(...[...document.body.children].map(
    (el) => el.getBoundingClientRect().bottom + window.scrollY)))"""


def _draw(
    browser: t.Any,
    page_file: Path,
    format: str,
    width: int,
    scale: float | None,
    page_size: PageSize,
    refused: list[str],
) -> bytes:
    height = 900
    if format == "pdf":  # laid out at the paper's width: charts size to it
        width, height = page_size.content_pixels
        # Charts are 42vh high: a header and two rows of cards fit a page.
        height = int(height * 0.9)
    context = browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=scale or (2.0 if format == "pdf" else 1.0),
        offline=True,
    )
    page = context.new_page()

    def refuse(route: t.Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", refuse)
    page.goto(page_file.as_uri())
    page.wait_for_function(_DRAWN, timeout=RENDER_TIMEOUT * 1000)
    page.evaluate("document.fonts.ready.then(() => true)")
    if format == "png":  # the page down to its last card, no blank below
        height = page.evaluate(_CONTENT_HEIGHT)
        clip = {"x": 0, "y": 0, "width": width, "height": height}
        return t.cast(bytes, page.screenshot(type="png", full_page=True, clip=clip))
    # Printed, the page keeps the sizes it was drawn at (the same width).
    page.evaluate(_FREEZE_SIZES)
    page.emulate_media(media="print")
    paper_width, paper_height = page_size.millimetres
    margin = f"{MARGIN_MM:g}mm"
    return t.cast(
        bytes,
        page.pdf(
            width=f"{paper_width:g}mm",
            height=f"{paper_height:g}mm",
            print_background=True,
            margin={"top": margin, "right": margin, "bottom": margin, "left": margin},
        ),
    )
