"""Export what a running server shows, through its JSON API."""

from __future__ import annotations

import re
import typing as t
import urllib.error
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from .._json import loads
from ..registry import DISPLAYS
from ..reports.areas import document_title
from .page import Export, ExportError, page, static_card

__all__ = ["export_url"]

#: Seconds to wait for each answer of a running server (:func:`export_url`).
HTTP_TIMEOUT = 10.0
#: The path of a report's layout stylesheet (reports/areas.py).
LAYOUT_STYLESHEET = re.compile(r"/reports/\d+/layout\.css$")


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
    listed = _listing(urls[0])
    in_page = {urljoin(url, chart): card for chart, card in shown_page.cards.items()}
    layout = ""
    if shown_page.layout:  # the report's areas, as on its page
        layout = _fetch(urljoin(url, shown_page.layout))[0].decode("utf-8")
    cards, problems, scripts = [], [], []
    for chart_url in urls:
        name = urlsplit(chart_url).path.rsplit("/", 1)[-1]
        item = listed.get(name, {})
        display = item.get("display") if item.get("display") in DISPLAYS else "chart"
        # As on the live pages: the label, else the option's title, never the
        # name; a number card draws its own label. A page says which; the
        # chart list gives labels (where a label is the name, there is none).
        shown_card = in_page.get(chart_url)
        if shown_card is not None:
            heading, from_option = shown_card.heading, shown_card.from_option
        else:
            label = item.get("title")
            heading = label if isinstance(label, str) and label != name else None
            from_option = heading is None
        card = {
            "name": name,
            "display": display,
            "ident": shown_card.area if shown_card and layout else "",
            "title": None if display == "number" or from_option else heading,
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
            if from_option and display == "chart":
                card["title"] = document_title(document)
                card["title_from_option"] = card["title"] is not None
            for script in document.get("scripts") or []:
                script = urljoin(chart_url, script)
                if script not in scripts:
                    scripts.append(script)
        cards.append(card)
    texts = [_fetch(script)[0].decode("utf-8") for script in scripts]
    title = title or shown_page.title or "Charts"
    return page(title, shown_page.columns, cards, texts, problems, layout=layout)


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


def _listing(chart_url: str) -> dict[str, dict[str, t.Any]]:
    """Chart name -> its entry in the chart list next to ``chart_url`` (empty
    if that fails: the charts are then shown untitled, as charts)."""
    parts = urlsplit(chart_url)
    listing = parts._replace(path=parts.path.rsplit("/", 1)[0], query="").geturl()
    try:
        charts = _json_body(_fetch(listing)[0], listing).get("charts")
    except ExportError:
        return {}
    if not isinstance(charts, list):
        return {}
    return {
        item["name"]: item
        for item in charts
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    }


@dataclass
class _ShownCard:
    """A chart's card as a page shows it."""

    #: Its area of the report's layout (``a0``...), if it has one.
    area: str = ""
    #: Its heading, if it has one.
    heading: str | None = None
    #: Whether the heading is the option's own title.
    from_option: bool = False


class _ChartsInPage(HTMLParser):
    """What a page shows: its title, its grid's columns or its layout's
    stylesheet, its live charts and (on a report) their cards."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.columns = 2
        #: The address of the report's layout stylesheet, if it has one.
        self.layout = ""
        #: The ``data-chart`` URLs, in order.
        self.charts: list[str] = []
        #: ``data-chart`` URL -> its card.
        self.cards: dict[str, _ShownCard] = {}
        self._card: _ShownCard | None = None  # the card being read
        self._in: str | None = None  # "title" or "h2", while in one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = found.get("class") or ""
        if tag == "section" and re.search(r"\bfpe-(card|panel)\b", classes):
            area = re.search(r"\bfpe-area-(a\d+)\b", classes)
            self._card = _ShownCard(area.group(1) if area else "")
        chart = found.get("data-chart")
        if chart:
            self.charts.append(chart)
            if self._card is not None:  # a report's card
                self._card.from_option = found.get("data-fpe-title") == "option"
                self.cards.setdefault(chart, self._card)
                self._card = None
        grid = re.search(r"\bfpe-grid--cols-(\d)\b", classes)
        if grid:
            self.columns = int(grid.group(1))
        href = found.get("href") or ""
        if tag == "link" and LAYOUT_STYLESHEET.search(href):
            self.layout = href
        self._in = tag if tag in ("title", "h2") else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data.strip()
        elif self._in == "h2" and self._card is not None:
            self._card.heading = ((self._card.heading or "") + data).strip()
