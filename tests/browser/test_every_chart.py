"""Every pyecharts chart class and component, offline, the three ways.

One chart of each class in ``pyecharts.charts`` (maps of china, three
provinces and the world; every 3D chart; Grid, Timeline, Page, Tab) and each
component (Table, Image), written as pyecharts' gallery writes them
(:mod:`.gallery`), is shown embedded (``charts.embed(obj)``), registered in
separated mode (``<div data-chart>``) and on a dashboard, in Chromium with
every request outside the test server aborted; the dashboard is exported too
(one file, everything inline). Each page holds all of them;
each chart must draw (pixels differ from its background), each table must
show its cells as text, and no page may log an error.

The online maps (AMap, BMap, GMap, LMap) need a third-party map API from the
internet and its key: they cannot work offline, and fail with a message that
says so.
"""

from __future__ import annotations

import typing as t

import pyecharts.charts
import pytest
from flask import Flask, render_template_string

from flask_pyecharts import Charts
from flask_pyecharts.export import export_dashboard

from .conftest import BrowserServer, WatchedPage
from .gallery import COVERED, GALLERY, ONLINE_MAPS, XSS
from .pages import HEAD
from .test_maps import GRID, offline, separated

#: The least share of a chart's box that must differ from its background.
MIN_DRAWN = 0.03
#: Every chart but those in hidden tab panels (drawn when shown).
VISIBLE = "[data-fpe-state]:not([hidden] *)"

MIXED = (
    "<!doctype html><html><head>"
    + HEAD
    + "<title>every chart, embedded</title>"
    + GRID
    + "{{ charts.scripts() }}</head><body><div class=grid>"
    '{% for name, chart in objects %}<div id="{{ name }}">'
    '{{ charts.embed(chart, height="300px") }}</div>{% endfor %}'
    "</div></body></html>"
)

#: A card's chart name: from its URL (dashboards) or its name (exports); a card
#: is titled by a label or the option's title, never by the name.
CARD_NAME = """function cardName(card) {
    const exported = card.querySelector("[data-fpe-name]");
    const chart = card.querySelector("[data-chart]");
    return chart ? decodeURIComponent(chart.dataset.chart.split("/").pop())
        : exported.dataset.fpeName;
}"""

#: Every drawn chart on the page (composite parts one by one), by unit:
#: [unit, state, share drawn]; the unit is the grid cell's id or the card's chart.
LEAVES = (
    "() => { "
    + CARD_NAME
    + """; return [...document.querySelectorAll("[data-fpe-state]")]
    .filter((el) => !el.classList.contains("fpe-composite-host"))
    .filter((el) => el.offsetParent !== null)
    .map((el) => {
        const cell = el.closest(".grid > div");
        const card = el.closest(".fpe-card");
        const unit = cell ? cell.id : cardName(card);
        const box = el.getBoundingClientRect();
        return {unit: unit, state: el.dataset.fpeState,
                box: [box.left + scrollX, box.top + scrollY, box.width, box.height]};
    }); }"""
)

#: What the composites show: tables' cells, images, tabs.
COMPONENTS = """() => ({
    cells: [...document.querySelectorAll(".fpe-table td")].map((c) => c.textContent),
    headers: [...document.querySelectorAll(".fpe-table th")].map((c) => c.textContent),
    captions: [...document.querySelectorAll(".fpe-table caption")]
        .map((c) => c.textContent),
    markup: document.querySelectorAll(".fpe-table img, .fpe-table script").length,
    images: [...document.querySelectorAll("img.fpe-image")]
        .map((img) => [img.naturalWidth, img.getAttribute("src").slice(0, 22)]),
    tabs: [...document.querySelectorAll("[role=tab]")].map((tab) =>
        [tab.textContent, tab.getAttribute("aria-selected")]),
    xss: window.__xss || null,
})"""


def make_app() -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app)
    for name, builder in GALLERY.items():
        charts.chart(name, refresh=60.0)(builder)
    for name, builder in ONLINE_MAPS.items():
        charts.chart(name)(builder)
    charts.dashboard("/dashboard", list(GALLERY), title="Every chart", columns=3)

    @app.route("/mixed")
    def mixed() -> str:
        objects = [(name, builder()) for name, builder in GALLERY.items()]
        return render_template_string(MIXED, objects=objects)

    @app.route("/separated")
    def separated_page() -> str:
        return separated(GALLERY)

    @app.route("/export")
    def export_page() -> str:
        return export_dashboard(app, "/dashboard").html

    @app.route("/online")
    def online_page() -> str:
        return separated(ONLINE_MAPS)

    return app


def test_the_gallery_covers_every_chart_class() -> None:
    classes = {
        name
        for name in dir(pyecharts.charts)
        if isinstance(getattr(pyecharts.charts, name), type)
    }
    assert classes - COVERED == set()


def drawn_shares(watched: WatchedPage, shot: str) -> dict[str, list[float]]:
    """Each unit's charts and their drawn shares, from a full-page screenshot
    (3D charts and animations grow in)."""

    def locate() -> list[tuple[str, list[float]]]:
        return [(x["unit"], x["box"]) for x in watched.page.evaluate(LEAVES)]

    shares: dict[str, list[float]] = {}
    for unit, share in watched.wait_drawn(shot, locate, MIN_DRAWN, timeout=30_000):
        shares.setdefault(unit, []).append(share)
    return shares


def check_page(watched: WatchedPage, server: BrowserServer, path: str, shot: str):
    offline(watched, server)
    watched.page.goto(server.url + path)
    drawn = ("static", "live", "polling")
    watched.wait_state(VISIBLE, *drawn, "error", timeout=20000)
    leaves = watched.page.evaluate(LEAVES)
    failing = {x["unit"]: x["state"] for x in leaves if x["state"] not in drawn}
    assert failing == {}
    shares = drawn_shares(watched, shot)
    # every unit shows (Table and Image are checked below, not as pixels)
    assert set(shares) | {"Table", "Image"} >= set(GALLERY)
    blank = {unit: found for unit, found in shares.items() if min(found) <= MIN_DRAWN}
    assert {u: v for u, v in blank.items() if u not in ("Table", "Image")} == {}
    assert len(shares["Page"]) == 2  # a bar and a liquid (its table: below)
    shown = watched.page.evaluate(COMPONENTS)
    # Tables: every cell as text, markup from the data never parsed
    assert shown["cells"].count(XSS) == 2  # the Table, and the Page's table
    assert shown["markup"] == 0 and shown["xss"] is None
    assert shown["headers"][:3] == ["City name", "Area", "Population"]
    assert "Table-基本示例副标题" in shown["captions"]
    assert shown["images"] == [[8, "data:image/png;base64,"]]
    assert shown["tabs"] == [["bar-example", "true"], ["pie-example", "false"]]
    check_tab(watched)
    timeline = watched.page.evaluate(
        "() => { "
        + CARD_NAME
        + """; const el = [...document.querySelectorAll("[data-fpe-state]")]
            .find((e) => (e.closest(".grid > div") || {}).id === "Timeline" ||
                (e.closest(".fpe-card") &&
                 cardName(e.closest(".fpe-card")) === "Timeline"));
            const option = FlaskPyecharts.instance(el).getOption();
            return [option.timeline[0].data.length, option.series[0].data.length]; }"""
    )
    assert timeline == [3, 7]
    watched.assert_clean(server.url)


def check_tab(watched: WatchedPage) -> None:
    """The second tab shows its chart; the arrow keys move between tabs."""
    page = watched.page
    second = page.locator("[role=tab]", has_text="pie-example")
    second.click()
    page.wait_for_function(
        """() => { const tab = [...document.querySelectorAll("[role=tab]")][1];
            const panel = document.getElementById(tab.getAttribute("aria-controls"));
            const chart = panel.querySelector("[data-fpe-state]");
            const inst = chart && FlaskPyecharts.instance(chart);
            return tab.getAttribute("aria-selected") === "true" && !panel.hidden
                && inst && inst.getOption().series[0].type === "pie"; }"""
    )
    page.keyboard.press("ArrowLeft")
    selected = page.evaluate(
        """() => [document.activeElement.textContent,
            [...document.querySelectorAll("[role=tabpanel]")].map((p) => p.hidden)]"""
    )
    assert selected == ["bar-example", [False, True]]


@pytest.mark.parametrize(
    "path",
    ["/mixed", "/separated", "/dashboard", "/export"],
    ids=["embed", "separated", "dashboard", "export"],
)
def test_every_chart_draws_offline(
    path: str, watched: WatchedPage, serve: t.Callable[..., BrowserServer]
) -> None:
    server = serve(make_app())
    check_page(watched, server, path, f"every-chart-{path.strip('/')}")
    if path == "/export":  # one self-contained file: nothing else is asked for
        assert watched.requests == [server.url + path]


def test_online_maps_say_they_cannot_work_offline(
    watched: WatchedPage, serve: t.Callable[..., BrowserServer]
) -> None:
    server = serve(make_app())
    offline(watched, server)
    watched.page.goto(server.url + "/online")
    watched.wait_state("[data-fpe-state]", "error", timeout=10000)
    messages = watched.page.evaluate(
        """() => [...document.querySelectorAll("[data-fpe-state]")].map((el) =>
            el.querySelector(".fpe-state").textContent)"""
    )
    assert len(messages) == len(ONLINE_MAPS)
    for name, message in zip(ONLINE_MAPS, messages, strict=True):
        assert name in message and "cannot work offline" in message
    watched.screenshot("every-chart-online-maps")
    # the 503 answers are logged by the browser; nothing else is
    watched.assert_clean(server.url, allowed_errors=["503"])
