"""客户与时段: new and returning customers, how often they buy, and when."""

from __future__ import annotations

import typing as t

from pyecharts import options as opts
from pyecharts.charts import Bar, HeatMap

from .. import queries
from ..formats import WEEKDAYS, below_subtitle, figure, percent, period
from ..queries import Period

if t.TYPE_CHECKING:
    from sqlalchemy import Engine

    from flask_pyecharts import Charts

RULE = "/customers"
TITLE = "客户与时段"
DESCRIPTION = "新客与老客、复购率、购买次数分布，以及一周里每个小时的下单热度。"
LAYOUT = """
    new_customers  returning_customers  repeat_rate     evening_share
    customer_trend customer_trend       order_frequency order_frequency
    hour_heatmap   hour_heatmap         hour_heatmap    hour_heatmap
"""
#: The evening peak (晚高峰): orders placed from 19:00 to 22:59.
EVENING = range(19, 23)


def register(charts: Charts, engine: Engine) -> None:
    """Register the customers' cards and charts, and the hours' heatmap."""

    def split(region: str, days: int) -> tuple[queries.Customers, queries.Customers]:
        """The period's customers and the previous period's (none when the
        data does not cover it)."""
        before = queries.previous(engine, days)
        return (
            queries.customers(engine, region, Period.last(days)),
            queries.customers(engine, region, before)
            if before
            else queries.Customers(0, 0),
        )

    def trend(region: str, days: int, new: bool) -> list[float]:
        daily = queries.customers_daily(engine, region, days)
        return [first if new else again for _, first, again in daily]

    @charts.number("new_customers", refresh=10.0, label="新客数", suffix=" 人")
    def new_customers(region: str, days: int) -> dict[str, t.Any]:
        now, before = split(region, days)
        return figure(now.new, before.new or None, trend(region, days, True))

    @charts.number("returning_customers", refresh=10.0, label="老客数", suffix=" 人")
    def returning_customers(region: str, days: int) -> dict[str, t.Any]:
        now, before = split(region, days)
        return figure(
            now.returning, before.returning or None, trend(region, days, False)
        )

    @charts.number("repeat_rate", refresh=10.0, label="复购率", suffix="%", digits=1)
    def repeat_rate(region: str, days: int) -> dict[str, t.Any]:
        now, before = split(region, days)
        return figure(
            round(now.repeat_rate, 1),
            round(before.repeat_rate, 1) if before.new + before.returning else None,
        )

    def evening(region: str, days: int) -> float:
        hours = queries.hours(engine, region, days)
        return percent(sum(hours[hour] for hour in EVENING), sum(hours))

    @charts.number(
        "evening_share",
        refresh=60.0,
        label="晚高峰订单占比（19–23 时）",
        suffix="%",
        digits=1,
    )
    def evening_share(region: str, days: int) -> dict[str, t.Any]:
        return figure(evening(region, days), None, queries.hours(engine, region, days))

    @charts.chart("customer_trend", refresh=10.0, title="新客与老客的每日订单")
    def customer_trend(region: str, days: int) -> Bar:
        rows = queries.customers_daily(engine, region, days)
        return below_subtitle(
            Bar()
            .add_xaxis([day[5:] for day, _, _ in rows])
            .add_yaxis(
                "新客订单",
                [new for _, new, _ in rows],
                stack="orders",
                label_opts=opts.LabelOpts(is_show=False),
            )
            .add_yaxis(
                "老客订单",
                [old for _, _, old in rows],
                stack="orders",
                label_opts=opts.LabelOpts(is_show=False),
            )
            .set_global_opts(
                title_opts=opts.TitleOpts(subtitle=period(region, days)),
                tooltip_opts=opts.TooltipOpts(trigger="axis"),
                legend_opts=opts.LegendOpts(pos_right="8"),
            ),
            bottom=36,
        )

    @charts.chart("order_frequency", refresh=60.0, title="客户购买次数分布（人）")
    def order_frequency(region: str, days: int) -> Bar:
        rows = queries.order_frequency(engine, region, days)
        return below_subtitle(
            Bar()
            .add_xaxis([label for label, _ in rows])
            .add_yaxis(
                "客户数",
                [count for _, count in rows],
                label_opts=opts.LabelOpts(is_show=True, position="top"),
                color="#5b8ff9",
            )
            .set_global_opts(
                title_opts=opts.TitleOpts(subtitle=period(region, days)),
                legend_opts=opts.LegendOpts(is_show=False),
                tooltip_opts=opts.TooltipOpts(trigger="axis"),
            )
        )

    @charts.chart("hour_heatmap", refresh=60.0, title="下单时段分布（星期 × 小时）")
    def hour_heatmap(region: str, days: int) -> HeatMap:
        counts = queries.week_hours(engine, region, days)
        # Every hour of every day, 0 where nobody ordered: a cell without an
        # item would be left blank, as if its count were unknown.
        data = [
            [hour, day, counts.get((hour, day), 0)]
            for day in range(7)
            for hour in range(24)
        ]
        highest = max((item[2] for item in data), default=1)
        chart = (
            HeatMap()
            .add_xaxis([f"{hour}时" for hour in range(24)])
            .add_yaxis(
                "订单数",
                WEEKDAYS,
                data,
                label_opts=opts.LabelOpts(is_show=False),
            )
            .set_global_opts(
                legend_opts=opts.LegendOpts(is_show=False),
                tooltip_opts=opts.TooltipOpts(trigger="item"),
                visualmap_opts=opts.VisualMapOpts(
                    min_=0,
                    max_=highest,
                    orient="horizontal",
                    pos_left="center",
                    pos_top="0",
                    item_width=12,
                    item_height=220,
                ),
                xaxis_opts=opts.AxisOpts(splitarea_opts=opts.SplitAreaOpts(True)),
                yaxis_opts=opts.AxisOpts(splitarea_opts=opts.SplitAreaOpts(True)),
            )
        )
        chart.options["grid"] = opts.GridOpts(pos_top=56, pos_bottom=24)
        return chart
