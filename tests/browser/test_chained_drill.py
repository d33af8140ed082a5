"""Drill-down through a chain of variables in Chromium: 全国 › 广东 › 广州市
and back, one chart's clicks setting the region, then the city."""

from __future__ import annotations

import typing as t

from flask import Flask
from pyecharts.charts import Bar

from flask_pyecharts import Charts

from .conftest import BrowserServer, WatchedPage, chart

CITIES = {"广东": ["广州市", "深圳市"], "浙江": ["杭州市", "宁波市"]}


def make_app() -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app)
    charts.variable("region", choices=["全国", *CITIES], label="地区")
    charts.variable(
        "city",
        parent="region",
        choices=lambda region: ["全部", *CITIES.get(region, [])],
        label="城市",
    )

    @charts.chart("places", refresh=60, on_click={"region": "name", "city": "name"})
    def places(region: str) -> Bar:  # the provinces, or the cities of one
        names = list(CITIES) if region == "全国" else CITIES[region]
        return Bar().add_xaxis(names).add_yaxis(region, [3, 2])

    @charts.chart("detail", refresh=60, title="明细")
    def detail(region: str, city: str) -> dict:
        return {"title": {"text": f"{region}/{city}"}, "series": []}

    charts.dashboard("/", ["places", "detail"], title="下钻")
    return app


def wait_detail(watched: WatchedPage, text: str) -> None:
    watched.wait_chart(chart("detail"), "(o, text) => o.title[0].text === text", text)


def test_a_map_drills_from_the_country_to_a_city_and_back(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    server = serve(make_app())
    page = watched.page
    page.goto(server.url + "/")
    watched.wait_state(".fpe-card .fpe-chart", "live")
    wait_detail(watched, "全国/全部")
    city = page.locator('select[data-fpe-variable="city"]')
    assert city.locator("option").all_inner_texts() == ["全部"]

    watched.click_item(chart("places"), 0, 0)  # 广东
    wait_detail(watched, "广东/全部")
    page.wait_for_function(
        "() => document.querySelectorAll('select[data-fpe-variable=city] option')"
        ".length === 3"
    )
    assert city.locator("option").all_inner_texts() == ["全部", "广州市", "深圳市"]

    watched.click_item(chart("places"), 0, 0)  # 广州市, a city of 广东 now
    wait_detail(watched, "广东/广州市")
    assert "region=%E5%B9%BF%E4%B8%9C" in page.url and "city=" in page.url
    crumbs = page.locator("[data-fpe-breadcrumb]")
    assert crumbs.inner_text().split() == [
        "地区:", "全国", "›", "广东", "›", "广州市", "×", "地区",
    ]  # fmt: skip
    assert city.input_value() == "广州市"
    watched.screenshot("chained-drill-city")

    crumbs.get_by_role("button", name="广东").click()  # one step back
    wait_detail(watched, "广东/全部")
    assert "city=" not in page.url
    crumbs.get_by_role("button", name="全国").click()  # to the top
    wait_detail(watched, "全国/全部")
    assert "region=" not in page.url

    # A new region starts its city again from the default.
    page.locator('select[data-fpe-variable="region"]').select_option("浙江")
    wait_detail(watched, "浙江/全部")
    page.wait_for_function(
        "() => [...document.querySelectorAll('select[data-fpe-variable=city] option')]"
        ".map(o => o.value).join() === '全部,杭州市,宁波市'"
    )
    city.select_option("宁波市")
    wait_detail(watched, "浙江/宁波市")
    page.locator('select[data-fpe-variable="region"]').select_option("广东")
    wait_detail(watched, "广东/全部")
    assert "city=" not in page.url
    watched.assert_clean(server.url)
