"""Small cards (under 520 px wide, on a phone at 390 px and at 500 px): pie
labels keep their words whole, a Top 8 bar shows all 8 names, a Bar3D's axis
labels stay inside the canvas, and a Page's parts fill their card."""

from __future__ import annotations

import random
import typing as t

import pytest
from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import Bar, Bar3D, Page, Pie

from flask_pyecharts import Charts

from .conftest import BrowserServer, WatchedPage, chart

#: One name too long to fit beside a phone's pie, whatever its size.
CHANNELS = ["天猫旗舰店", "京东自营", "抖音直播", "拼多多", "微信小程序官方旗舰商城"]
CHANNELS.append("线下门店")
PRODUCTS = [
    "儿童益智积木 1000 颗粒",
    "不粘炒锅 32cm",
    "无线降噪蓝牙耳机",
    "智能手环 运动版",
    "保温杯 500ml",
    "机械键盘 青轴",
    "羽绒服 轻薄款",
    "电动牙刷",
]


def channels() -> Pie:
    return Pie().add(
        "",
        list(zip(CHANNELS, [30, 24, 17, 13, 9, 7], strict=True)),
        radius=["36%", "62%"],
        label_opts=opts.LabelOpts(formatter="{b}\n{d}%"),
    )


def top8() -> Bar:
    return (
        Bar()
        .add_xaxis(PRODUCTS[::-1])
        .add_yaxis("销售额", [11, 15, 19, 22, 26, 31, 38, 45])
        .reversal_axis()
        .set_series_opts(label_opts=opts.LabelOpts(position="right"))
        .set_global_opts(legend_opts=opts.LegendOpts(is_show=False))
    )


def cube() -> Bar3D:
    rng = random.Random(4)
    hours = [f"{hour}时" for hour in range(24)]
    days = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    data = [[h, d, rng.randint(0, 12)] for d in range(7) for h in range(24)]
    return Bar3D().add(
        "",
        data,
        xaxis3d_opts=opts.Axis3DOpts(hours, type_="category"),
        yaxis3d_opts=opts.Axis3DOpts(days, type_="category"),
        zaxis3d_opts=opts.Axis3DOpts(type_="value"),
    )


def parts() -> Page:
    small = Bar().add_xaxis(["甲", "乙", "丙"]).add_yaxis("数量", [3, 5, 2])
    return Page(layout=Page.SimplePageLayout).add(small, channels())


@pytest.fixture
def server(serve: t.Callable[..., BrowserServer]) -> BrowserServer:
    app = Flask(__name__)
    charts = Charts(app)
    for builder in (channels, top8, cube, parts):
        charts.chart(builder.__name__)(builder)
    names = ["channels", "top8", "cube", "parts"]
    charts.dashboard("/", names, title="Small", columns=1)
    return serve(app)


def open_at(
    new_page: t.Callable[..., WatchedPage], server: BrowserServer, width: int
) -> WatchedPage:
    watched = new_page()
    # A phone's height: charts are 42vh high, 270 px.
    watched.page.set_viewport_size({"width": width, "height": 640})
    watched.page.goto(server.url + "/")
    watched.wait_state("[data-chart]", "live", "polling", "static")
    watched.settle()
    return watched


def inside(box: dict[str, t.Any], canvas: dict[str, float]) -> bool:
    return (
        box["x"] >= canvas["x"] - 1
        and box["y"] >= canvas["y"] - 1
        and box["x"] + box["width"] <= canvas["x"] + canvas["width"] + 1
        and box["y"] + box["height"] <= canvas["y"] + canvas["height"] + 1
    )


def overlap(a: dict[str, t.Any], b: dict[str, t.Any]) -> bool:
    return (
        a["x"] < b["x"] + b["width"] - 1
        and b["x"] < a["x"] + a["width"] - 1
        and a["y"] < b["y"] + b["height"] - 1
        and b["y"] < a["y"] + a["height"] - 1
    )


def box_of(watched: WatchedPage, selector: str) -> dict[str, float]:
    return watched.page.eval_on_selector(
        selector,
        """(el) => { const r = el.getBoundingClientRect(); return {
            x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; }""",
    )


def viewport_texts(watched: WatchedPage, selector: str) -> list[dict[str, t.Any]]:
    """The chart's texts, in page coordinates (``texts`` gives them in the
    canvas)."""
    canvas = box_of(watched, selector)
    return [
        {**text, "x": text["x"] + canvas["x"], "y": text["y"] + canvas["y"]}
        for text in watched.texts(selector)
    ]


def pie_labels(watched: WatchedPage, selector: str) -> list[dict[str, t.Any]]:
    """The pie's labels, checked: each line a whole name (or cut with "…"),
    never a piece of one; inside the canvas; clear of the legend."""
    canvas = box_of(watched, selector)
    texts = viewport_texts(watched, selector)
    labels = [text for text in texts if text["full"].endswith("%")]
    assert len(labels) >= 2 * len(CHANNELS)  # name and share of each
    for text in labels:
        line = text["shown"]
        assert line in CHANNELS or line.endswith("%") or line.endswith("…"), (
            f"{line!r} is a piece of a name: {text['full']!r}"
        )
        assert inside(text, canvas), text
    legend = [text for text in texts if text["full"] in CHANNELS]
    assert len(legend) == len(CHANNELS)
    crossed = [
        (label["shown"], item["shown"])
        for label in labels
        for item in legend
        if overlap(label, item)
    ]
    assert crossed == [], f"pie labels over the legend in {selector}"
    return labels


@pytest.mark.parametrize("width", [390, 500])
def test_small_cards_keep_words_whole_and_every_label_inside(
    width: int, new_page: t.Callable[..., WatchedPage], server: BrowserServer
) -> None:
    watched = open_at(new_page, server, width)
    assert watched.page.eval_on_selector(chart("top8"), "(el) => el.clientWidth") < 520

    # Pie labels, in a card and in a Page's part.
    labels = pie_labels(watched, chart("channels"))
    pie_labels(watched, chart("parts") + " .fpe-part--chart:nth-child(2)")
    if any(text["shown"].endswith("…") for text in labels):  # whole on hover
        watched.hover_item(chart("channels"), 0, 4)
        watched.page.wait_for_function(
            "(name) => document.body.textContent.includes(name)", arg=CHANNELS[4]
        )
        assert CHANNELS[4] in watched.tooltip_text(chart("channels"))

    # Top 8: all 8 names shown (cut with "…" if need be), inside the canvas.
    canvas = box_of(watched, chart("top8"))
    names = [
        text
        for text in viewport_texts(watched, chart("top8"))
        if text["full"] in PRODUCTS
    ]
    assert sorted(text["full"] for text in names) == sorted(PRODUCTS)
    assert all(inside(text, canvas) for text in names)

    # Bar3D: its box and axis labels end above the canvas' bottom edge.
    cube = box_of(watched, chart("cube"))
    bottom = [cube["x"], cube["y"] + cube["height"] - 14, cube["width"], 14]
    right = [cube["x"] + cube["width"] - 14, cube["y"], 14, cube["height"]]
    shares = watched.drawn_shares(f"small-cards-{width}", [bottom, right])
    assert shares == [0, 0], shares

    # Page: its parts (pyecharts' 900 x 500 px) keep their shape in the card,
    # not 500 px high boxes half empty around a narrow chart.
    parts = watched.page.eval_on_selector_all(
        chart("parts") + " .fpe-part--chart",
        "(els) => els.map((el) => [el.clientWidth, el.clientHeight])",
    )
    card = watched.page.eval_on_selector(chart("parts"), "(el) => el.clientWidth")
    assert len(parts) == 2
    for part_width, part_height in parts:
        assert part_width == card
        assert part_height == max(240, round(part_width * 500 / 900)), parts
    watched.assert_clean(server.url)
