"""区域分析: the sales map (a click on a province drills into its cities, as
does a click on its bar, and a click on a city into that city: 全国 › 广东 ›
广州市, the breadcrumb going back) and the provinces' ranking."""

from __future__ import annotations

import typing as t

from pyecharts import options as opts
from pyecharts.charts import Bar, Map

from .. import queries
from ..formats import (
    HIGHLIGHT,
    MAP_LAYOUT,
    WAN,
    below_subtitle,
    figure,
    percent,
    period,
    wan,
    yuan,
)
from ..queries import ALL, ALL_CITIES, Period

if t.TYPE_CHECKING:
    from sqlalchemy import Engine

    from flask_pyecharts import Charts

RULE = "/regions"
TITLE = "区域分析"
DESCRIPTION = "销售地图（点击省份看城市，再点城市）、各省份排行、地区占全国的比重。"
LAYOUT = """
    sales      region_share    buyer_count     city_share
    sales_map  sales_map       province_sales  province_sales
    sales_map  sales_map       province_rank   province_rank
"""


def register(charts: Charts, engine: Engine) -> None:
    """Register the regions' cards, map, bars and ranking."""

    def share(region: str, when: Period | None) -> float | None:
        if when is None:
            return None
        provinces = queries.sales_by(engine, "province", period=when)
        total = sum(row.sales for row in provinces)
        if not total:
            return None
        if region == ALL:
            return 100.0
        return percent(sum(r.sales for r in provinces if r.name == region), total)

    @charts.number(
        "region_share", refresh=10.0, label="占全国销售额", suffix="%", digits=1
    )
    def region_share(region: str, days: int) -> dict[str, t.Any]:
        return figure(
            share(region, Period.last(days)) or 0.0,
            share(region, queries.previous(engine, days)),
        )

    def city_part(region: str, city: str, days: int) -> float:
        cities = dict(queries.city_sales(engine, region, days))
        total = sum(cities.values())
        return percent(cities.get(city, total), total) if total else 0.0

    @charts.number(
        "city_share", refresh=10.0, label="城市占全省销售额", suffix="%", digits=1
    )
    def city_share(region: str, city: str, days: int) -> float:
        return 100.0 if region == ALL else city_part(region, city, days)

    @charts.chart("sales_map", refresh=10.0, title="销售地图（点击省份、城市下钻）",
                  on_click={"region": "name", "city": "name"})  # fmt: skip
    def sales_map(region: str, city: str, days: int) -> Map:
        if region == ALL:  # the provinces of China
            rows = queries.sales_by(engine, "province", days=days)
            data = [(row.name, yuan(row.sales)) for row in rows]
            chart = Map().add("销售额", data, "china", **MAP_LAYOUT)
        else:  # drilled into a province: its cities (the chosen one selected)
            data = queries.city_sales(engine, region, days)
            items = [
                opts.MapItem(name=name, value=value, is_selected=name == city)
                for name, value in data
            ]
            chart = Map().add("销售额", items, maptype=region, **MAP_LAYOUT)
        highest = max((value for _, value in data), default=1.0)
        return chart.set_series_opts(
            label_opts=opts.LabelOpts(is_show=False)
        ).set_global_opts(
            title_opts=opts.TitleOpts(
                title=period(
                    region if city == ALL_CITIES else f"{region} · {city}", days
                ),
                subtitle="点击省份下钻"
                if region == ALL
                else "点击城市下钻，面包屑返回",
                pos_left="center",
            ),
            visualmap_opts=opts.VisualMapOpts(
                max_=highest,
                range_text=[wan(highest), "0"],  # the scale's ends, in 万
                range_color=["#d6e6f5", "#6baed6", "#08519c"],
                pos_left="8",
                pos_bottom="8",
                is_calculable=False,
            ),
            tooltip_opts=opts.TooltipOpts(trigger="item", formatter="{b}: ¥{c}"),
            legend_opts=opts.LegendOpts(is_show=False),
        )

    @charts.chart(
        "province_sales",
        refresh=10.0,
        title="各省份销售额 Top 15（点击筛选）",
        on_click={"region": "name"},
    )
    def province_sales(region: str, days: int) -> Bar:
        rows = queries.sales_by(engine, "province", limit=15, days=days)
        bars = [
            opts.BarItem(
                name=row.name,
                value=yuan(row.sales),
                itemstyle_opts=opts.ItemStyleOpts(color=HIGHLIGHT)
                if row.name == region
                else None,
            )
            for row in rows
        ]
        return below_subtitle(
            Bar()
            .add_xaxis([row.name for row in rows])
            .add_yaxis(
                "销售额",
                bars,
                label_opts=opts.LabelOpts(is_show=False),
                color="#3b7dd8",
            )
            .set_global_opts(
                title_opts=opts.TitleOpts(
                    subtitle=f"近 {days} 天 · 再次点击取消筛选"
                    if region != ALL
                    else f"近 {days} 天 · 点击柱子筛选省份"
                ),
                legend_opts=opts.LegendOpts(is_show=False),
                tooltip_opts=opts.TooltipOpts(trigger="axis"),
                yaxis_opts=opts.AxisOpts(axislabel_opts=opts.LabelOpts(formatter=WAN)),
            )
        )

    @charts.table(
        "province_rank",
        columns=["地区", "销售额（元）"],
        refresh=10.0,
        rank=True,
        label="销售排行（全国看省份，省内看城市）",
    )
    def province_rank(region: str, days: int) -> list[tuple[t.Any, ...]]:
        if region == ALL:
            rows = queries.sales_by(engine, "province", limit=10, days=days)
            return [(row.name, round(row.sales)) for row in rows]
        cities = queries.city_sales(engine, region, days)[:10]
        return [(city, round(sales)) for city, sales in cities]
