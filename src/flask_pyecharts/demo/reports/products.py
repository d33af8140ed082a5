"""商品分析: items sold, the best sellers, the category mix."""

from __future__ import annotations

import typing as t

from pyecharts import options as opts
from pyecharts.charts import Bar, Pie

from .. import queries
from ..formats import WAN, below_subtitle, compared, figure, percent, period, yuan
from ..queries import Period, compare

if t.TYPE_CHECKING:
    from sqlalchemy import Engine

    from flask_pyecharts import Charts

RULE = "/products"
TITLE = "商品分析"
DESCRIPTION = "销量、件单价与连带率，热销商品排行和品类结构。"
LAYOUT = """
    items_sold      items_per_order   item_price       top_category_share
    top_products    top_products      category_share   category_share
    product_table   product_table     product_table    product_table
"""
PRODUCT_COLUMNS = ["商品", "品类", "销量（件）", "销售额（元）"]


def register(charts: Charts, engine: Engine) -> None:
    """Register the products' cards, charts and table."""

    @charts.number("items_sold", refresh=10.0, label="销量", suffix=" 件")
    def items_sold(region: str, days: int) -> dict[str, t.Any]:
        return compared(compare(engine, region, days), lambda d: d.items)

    def per_order(totals: queries.Totals) -> float:
        return round(totals.items / totals.orders, 2) if totals.orders else 0.0

    @charts.number("items_per_order", refresh=10.0, label="连带率（件/单）", digits=2)
    def items_per_order(region: str, days: int) -> dict[str, t.Any]:
        return compared(compare(engine, region, days), per_order)

    def item_price_of(totals: queries.Totals) -> float:
        return round(totals.sales / totals.items, 1) if totals.items else 0.0

    @charts.number("item_price", refresh=10.0, label="件单价", prefix="¥", digits=1)
    def item_price(region: str, days: int) -> dict[str, t.Any]:
        return compared(compare(engine, region, days), item_price_of)

    def top_share(region: str, when: Period | None) -> float | None:
        if when is None:
            return None
        rows = queries.sales_by(engine, "category", region=region, period=when)
        total = sum(row.sales for row in rows)
        return percent(rows[0].sales, total) if total else None

    @charts.number(
        "top_category_share",
        refresh=10.0,
        label="第一品类占比",
        suffix="%",
        digits=1,
    )
    def top_category_share(region: str, days: int) -> dict[str, t.Any]:
        return figure(
            top_share(region, Period.last(days)) or 0.0,
            top_share(region, queries.previous(engine, days)),
        )

    @charts.chart("top_products", refresh=10.0, title="热销商品 Top 10（元）")
    def top_products(region: str, days: int) -> Bar:
        rows = queries.sales_by(engine, "product", limit=10, region=region, days=days)
        rows = list(reversed(rows))
        return below_subtitle(
            Bar()
            .add_xaxis([row.name for row in rows])
            .add_yaxis(
                "销售额",
                [yuan(row.sales) for row in rows],
                label_opts=opts.LabelOpts(is_show=False),
                color="#e6734f",
            )
            .reversal_axis()
            .set_global_opts(
                title_opts=opts.TitleOpts(subtitle=period(region, days)),
                legend_opts=opts.LegendOpts(is_show=False),
                tooltip_opts=opts.TooltipOpts(trigger="axis"),
                xaxis_opts=opts.AxisOpts(
                    type_="value", axislabel_opts=opts.LabelOpts(formatter=WAN)
                ),
            )
        )

    @charts.chart("category_share", refresh=10.0, title="品类结构（销售额占比）")
    def category_share(region: str, days: int) -> Pie:
        rows = queries.sales_by(engine, "category", region=region, days=days)
        return (
            Pie()
            .add(
                "销售额",
                [(row.name, yuan(row.sales)) for row in rows],
                radius=["18%", "62%"],
                center=["50%", "50%"],
                rosetype="area",
                label_opts=opts.LabelOpts(formatter="{b} {d}%"),
            )
            .set_global_opts(
                title_opts=opts.TitleOpts(subtitle=period(region, days)),
                legend_opts=opts.LegendOpts(is_show=False),
                tooltip_opts=opts.TooltipOpts(trigger="item", formatter="{b}: ¥{c}"),
            )
        )

    @charts.table(
        "product_table",
        columns=PRODUCT_COLUMNS,
        refresh=10.0,
        label="商品销售明细 Top 20",
    )
    def product_table(region: str, days: int) -> list[tuple[t.Any, ...]]:
        return [
            (row.name, row.category, row.items, round(row.sales))
            for row in queries.products_with_category(engine, region, days, 20)
        ]
