"""实时订单: today's figures, the order line and the latest orders, live.

The ``live_orders`` stream is fed by a :class:`~flask_pyecharts.sql.TableStream`
on the orders table, so any order inserted by anyone shows up within a second.
"""

from __future__ import annotations

import math
import typing as t

from pyecharts import options as opts
from pyecharts.charts import Bar, Gauge, Line

from ...sql import TableStream
from .. import queries
from ..formats import figure, yuan
from ..queries import Period

if t.TYPE_CHECKING:
    from sqlalchemy import Engine

    from flask_pyecharts import Charts

RULE = "/live"
TITLE = "实时订单"
DESCRIPTION = "今日销售额与订单、目标完成率、每笔订单的实时走势和最新订单。"
LAYOUT = """
    today_sales   today_orders       today_avg    last_hour_orders
    live_orders   live_orders        order_table  order_table
    target        orders_per_minute  order_table  order_table
"""
#: The live-order stream's window: the last orders it shows, and those it
#: starts with (an export, from a new process, holds the whole window).
LIVE_ORDERS = 200
#: The columns of the latest orders' table.
ORDER_COLUMNS = ["时间", "省份", "渠道", "商品", "金额（元）"]
#: How many of the latest orders it keeps.
ORDER_ROWS = 30


def register(charts: Charts, engine: Engine) -> None:
    """Register today's cards, the gauge, the order line and the order table."""

    @charts.number("today_sales", refresh=2.0, label="今日销售额", prefix="¥")
    def today_sales(region: str) -> dict[str, t.Any]:
        hours = queries.hourly_today(engine, region)
        yesterday = queries.totals(engine, region, Period.yesterday())
        return figure(
            sum(hour.sales for hour in hours),
            yesterday.sales or None,
            [hour.sales for hour in hours],
        )

    @charts.number("today_orders", refresh=2.0, label="今日订单数", suffix=" 笔")
    def today_orders(region: str) -> dict[str, t.Any]:
        hours = queries.hourly_today(engine, region)
        yesterday = queries.totals(engine, region, Period.yesterday())
        return figure(
            sum(hour.orders for hour in hours),
            yesterday.orders or None,
            [hour.orders for hour in hours],
        )

    @charts.number("today_avg", refresh=2.0, label="今日客单价", prefix="¥")
    def today_avg(region: str) -> dict[str, t.Any]:
        today = queries.totals(engine, region, Period.today())
        yesterday = queries.totals(engine, region, Period.yesterday())
        hours = queries.hourly_today(engine, region)
        return figure(
            yuan(today.average),
            yuan(yesterday.average) or None,
            [hour.average for hour in hours],
        )

    @charts.number("last_hour_orders", refresh=2.0, label="近 1 小时订单", suffix=" 笔")
    def last_hour_orders(region: str) -> dict[str, t.Any]:
        minutes = queries.per_minute(engine, region, 60)
        before = queries.totals(engine, region, Period.minutes(60, ago=60))
        return figure(
            sum(count for _, count in minutes),
            before.orders or None,
            [count for _, count in minutes],
        )

    @charts.chart("target", refresh=2.0, title="今日销售目标完成率")
    def target(region: str) -> Gauge:
        kpi = queries.kpis(engine, region)
        percent = round(kpi["sales"] / kpi["goal"] * 100, 1)
        return (
            Gauge()
            .add(
                "完成率",
                [("目标完成率", percent)],
                max_=100 if percent <= 100 else math.ceil(percent / 50) * 50,
                radius="80%",
                center=["50%", "62%"],
                detail_label_opts=opts.GaugeDetailOpts(
                    formatter="{value}%", font_size=26, offset_center=[0, "45%"]
                ),
                title_label_opts=opts.GaugeTitleOpts(offset_center=[0, "72%"]),
            )
            .set_global_opts(
                title_opts=opts.TitleOpts(
                    title=f"{region}今日销售额 ¥{kpi['sales']:,.0f}",
                    subtitle=(
                        f"目标 ¥{kpi['goal']:,.0f} · {kpi['orders']:,} 笔"
                        f" · 客单价 ¥{kpi['average']:,.0f}"
                    ),
                    pos_left="center",
                    pos_top="28",  # below the card's state badge
                ),
                legend_opts=opts.LegendOpts(is_show=False),
            )
        )

    @charts.chart(
        "live_orders", window=LIVE_ORDERS, title="实时订单（全国，每笔金额，元）"
    )
    def live_orders() -> Line:
        return (
            Line()
            .add_xaxis([])
            .add_yaxis(
                "订单金额",
                [],
                symbol_size=5,
                label_opts=opts.LabelOpts(is_show=False),
                areastyle_opts=opts.AreaStyleOpts(opacity=0.12),
            )
            .set_global_opts(
                xaxis_opts=opts.AxisOpts(type_="time"),
                yaxis_opts=opts.AxisOpts(type_="value", name="元"),
                tooltip_opts=opts.TooltipOpts(trigger="axis"),
                legend_opts=opts.LegendOpts(is_show=False),
            )
        )

    charts.producer("live_orders", every=0.5)(
        TableStream(
            engine,
            "orders",
            "id",
            lambda row: (row.created_at, yuan(row.amount)),
            backfill=LIVE_ORDERS,
        )
    )

    @charts.chart("orders_per_minute", refresh=2.0, title="每分钟订单数（近 30 分钟）")
    def orders_per_minute(region: str) -> Bar:
        minutes = queries.per_minute(engine, region, 30)
        return (
            Bar()
            .add_xaxis([minute for minute, _ in minutes])
            .add_yaxis(
                "订单数",
                [count for _, count in minutes],
                label_opts=opts.LabelOpts(is_show=False),
                bar_max_width=18,
            )
            .set_global_opts(
                legend_opts=opts.LegendOpts(is_show=False),
                tooltip_opts=opts.TooltipOpts(trigger="axis"),
                yaxis_opts=opts.AxisOpts(min_interval=1),
            )
        )

    @charts.table(
        "order_table",
        columns=ORDER_COLUMNS,
        window=ORDER_ROWS,
        scroll=True,
        label="最新订单（全国）",
    )
    def order_table() -> list[tuple[t.Any, ...]]:
        return []  # the producer's backfill gives the first rows, exactly once

    # Each order inserted, by anyone, is appended as a row, as on the live line.
    charts.producer("order_table", every=0.5)(
        TableStream(engine, "orders", "id", OrderRow(engine), backfill=ORDER_ROWS)
    )


class OrderRow:
    """An order of the orders table as a row of the latest orders' table: its
    time, province, channel, product and amount (the names read once)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._names: dict[str, dict[int, str]] | None = None

    def __call__(self, order: t.Any) -> tuple[t.Any, ...]:
        if self._names is None:
            self._names = queries.names(self.engine)
        return (
            order.created_at[11:],
            self._names["provinces"].get(order.province_id, "?"),
            self._names["channels"].get(order.channel_id, "?"),
            self._names["products"].get(order.product_id, "?"),
            yuan(order.amount),
        )
