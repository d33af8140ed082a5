"""The site, languages and playlists in Chromium: zh and en chrome, navigation
that keeps shared variables, a playlist that cycles with no blank frame."""

from __future__ import annotations

import re
import typing as t

import pytest
from flask import Flask
from playwright.sync_api import Browser
from pyecharts.charts import Bar

from flask_pyecharts import Charts

from .conftest import DOCUMENT_DRAWN, BrowserServer, WatchedPage, chart

#: Latin words that may stay on a zh page: names, not English.
NAMES = {"ECharts", "JavaScript"}


def make_site() -> tuple[Flask, Charts]:
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app)
    charts.variable("region", choices=["全国", "华东", "华北"], label="地区")
    charts.variable("top", type=int, default=5, min=1, max=50, label="前 N 名")
    charts.variable("days", type=int, choices=[7, 30], default=7, label="天数")

    @charts.chart("by_region", title="各地区销售额", on_click={"region": "name"})
    def by_region(top: int) -> Bar:
        return Bar().add_xaxis(["华东", "华北"]).add_yaxis("销售额", [top, 2 * top])

    @charts.chart("trend", refresh=60, title="销售趋势")
    def trend(region: str, days: int) -> Bar:
        return Bar().add_xaxis([region]).add_yaxis(f"{region}{days}天", [days])

    charts.dashboard(
        "/overview",
        ["by_region", "trend"],
        title="销售总览",
        description="各地区的销售额",
        endpoint="overview",
    )
    charts.dashboard(
        "/trend", ["trend"], title="趋势", description="近 N 天", endpoint="trend"
    )
    charts.site("/", title="零售分析")
    charts.playlist("/tv", ["/overview", "/trend"], every=5, title="大厅")
    return app, charts


@pytest.fixture
def site(serve: t.Callable[..., BrowserServer]) -> BrowserServer:
    app, _ = make_site()
    return serve(app)


def open_page(browser: Browser, locale: str, width: int = 1280) -> WatchedPage:
    context = browser.new_context(
        locale=locale, viewport={"width": width, "height": 900}
    )
    return WatchedPage(context.new_page())


def latin_words(watched: WatchedPage) -> list[str]:
    """Latin words in the page's visible text, badges' titles and controls'
    labels (chart data is on the canvas, not in the text)."""
    text = watched.page.evaluate(
        """() => [document.body.innerText,
            ...[...document.querySelectorAll("[title], [aria-label]")].map(
                (el) => (el.title || "") + " " + (el.getAttribute("aria-label") || "")),
            ...[...document.querySelectorAll("option")].map((o) => o.textContent),
          ].join("\\n")"""
    )
    return [word for word in re.findall(r"[A-Za-z]{2,}", text) if word not in NAMES]


def test_the_zh_dashboard_has_no_english(browser: Browser, site: BrowserServer):
    watched = open_page(browser, "zh-CN")
    page = watched.page
    try:
        page.goto(site.url + "/overview")
        assert page.get_attribute("html", "lang") == "zh-CN"
        watched.wait_state(".fpe-card .fpe-chart", "live", "static")
        page.locator("[data-fpe-connection]").filter(has_text="实时").wait_for()
        assert latin_words(watched) == []
        page.fill('[data-fpe-variable="top"]', "99")
        page.locator('[data-fpe-variable="top"]').dispatch_event("change")
        notice = page.locator("[data-fpe-filter-notice]")
        notice.filter(has_text="前 N 名不能大于 50").wait_for()
        watched.click_item(chart("by_region"), 0, 0)  # 华东: a breadcrumb
        page.locator(".fpe-breadcrumb .fpe-clear").wait_for()
        assert (
            page.get_attribute(".fpe-breadcrumb .fpe-clear", "aria-label") == "清除地区"
        )
        page.click("[data-fpe-toggle]")
        assert page.inner_text("[data-fpe-toggle]") == "继续"
        page.locator("[data-fpe-connection]").filter(has_text="已暂停").wait_for()
        page.click("[data-fpe-theme-toggle]")
        assert page.inner_text("[data-fpe-theme-toggle]") == "浅色主题"
        assert latin_words(watched) == []
        watched.screenshot("site-dashboard-zh")
        watched.assert_clean(site.url)
    finally:
        page.context.close()


def test_the_en_dashboard_speaks_english(browser: Browser, site: BrowserServer):
    watched = open_page(browser, "en-US")
    page = watched.page
    try:
        page.goto(site.url + "/overview?top=99")
        assert page.get_attribute("html", "lang") == "en"
        watched.wait_state(chart("trend"), "live")
        page.locator("[data-fpe-connection]").filter(has_text="Live").wait_for()
        assert page.inner_text("[data-fpe-toggle]") == "Pause"
        assert page.inner_text("[data-fpe-theme-toggle]") in (
            "Dark theme",
            "Light theme",
        )
        assert "Updated" in page.inner_text(".fpe-meta")
        notice = page.inner_text("[data-fpe-filter-notice]")
        assert notice == "前 N 名 must be at most 50"
        chrome = page.inner_text("body")
        zh = [
            "更新于",
            "实时",
            "暂停",
            "轮询间隔",
            "自动",
            "深色主题",
            "浅色主题",
            "连接中",
        ]
        assert [word for word in zh if word in chrome] == []
        watched.screenshot("site-dashboard-en")
    finally:
        page.context.close()


def test_the_home_page_lists_the_reports(browser: Browser, site: BrowserServer):
    watched = open_page(browser, "zh-CN")
    page = watched.page
    try:
        page.goto(site.url + "/")
        cards = page.locator(".fpe-site-card a")
        assert cards.count() == 3
        assert "销售总览" in cards.nth(0).inner_text()
        assert "各地区的销售额" in cards.nth(0).inner_text()
        assert latin_words(watched) == []
        watched.screenshot("site-home-zh")
        cards.nth(1).click()
        page.wait_for_url(site.url + "/trend")
        nav = page.locator("[data-fpe-nav]")
        assert nav.locator('[aria-current="page"]').inner_text() == "趋势"
        watched.assert_clean(site.url)
    finally:
        page.context.close()


def test_navigation_keeps_the_shared_variables(browser: Browser, site: BrowserServer):
    watched = open_page(browser, "zh-CN")
    page = watched.page
    try:
        page.goto(site.url + "/overview?days=30")
        watched.wait_state(chart("trend"), "live")
        page.select_option('[data-fpe-variable="region"]', "华北")
        watched.wait_chart(chart("trend"), "(o) => o.xAxis[0].data[0] === '华北'")
        link = page.locator('[data-fpe-nav] a[href^="/trend"]')
        # /trend uses region and days, not top
        assert link.get_attribute("href") == (
            "/trend?days=30&region=%E5%8D%8E%E5%8C%97"
        )
        link.click()
        page.wait_for_url(re.compile(r"/trend\?"))
        assert page.input_value('[data-fpe-variable="region"]') == "华北"
        assert page.input_value('[data-fpe-variable="days"]') == "30"
        watched.wait_chart(chart("trend"), "(o) => o.series[0].name === '华北30天'")
        back = page.locator('[data-fpe-nav] a[href^="/overview"]')
        assert (
            back.get_attribute("href") == "/overview?region=%E5%8D%8E%E5%8C%97&days=30"
        )
        watched.assert_clean(site.url)
    finally:
        page.context.close()


#: In the playlist page: after every change of the stage, which frames are
#: shown and whether the shown one has drawn (every chart has a state and a
#: drawing) — a blank frame would be a step with none shown or one not drawn.
RECORD = (
    """() => {
    const stage = document.querySelector("[data-fpe-playlist]");
    const documentDrawn = """
    + DOCUMENT_DRAWN
    + """;
    const drawn = (frame) => documentDrawn(frame.contentDocument);
    window.__steps = [];
    const record = () => {
        const shown = [...stage.querySelectorAll(".fpe-playlist-frame--shown")];
        window.__steps.push({
            shown: shown.map((f) => f.getAttribute("src")),
            drawn: shown.map(drawn),
            frames: stage.querySelectorAll("iframe").length,
        });
    };
    new MutationObserver(record).observe(stage, {
        childList: true, subtree: true, attributes: true, attributeFilter: ["class"],
    });
}"""
)


def test_a_playlist_cycles_with_no_blank_frame(browser: Browser, site: BrowserServer):
    watched = open_page(browser, "zh-CN", width=1280)
    page = watched.page
    try:
        page.clock.install()
        page.goto(site.url + "/tv")
        page.evaluate(RECORD)
        shown = page.locator(".fpe-playlist-frame--shown")
        shown.wait_for()
        assert shown.get_attribute("src") == "/overview?kiosk=1"
        watched.screenshot("site-playlist-1")
        for expected in ["/trend?kiosk=1", "/overview?kiosk=1", "/trend?kiosk=1"]:
            page.clock.fast_forward(5_000)
            page.wait_for_function(
                "(src) => document.querySelector('.fpe-playlist-frame--shown')"
                ".getAttribute('src') === src && "
                "document.querySelectorAll('iframe').length === 1",
                arg=expected,
            )
        watched.screenshot("site-playlist-2")
        steps = page.evaluate("window.__steps")
        assert (
            len([s for s in steps if s["frames"] == 2]) >= 3
        )  # the next loaded hidden
        first = next(i for i, s in enumerate(steps) if s["shown"])
        for item in steps[first:]:
            assert len(item["shown"]) >= 1, steps
            assert all(item["drawn"]), steps
        frame = page.frame_locator(".fpe-playlist-frame--shown")
        assert frame.locator(".fpe-header").is_hidden()  # kiosk: no chrome
        assert frame.locator("[data-fpe-nav]").is_hidden()
        watched.assert_clean(site.url)
    finally:
        page.context.close()


def test_a_playlist_survives_a_server_restart(
    browser: Browser, serve: t.Callable[..., BrowserServer]
):
    app, _ = make_site()
    server = serve(app)
    watched = open_page(browser, "zh-CN")
    page = watched.page
    try:
        page.clock.install()
        page.goto(server.url + "/tv")
        page.locator(".fpe-playlist-frame--shown").wait_for()
        server.stop()
        page.clock.fast_forward(5_000)  # the next load fails: the current stays
        page.wait_for_function("document.querySelectorAll('iframe').length === 1")
        assert page.locator(".fpe-playlist-frame--shown").get_attribute("src") == (
            "/overview?kiosk=1"
        )
        again, _ = make_site()
        serve(again, port=server.port)
        page.clock.fast_forward(10_000)  # retried
        page.wait_for_function(
            "document.querySelector('.fpe-playlist-frame--shown')"
            ".getAttribute('src') === '/trend?kiosk=1'"
        )
    finally:
        page.context.close()
