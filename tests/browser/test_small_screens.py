"""Phones and dark pages: at 390 px value-axis labels never overlap and pie
labels wrap instead of collapsing to "…"; on a dark page the text colours
pyecharts sets dark (gauge value and caption, titles, legends) are made light.
"""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import Bar, Gauge, Pie

from flask_pyecharts import Charts, JsCode

from .conftest import BrowserServer, WatchedPage, chart

WAN = JsCode(
    "function (value) { return value >= 10000 ? value / 10000 + '万' : value; }"
)
CHANNELS = ["天猫旗舰店", "京东自营", "抖音直播", "拼多多", "微信小程序", "线下门店"]
PHONE = {"width": 390, "height": 844}


def sales() -> Bar:
    """The demo's category sales: a value x axis in 万, up to 7,000,000."""
    return (
        Bar()
        .add_xaxis(["手机数码", "电脑办公", "家用电器", "服饰内衣", "美妆个护"])
        .add_yaxis("销售额", [6_400_000, 2_900_000, 2_500_000, 1_100_000, 1_000_000])
        .reversal_axis()
        .set_series_opts(label_opts=opts.LabelOpts(is_show=False))
        .set_global_opts(
            xaxis_opts=opts.AxisOpts(
                type_="value", axislabel_opts=opts.LabelOpts(formatter=WAN)
            )
        )
    )


def channels() -> Pie:
    return Pie().add(
        "",
        list(zip(CHANNELS, [30, 24, 17, 13, 9, 7], strict=True)),
        radius=["36%", "62%"],
        label_opts=opts.LabelOpts(formatter="{b}\n{d}%"),
    )


def gauge() -> Gauge:
    return (
        Gauge()
        .add(
            "完成率",
            [("目标完成率", 38.6)],
            detail_label_opts=opts.GaugeDetailOpts(formatter="{value}%"),
        )
        .set_global_opts(title_opts=opts.TitleOpts(title="今日销售额"))
    )


@pytest.fixture
def server(serve: t.Callable[..., BrowserServer]) -> BrowserServer:
    app = Flask(__name__)
    charts = Charts(app)
    for builder in (sales, channels, gauge):
        charts.chart(builder.__name__)(builder)
    charts.dashboard("/", ["sales", "channels", "gauge"], title="Phone", columns=2)
    return serve(app)


def open_dashboard(
    new_page: t.Callable[..., WatchedPage], server: BrowserServer, theme: str
) -> WatchedPage:
    watched = new_page()
    watched.page.set_viewport_size(PHONE)
    watched.page.add_init_script(
        f"localStorage.setItem('flask-pyecharts-theme', '{theme}')"
    )
    watched.page.goto(server.url + "/")
    watched.wait_state("[data-chart]", "live", "polling", "static")
    watched.settle()
    return watched


def overlaps(boxes: list[dict[str, t.Any]]) -> list[tuple[str, str]]:
    """The pairs of boxes that overlap horizontally (by more than a pixel)."""
    ordered = sorted(boxes, key=lambda box: box["x"])
    return [
        (a["shown"], b["shown"])
        for a, b in zip(ordered, ordered[1:], strict=False)
        if a["x"] + a["width"] > b["x"] + 1
    ]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_value_labels_and_pie_labels_fit_on_a_phone(
    theme: str, new_page: t.Callable[..., WatchedPage], server: BrowserServer
) -> None:
    watched = open_dashboard(new_page, server, theme)
    width = watched.page.eval_on_selector(chart("sales"), "(el) => el.clientWidth")
    assert width < 390
    money = [
        text
        for text in watched.texts(chart("sales"))
        if text["shown"] == "0" or text["shown"].endswith("万")
    ]
    assert len(money) >= 3
    assert overlaps(money) == []
    labels = [text for text in watched.texts(chart("channels"))]
    shown = "".join(text["shown"] for text in labels)
    assert "…" not in shown and "..." not in shown
    for name in CHANNELS:  # every label in full (wrapped lines joined)
        assert name in shown.replace("\n", "")
    watched.screenshot(f"small-screen-{theme}")
    watched.assert_clean(server.url)


def test_dark_pages_make_pyecharts_dark_text_light(
    new_page: t.Callable[..., WatchedPage], server: BrowserServer
) -> None:
    dark = open_dashboard(new_page, server, "dark")
    option = dark.chart_option(chart("gauge"))
    series = option["series"][0]
    assert series["detail"]["color"] == "#e6e8eb"  # pyecharts: #464646
    assert series["title"]["color"] == "#e6e8eb"  # pyecharts: #333
    assert option["backgroundColor"] == "transparent"
    light = open_dashboard(new_page, server, "light")
    series = light.chart_option(chart("gauge"))["series"][0]
    assert (series["detail"]["color"], series["title"]["color"]) == ("#464646", "#333")
    # the stored option stays as built: back to light, pyecharts' colours again
    dark.page.click("[data-fpe-theme-toggle]")
    dark.wait_chart(chart("gauge"), "(o) => o.series[0].detail.color === '#464646'")
    dark.assert_clean(server.url)
