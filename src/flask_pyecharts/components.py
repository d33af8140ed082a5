"""pyecharts components (``Table``, ``Image``) as plain data for the client.

pyecharts keeps a component as HTML it made itself (``html_content``); here
that HTML is read back into text (a table's cells, an image's attributes), so
the page builds the elements with ``textContent`` and checked attributes:
markup in the data is shown as text, never parsed.
"""

from __future__ import annotations

import re
import typing as t
from html.parser import HTMLParser

__all__ = ["css_size", "image_part", "safe_image_src", "table_part"]

_NUMBER = re.compile(r"\d{1,5}(\.\d{1,3})?")
_CSS_SIZE = re.compile(r"\d{1,5}(\.\d{1,3})?(px|%|em|rem|vh|vw)")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_DATA_IMAGE = re.compile(r"data:image/[a-zA-Z0-9.+-]+[;,]", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def css_size(value: t.Any) -> str | None:
    """A CSS length (``"900px"``, ``"100%"``; a number means pixels), or ``None``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = f"{value:g}px"
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        value = value.strip() + "px"  # an HTML width="80"
    if isinstance(value, str) and _CSS_SIZE.fullmatch(value.strip()):
        return value.strip()
    return None


def safe_image_src(src: t.Any) -> str | None:
    """``src`` if an ``<img>`` may show it, else ``None``.

    Allowed: paths on the page's own site (``/static/a.png``, ``img/a.png``),
    ``http:`` and ``https:`` URLs, and ``data:image/...`` URIs. Refused: every
    other scheme (``javascript:``, ``data:text/html``, ``file:``...),
    protocol-relative URLs (``//host/a.png``) and any control character or
    whitespace (browsers drop those inside schemes).
    """
    if not isinstance(src, str) or not src or len(src) > 2_000_000:
        return None
    if _CONTROL.search(src):
        return None
    scheme = _SCHEME.match(src)
    if scheme:
        name = scheme.group(1).lower()
        if name in ("http", "https"):
            return src if len(src) > len(name) + 3 else None
        if name == "data" and _DATA_IMAGE.match(src):
            return src
        return None
    if src.startswith(("//", "\\", "/\\")):
        return None
    return src


class _TableReader(HTMLParser):
    """The text of each ``th`` and ``td`` of PrettyTable's HTML, by row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []
            self._head = tag == "th"
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._head and not self.rows and not self.headers:
                self.headers = self._row
            else:
                self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


class _ImageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and not self.attributes:
            self.attributes = {key: value or "" for key, value in attrs}


def _titles(component: t.Any) -> dict[str, str]:
    """A component's ``ComponentTitleOpts`` (or dict) as title and subtitle text."""
    opts = getattr(component, "title_opts", None)
    found: dict[str, str] = {}
    for key in ("title", "subtitle"):
        value = opts.get(key) if isinstance(opts, dict) else getattr(opts, key, None)
        if isinstance(value, str) and value:
            found[key] = value.replace("<br/>", "\n")
    return found


def table_part(table: t.Any) -> dict[str, t.Any]:
    """A pyecharts ``Table`` as ``{type, title?, subtitle?, headers, rows}``."""
    reader = _TableReader()
    reader.feed(str(getattr(table, "html_content", "") or ""))
    reader.close()
    return {
        "type": "table",
        **_titles(table),
        "headers": reader.headers,
        "rows": reader.rows,
    }


def image_part(image: t.Any, name: str) -> dict[str, t.Any]:
    """A pyecharts ``Image`` as ``{type, src, title?, subtitle?, alt?, width?,
    height?}``.

    :raises ValueError: when its ``src`` is not one :func:`safe_image_src` allows.
    """
    reader = _ImageReader()
    reader.feed(f"<img {getattr(image, 'html_content', '') or ''}>")
    reader.close()
    attributes = reader.attributes
    src = safe_image_src(attributes.get("src"))
    if src is None:
        shown = repr(attributes.get("src", ""))[:80]
        raise ValueError(
            f"Chart {name!r}: Image src {shown} is not allowed; use a path on this"
            " site ('/static/logo.png'), an http(s) URL or a data:image/... URI."
        )
    titles = _titles(image)
    part: dict[str, t.Any] = {"type": "image", **titles, "src": src}
    alt = attributes.get("alt") or titles.get("title")
    if alt:
        part["alt"] = alt
    for key in ("width", "height"):
        size = css_size(attributes.get(key))
        if size:
            part[key] = size
    return part
