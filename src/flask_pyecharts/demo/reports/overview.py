"""经营总览: the period's sales, orders, order value and buyers against the
period before, the daily trend, today's goal, channels and categories."""

from __future__ import annotations

import typing as t

from pyecharts import options as opts
from pyecharts.charts import Bar, Line, Pie

from .. import queries
from ..formats import WAN, below_subtitle, compared, period, yuan
from ..queries import compare

if t.TYPE_CHECKING:
    from sqlalchemy import Engine

    from flask_pyecharts import Charts

RULE = "/overview"
TITLE = "经营总览"
DESCRIPTION = "销售额、订单数、客单价与下单客户的环比，每日走势，今日目标，渠道与品类。"
LAYOUT = """
    sales        order_count   avg_order       buyer_count
    daily_sales  daily_sales   daily_sales     target
    channel_share channel_share category_sales category_sales
"""


def register(charts: Charts, engine: Engine) -> None:
    """Register the overview's cards and charts."""

    @charts.number("sales", refresh=10.0, label="销售额", prefix="¥")
    def sales(region: str, days: int) -> dict[str, t.Any]:
        return compared(compare(engine, region, days), lambda d: yuan(d.sales))

    @charts.number("order_count", refresh=10.0, label="订单数", suffix=" 笔")
    def order_count(region: str, days: int) -> dict[str, t.Any]:
        return compared(compare(engine, region, days), lambda d: d.orders)

    @charts.number("avg_order", refresh=10.0, label="客单价", prefix="¥", digits=1)
    def avg_order(region: str, days: int) -> dict[str, t.Any]:
        return compared(compare(engine, region, days), lambda d: round(d.average, 1))

    @charts.number("buyer_count", refresh=10.0, label="下单客户数", suffix=" 人")
    def buyer_count(region: str, days: int) -> dict[str, t.Any]:
        return compared(compare(engine, region, days), lambda d: d.buyers)

    @charts.chart(
        "daily_sales", refresh=10.0, title="每日销售额（元，与上一周期对比，不含今日）"
    )
    def daily_sales(region: str, days: int) -> Line:
        current = queries.daily(engine, region, days)
        previous = queries.daily(engine, region, 2 * days)[:days]
        chart = (
            Line()
            .add_xaxis([day[5:] for day in queries.period_days(days)])
            .add_yaxis(
                "本期",
                [yuan(day.sales) for day in current],
                is_symbol_show=False,
                label_opts=opts.LabelOpts(is_show=False),
                areastyle_opts=opts.AreaStyleOpts(opacity=0.15),
            )
        )
        if queries.previous(engine, days):  # none before the data began
            chart.add_yaxis(
                "上期",
                [yuan(day.sales) for day in previous],
                is_symbol_show=False,
                label_opts=opts.LabelOpts(is_show=False),
                linestyle_opts=opts.LineStyleOpts(type_="dashed", opacity=0.6),
            )
        return below_subtitle(
            chart.set_global_opts(
                title_opts=opts.TitleOpts(subtitle=period(region, days)),
                tooltip_opts=opts.TooltipOpts(trigger="axis"),
                legend_opts=opts.LegendOpts(pos_right="8"),
                yaxis_opts=opts.AxisOpts(axislabel_opts=opts.LabelOpts(formatter=WAN)),
            ),
            bottom=36,
        )

    @charts.chart("channel_share", refresh=10.0, title="渠道销售占比")
    def channel_share(region: str, days: int) -> Pie:
        rows = queries.sales_by(engine, "channel", region=region, days=days)
        return (
            Pie()
            .add(
                "销售额",
                [(row.name, yuan(row.sales)) for row in rows],
                radius=["30%", "54%"],
                center=["50%", "56%"],
                label_opts=opts.LabelOpts(formatter="{b}\n{d}%"),
            )
            .set_global_opts(
                title_opts=opts.TitleOpts(subtitle=period(region, days)),
                legend_opts=opts.LegendOpts(type_="scroll", pos_bottom="0"),
                tooltip_opts=opts.TooltipOpts(trigger="item", formatter="{b}: ¥{c}"),
            )
        )

    @charts.chart("category_sales", refresh=10.0, title="品类销售额（元）")
    def category_sales(region: str, days: int) -> Bar:
        rows = queries.sales_by(engine, "category", region=region, days=days)
        rows = list(reversed(rows))  # largest on top
        return below_subtitle(
            Bar()
            .add_xaxis([row.name for row in rows])
            .add_yaxis(
                "销售额",
                [yuan(row.sales) for row in rows],
                label_opts=opts.LabelOpts(is_show=False),
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
