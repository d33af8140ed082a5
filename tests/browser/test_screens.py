"""Screens (数据大屏) in Chromium: the page fills any display per its fit,
never scrolls, keeps every panel inside the viewport and apart, renders its
canvases at device pixels, and has a ticking clock, full screen on a key
and a cursor that hides when idle."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from pyecharts.charts import Bar, Line, Pie

from flask_pyecharts import Charts

from .conftest import BrowserServer, WatchedPage
from .test_layouts_browser import as_number

SCREEN = """
    k1      k2      k3      k4
    center  center  left    right
    center  center  live    live
"""
NAMES = ["k1", "k2", "k3", "k4", "center", "left", "right", "live"]
DISPLAYS = [(1920, 1080), (1366, 768), (3840, 2160), (1080, 1920)]
#: 2026-12-06 07:05:09 UTC: the clock's start in the tests.
START_MS = 1_796_540_709_000


def bar() -> Bar:
    return (
        Bar()
        .add_xaxis(["华东", "华北", "华南", "西南", "东北"])
        .add_yaxis("订单", [320, 210, 280, 120, 90])
    )


def line() -> Line:
    return (
        Line()
        .add_xaxis([f"{hour:02d}:00" for hour in range(24)])
        .add_yaxis("订单数", [30 + (hour * 7) % 40 for hour in range(24)])
    )


def pie() -> Pie:
    return Pie().add("", [("线上", 62), ("门店", 38)], radius=["40%", "65%"])


@pytest.fixture(scope="module")
def app() -> Flask:
    app = Flask(__name__)
    charts = Charts(app)
    for name in ("k1", "k2", "k3", "k4"):
        charts.chart(name, label=f"指标 {name}")(bar)
        as_number(charts, name)
    charts.chart("center", label="全国分布")(pie)
    charts.chart("left", label="各地区订单")(bar)
    charts.chart("right", label="渠道")(pie)
    charts.chart("live", label="实时订单")(line)
    charts.screen("/screen", layout=SCREEN, title="零售实时数据大屏")
    charts.screen("/stretch", layout=SCREEN, title="拉伸", fit="stretch")
    charts.screen("/portrait", layout=SCREEN, title="竖屏", size=(1080, 1920))
    return app


@pytest.fixture
def server(app: Flask, serve: t.Callable[..., BrowserServer]) -> BrowserServer:
    return serve(app)


def open_screen(
    new_page: t.Callable[[], WatchedPage],
    server: BrowserServer,
    size: tuple[int, int],
    path: str = "/screen",
    clock: bool = False,
) -> WatchedPage:
    watched = new_page()
    watched.page.set_viewport_size({"width": size[0], "height": size[1]})
    if clock:
        watched.page.clock.install(time=START_MS / 1000)
    watched.page.goto(server.url + path)
    watched.wait_state("[data-chart]", "live", "polling", "static")
    watched.page.wait_for_function("document.body.dataset.fpeScale")
    watched.settle()
    return watched


def geometry(watched: WatchedPage) -> dict[str, t.Any]:
    return watched.page.evaluate(
        """() => {
            const root = document.documentElement;
            const box = (el) => { const r = el.getBoundingClientRect();
                return {x: r.left, y: r.top, w: r.width, h: r.height}; };
            return {
                view: {w: root.clientWidth, h: root.clientHeight},
                scroll: {w: root.scrollWidth, h: root.scrollHeight,
                         bw: document.body.scrollWidth, bh: document.body.scrollHeight},
                stage: box(document.querySelector("[data-fpe-stage]")),
                panels: [...document.querySelectorAll(".fpe-panel")].map(box),
            };
        }"""
    )


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["w"] - 0.5
        and b["x"] < a["x"] + a["w"] - 0.5
        and a["y"] < b["y"] + b["h"] - 0.5
        and b["y"] < a["y"] + a["h"] - 0.5
    )


def assert_fills(shape: dict[str, t.Any], fit: str) -> None:
    view, stage = shape["view"], shape["stage"]
    scroll = shape["scroll"]
    assert scroll["w"] <= view["w"] and scroll["h"] <= view["h"]  # no scrollbar
    assert scroll["bw"] <= view["w"] and scroll["bh"] <= view["h"]
    if fit == "stretch":
        assert abs(stage["w"] - view["w"]) < 1 and abs(stage["h"] - view["h"]) < 1
    else:  # contain: one side fills the display, the page centred on the other
        assert abs(stage["w"] - view["w"]) < 1 or abs(stage["h"] - view["h"]) < 1
        assert abs(stage["x"] - (view["w"] - stage["w"] - stage["x"])) < 1
        assert abs(stage["y"] - (view["h"] - stage["h"] - stage["y"])) < 1
    panels = shape["panels"]
    assert len(panels) == len(NAMES)
    for panel in panels:
        assert panel["x"] >= -0.5 and panel["y"] >= -0.5
        assert panel["x"] + panel["w"] <= view["w"] + 0.5
        assert panel["y"] + panel["h"] <= view["h"] + 0.5
    for i, a in enumerate(panels):
        for b in panels[i + 1 :]:
            assert not overlap(a, b)


@pytest.mark.parametrize("size", DISPLAYS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_screen_fills_any_display(
    size: tuple[int, int],
    new_page: t.Callable[[], WatchedPage],
    server: BrowserServer,
) -> None:
    watched = open_screen(new_page, server, size)
    shape = geometry(watched)
    assert_fills(shape, "contain")
    # The row of number cards is short, the others share the rest.
    panels = shape["panels"]
    assert panels[0]["h"] < 0.6 * panels[5]["h"]
    # No controls on a screen.
    controls = watched.page.locator("button, select, input, form")
    assert controls.count() == 0
    if size in ((1920, 1080), (1080, 1920)):
        watched.screenshot(f"screen-{size[0]}x{size[1]}")
    watched.assert_clean(server.url)


def test_stretch_and_a_portrait_design(
    new_page: t.Callable[[], WatchedPage], server: BrowserServer
) -> None:
    stretched = open_screen(new_page, server, (1366, 1024), "/stretch")
    assert_fills(geometry(stretched), "stretch")
    portrait = open_screen(new_page, server, (1080, 1920), "/portrait")
    shape = geometry(portrait)
    assert_fills(shape, "contain")
    assert abs(shape["stage"]["w"] - 1080) < 1  # designed for it: scale 1
    portrait.screenshot("screen-portrait-design")


def test_canvases_render_at_device_pixels_on_a_4k_display(
    new_page: t.Callable[[], WatchedPage], server: BrowserServer
) -> None:
    watched = open_screen(new_page, server, (3840, 2160))
    sharp = watched.page.evaluate(
        """() => [...document.querySelectorAll("[data-chart] canvas")].map((c) => {
            const r = c.getBoundingClientRect();
            return [c.width, r.width * devicePixelRatio, c.height,
                    r.height * devicePixelRatio];
        })"""
    )
    assert len(sharp) == len(NAMES)
    for width, shown_width, height, shown_height in sharp:
        assert shown_width > 500 or shown_height > 200
        assert abs(width - shown_width) <= 2 and abs(height - shown_height) <= 2


def test_the_clock_ticks_in_the_page_language(
    new_page: t.Callable[[], WatchedPage], server: BrowserServer
) -> None:
    watched = open_screen(new_page, server, (1920, 1080), clock=True)
    page = watched.page
    assert page.evaluate("document.documentElement.lang")
    now = """() => new Intl.DateTimeFormat(document.documentElement.lang, {
        year: "numeric", month: "2-digit", day: "2-digit", weekday: "short",
        hour: "2-digit", minute: "2-digit", second: "2-digit",
        hourCycle: "h23"}).format(new Date())"""
    page.clock.pause_at((START_MS + 60_000) / 1000)  # a whole second
    clock = page.locator("[data-fpe-clock]")
    first = clock.text_content()
    assert first and first == page.evaluate(now)
    page.clock.run_for(1000)
    second = clock.text_content()
    assert second != first and second == page.evaluate(now)
    page.clock.run_for(60_000)
    assert clock.text_content() == page.evaluate(now)


def test_the_cursor_hides_when_idle_and_full_screen_on_a_key(
    new_page: t.Callable[[], WatchedPage], server: BrowserServer
) -> None:
    watched = open_screen(new_page, server, (1366, 768), clock=True)
    page = watched.page
    idle = "document.body.classList.contains('fpe-idle')"
    page.mouse.move(400, 300)
    page.clock.run_for(1000)
    assert page.evaluate(idle) is False
    page.clock.run_for(2500)
    assert page.evaluate(idle) is True
    page.mouse.move(420, 320)
    assert page.evaluate(idle) is False
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement !== null")
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement === null")
    page.mouse.dblclick(500, 400)
    page.wait_for_function("document.fullscreenElement !== null")
    watched.assert_clean(server.url)
