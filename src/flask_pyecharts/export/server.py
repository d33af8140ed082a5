"""Export what a running server shows, through its JSON API."""

from __future__ import annotations

import re
import typing as t
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from .._json import loads
from .page import Export, ExportError, page, static_card

__all__ = ["export_url"]

#: Seconds to wait for each answer of a running server (:func:`export_url`).
HTTP_TIMEOUT = 10.0


def export_url(url: str, *, title: str | None = None) -> Export:
    """Render the charts a running server shows at ``url`` as one
    self-contained HTML page, from its JSON API.

    :param url: a page of the server with live charts (a dashboard, a page
        with ``charts.embed`` or ``data-chart`` elements), or its chart list
        (``http://host:5000/charts/api/charts``) for every chart.
    :param title: the page title; default the page's.
    :raises ExportError: the server cannot be reached, or shows no charts there.
    """
    body, content_type = _fetch(url)
    shown_page = _ChartsInPage()
    if content_type == "application/json":
        listing = _json_body(body, url).get("charts")
        if not isinstance(listing, list):
            raise ExportError(
                f"{url} is JSON but not the chart list of Flask-PyEcharts."
            )
        base = url.split("?")[0].rstrip("/")
        urls = [
            f"{base}/{item['name']}"
            for item in listing
            if isinstance(item, dict) and isinstance(item.get("name"), str)
        ]
    else:
        shown_page.feed(body.decode("utf-8", "replace"))
        urls = list(dict.fromkeys(urljoin(url, chart) for chart in shown_page.charts))
    if not urls:
        raise ExportError(
            f"No live charts at {url}: give the address of a dashboard (or any page"
            " with charts) of the running server, or its chart list, such as"
            " http://127.0.0.1:5000/charts/api/charts."
        )
    titles = _titles(urls[0])
    cards, problems, scripts = [], [], []
    for chart_url in urls:
        name = urlsplit(chart_url).path.rsplit("/", 1)[-1]
        card = {
            "name": name,
            "display": "chart",  # a grid of equal cards: no layout from a URL
            "ident": "",
            "title": titles.get(name, name),
            "title_from_option": False,
            "initial": None,
        }
        try:
            document = _json_body(_fetch(chart_url)[0], chart_url)
            shown = document.get("option", document.get("composite"))
            if not isinstance(shown, dict):
                raise ExportError(f"{chart_url} is not a chart document.")
        except ExportError as error:
            card["error"] = str(error)  # the reason, under the page's notice
            problems.append(f"chart {name!r}: {error}")
        else:
            card["initial"] = static_card(document)
            card["error"] = ""
            for script in document.get("scripts") or []:
                script = urljoin(chart_url, script)
                if script not in scripts:
                    scripts.append(script)
        cards.append(card)
    texts = [_fetch(script)[0].decode("utf-8") for script in scripts]
    title = title or shown_page.title or "Charts"
    return page(title, shown_page.columns, cards, texts, problems)


def _fetch(url: str) -> tuple[bytes, str]:
    """``GET url``: the body and its media type.

    :raises ExportError: naming the URL and what went wrong (the server's JSON
        error when it sent one).
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise ExportError(f"Give an http:// or https:// address, not {url!r}.")
    request = urllib.request.Request(url, headers={"Accept": "application/json, */*"})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            return response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        try:
            message = loads(error.read())["error"]
        except (ValueError, KeyError, TypeError):
            message = error.reason
        raise ExportError(f"{url} answered {error.code}: {message}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ExportError(
            f"Cannot reach {url} ({reason}): is the app running there?"
        ) from None


def _json_body(body: bytes, url: str) -> dict[str, t.Any]:
    try:
        value = loads(body)
    except ValueError:
        raise ExportError(f"{url} did not answer JSON.") from None
    if not isinstance(value, dict):
        raise ExportError(f"{url} did not answer a JSON object.")
    return value


def _titles(chart_url: str) -> dict[str, str]:
    """Chart name -> title, from the chart list next to ``chart_url`` (empty
    if it fails: the names stand in)."""
    parts = urlsplit(chart_url)
    listing = parts._replace(path=parts.path.rsplit("/", 1)[0], query="").geturl()
    try:
        charts = _json_body(_fetch(listing)[0], listing).get("charts")
    except ExportError:
        return {}
    return {
        item["name"]: str(item.get("title") or item["name"])
        for item in charts or []
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    }


class _ChartsInPage(HTMLParser):
    """What a page shows: its title, its grid's columns, its live charts."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.columns = 2
        #: The ``data-chart`` URLs, in order.
        self.charts: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("data-chart"):
            self.charts.append(t.cast(str, found["data-chart"]))
        grid = re.search(r"\bfpe-grid--cols-(\d)\b", found.get("class") or "")
        if grid:
            self.columns = int(grid.group(1))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data.strip()
