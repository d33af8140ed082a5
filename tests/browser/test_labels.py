"""Long category labels: truncated with an ellipsis, full text on hover, kept
inside the canvas; ``fit_labels=False`` leaves them alone. A timeline's
legend stays clear of the timeline."""

from __future__ import annotations

import datetime
import typing as t

import pytest
from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import Bar, Line, Timeline

from flask_pyecharts import Charts

from .conftest import WAIT_MS, BrowserServer, WatchedPage, chart
from .pages import add_pages

DOMAINS = [
    "very-long-subdomain.analytics.example-company-international.com",
    "cdn.example.org",
    "another-extremely-long-hostname.eu-west-1.internal.example-company.net",
    "api.example.com",
    "tracking-pixel-collector.marketing.example-company-international.com",
]


def domains_bar() -> Bar:
    return (
        Bar()
        .add_xaxis(DOMAINS)
        .add_yaxis("requests", [120, 340, 90, 560, 210])
        .reversal_axis()
        .set_series_opts(label_opts=opts.LabelOpts(position="right"))
        .set_global_opts(title_opts=opts.TitleOpts(title="Top hosts"))
    )


@pytest.fixture
def server(serve: t.Callable[..., BrowserServer]) -> BrowserServer:
    app = Flask(__name__)
    charts = Charts(app)
    charts.chart("hosts")(domains_bar)
    charts.chart("hosts_raw", fit_labels=False)(domains_bar)
    add_pages(app, ["hosts", "hosts_raw"])
    return serve(app)


def category_labels(watched: WatchedPage, selector: str) -> list[dict[str, t.Any]]:
    return [text for text in watched.texts(selector) if text["full"] in DOMAINS]


@pytest.mark.parametrize("mode", ["mixed", "separated"])
def test_long_labels_are_truncated_and_shown_in_full_on_hover(
    mode, server: BrowserServer, watched: WatchedPage
):
    page = watched.page
    page.goto(f"{server.url}/{mode}")
    watched.wait_state("[data-chart]", "live", "static")
    selector = chart("hosts")
    width = page.eval_on_selector(selector, "(el) => el.clientWidth")

    label = watched.chart_option(selector)["yAxis"][0]["axisLabel"]
    assert label["overflow"] == "truncate"
    assert label["ellipsis"] == "…"
    assert label["width"] == max(64, round(width * 0.28))

    drawn = category_labels(watched, selector)
    assert sorted(text["full"] for text in drawn) == sorted(DOMAINS)
    for text in drawn:
        long = len(text["full"]) > 30
        assert text["shown"].endswith("…") == long, text
        if long:  # a prefix of the full text, cut to the width
            assert text["full"].startswith(text["shown"][:-1])
            assert text["width"] <= label["width"] + 1
        # Inside the canvas: the grid left room for the labels.
        assert 0 <= text["x"] and text["x"] + text["width"] <= width, text
    assert watched.state(selector) in ("live", "static")

    # Hovering a truncated label shows its full text in a tooltip.
    target = next(text for text in drawn if text["full"] == DOMAINS[2])
    box = page.locator(selector).bounding_box()
    assert box is not None
    x = box["x"] + target["x"] + target["width"] / 2
    y = box["y"] + target["y"] + target["height"] / 2
    page.mouse.move(x - 5, y - 5)
    page.mouse.move(x, y, steps=3)
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel).textContent.includes(text)",
        arg=[selector, DOMAINS[2]],
        timeout=WAIT_MS,
    )
    assert DOMAINS[2] in watched.tooltip_text(selector)
    watched.screenshot(f"long-labels-{mode}")

    # On a narrow screen the widths are recomputed and the plot keeps its room.
    page.mouse.move(0, 0)
    page.set_viewport_size({"width": 480, "height": 900})
    narrow = page.eval_on_selector(selector, "(el) => el.clientWidth")
    assert narrow < 480
    watched.wait_chart(
        selector,
        "(o, w) => o.yAxis[0].axisLabel.width === Math.max(64, Math.round(w * 0.28))",
        narrow,
    )
    page.wait_for_function(
        "(sel) => FlaskPyecharts.instance(document.querySelector(sel)).getWidth()"
        " === document.querySelector(sel).clientWidth",
        arg=selector,
    )
    for text in category_labels(watched, selector):
        assert 0 <= text["x"] and text["x"] + text["width"] <= narrow, text
    grid = page.evaluate(
        """(sel) => FlaskPyecharts.instance(document.querySelector(sel))
            .getModel().getComponent("grid").coordinateSystem.getRect()""",
        selector,
    )
    assert grid["width"] >= 0.5 * narrow
    watched.screenshot(f"long-labels-{mode}-narrow")
    watched.assert_clean(server.url)


def test_fit_labels_false_leaves_labels_alone(
    server: BrowserServer, watched: WatchedPage
):
    watched.page.goto(f"{server.url}/separated")
    watched.wait_state("[data-chart]", "live", "static")
    selector = chart("hosts_raw")
    axis = watched.chart_option(selector)["yAxis"][0]
    assert axis["axisLabel"].get("width") is None
    assert axis["axisLabel"].get("overflow") in (None, "none")
    assert not axis.get("triggerEvent")
    drawn = category_labels(watched, selector)
    assert len(drawn) == len(DOMAINS)
    assert all(text["shown"] == text["full"] for text in drawn)
    watched.screenshot("long-labels-unfitted")
    watched.assert_clean(watched.page.url.rsplit("/", 1)[0])


def test_full_label_tooltip_stays_on_screen_on_a_narrow_page(
    server: BrowserServer, watched: WatchedPage
):
    """On a phone-sized page the full text must still be readable on hover."""
    page = watched.page
    page.set_viewport_size({"width": 480, "height": 900})
    page.goto(f"{server.url}/separated")
    watched.wait_state("[data-chart]", "live", "static")
    selector = chart("hosts")
    box = page.locator(selector).bounding_box()
    assert box is not None
    long_labels = [text for text in category_labels(watched, selector)]
    long_labels = [text for text in long_labels if text["shown"].endswith("…")]
    assert len(long_labels) == 3
    for target in long_labels:
        x = box["x"] + target["x"] + target["width"] / 2
        y = box["y"] + target["y"] + target["height"] / 2
        page.mouse.move(x - 5, y - 5)
        page.mouse.move(x, y, steps=3)
        tip = page.wait_for_function(
            """([sel, text]) => {
                const tip = [...document.querySelector(sel).querySelectorAll("div")]
                    .find((d) => d.style.zIndex === "9999999"
                        && d.textContent === text && d.style.opacity !== "0");
                if (!tip) return null;
                const r = tip.getBoundingClientRect();
                return {left: r.left, right: r.right};
            }""",
            arg=[selector, target["full"]],
            timeout=WAIT_MS,
        ).json_value()
        watched.screenshot("long-labels-narrow-tooltip")
        assert 0 <= tip["left"] and tip["right"] <= 480, (target["full"], tip)
    watched.assert_clean(server.url)


def sales_by_year() -> Timeline:
    timeline = Timeline()
    for year in (2015, 2016, 2017):
        timeline.add(
            Bar()
            .add_xaxis(["衬衫", "毛衣", "领带", "裤子", "风衣", "高跟鞋", "袜子"])
            .add_yaxis("商家A", [year % 7 + n * 11 for n in range(7)])
            .add_yaxis("商家B", [year % 5 + n * 7 for n in range(7)])
            .set_global_opts(title_opts=opts.TitleOpts(title=f"某商店{year}年营业额")),
            f"{year}年",
        )
    return timeline


def show_alone(
    serve: t.Callable[..., BrowserServer],
    watched: WatchedPage,
    name: str,
    builder: t.Callable[[], t.Any],
    width: int,
) -> BrowserServer:
    """Chart ``name`` alone on a separated page ``width`` px wide, drawn."""
    app = Flask(__name__)
    charts = Charts(app)
    charts.chart(name)(builder)
    add_pages(app, [name])
    server = serve(app)
    watched.page.set_viewport_size({"width": width, "height": 900})
    watched.page.goto(f"{server.url}/separated")
    watched.wait_state("[data-chart]", "live", "static")
    watched.settle(chart(name))
    return server


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def overlapping(texts: list[dict[str, t.Any]]) -> list[tuple[str, str]]:
    """The pairs of ``texts`` whose boxes overlap."""
    return [
        (a["full"], b["full"])
        for a in texts
        for b in texts
        if a is not b and overlap(a, b)
    ]


@pytest.mark.parametrize("width", [1000, 390])
def test_a_timeline_legend_sits_above_the_timeline_and_below_the_axis(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage, width: int
):
    """ECharts 6 puts legends at the bottom, where pyecharts puts the timeline."""
    server = show_alone(serve, watched, "by_year", sales_by_year, width)
    texts = watched.texts(chart("by_year"))
    legend = [text for text in texts if text["full"] in ("商家A", "商家B")]
    years = [text for text in texts if text["full"].endswith("年")]
    assert len(legend) == 2 and years
    others = [text for text in texts if text not in legend]
    assert [
        (a["full"], b["full"]) for a in legend for b in others if overlap(a, b)
    ] == []
    assert max(text["y"] + text["height"] for text in legend) <= min(
        text["y"] for text in years
    )
    watched.screenshot(f"timeline-legend-{width}")
    watched.assert_clean(server.url)


PRODUCTS = [
    "旗舰 5G 智能手机 12GB+512GB 全网通",
    "14 英寸轻薄笔记本电脑 32GB 1TB",
    "真无线主动降噪蓝牙耳机（第二代）",
    "一级能效变频冷暖空调 1.5 匹",
    "十公斤滚筒洗衣机 智能投放",
]


def products_by_year() -> Timeline:
    timeline = Timeline()
    for year in (2023, 2024):
        timeline.add(
            Bar()
            .add_xaxis(PRODUCTS)
            .add_yaxis("销售额", [year % 9 + n * 13 for n in range(len(PRODUCTS))]),
            f"{year}年",
        )
    return timeline


def test_long_category_labels_of_a_timeline_are_fitted_on_a_phone(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    server = show_alone(serve, watched, "products", products_by_year, 390)
    width = watched.page.eval_on_selector(chart("products"), "(el) => el.clientWidth")
    labels = [
        text for text in watched.texts(chart("products")) if text["full"] in PRODUCTS
    ]
    assert labels and all(text["shown"].endswith("…") for text in labels)
    assert all(0 <= text["x"] and text["x"] + text["width"] <= width for text in labels)
    assert overlapping(labels) == []
    watched.screenshot("timeline-long-labels-390")
    watched.assert_clean(server.url)


DATES = [
    (datetime.date(2026, 8, 27) + datetime.timedelta(days=n)).isoformat()
    for n in range(90)
]


def daily_sales() -> Line:
    return (
        Line()
        .add_xaxis(DATES)
        .add_yaxis("销售额", [500 + (n * 37) % 200 for n in range(len(DATES))])
        .set_global_opts(legend_opts=opts.LegendOpts(is_show=False))
    )


@pytest.mark.parametrize("width", [1000, 390])
def test_dates_keep_their_whole_text_while_a_few_fit_side_by_side(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage, width: int
):
    """A date cut to "2026-10…" says nothing: fewer labels, each whole."""
    server = show_alone(serve, watched, "daily", daily_sales, width)
    labels = [text for text in watched.texts(chart("daily")) if text["full"] in DATES]
    assert len(labels) >= 3
    assert [text["shown"] for text in labels] == [text["full"] for text in labels]
    assert overlapping(labels) == []
    watched.screenshot(f"daily-dates-{width}")
    watched.assert_clean(server.url)
