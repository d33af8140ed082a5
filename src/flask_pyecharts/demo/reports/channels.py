"""渠道分析: each channel's share, daily trend and growth on the period before."""

from __future__ import annotations

import typing as t

from pyecharts import options as opts
from pyecharts.charts import Line

from .. import queries
from ..formats import WAN, below_subtitle, figure, percent, period, yuan
from ..queries import LIVESTREAM, OFFLINE, Period

if t.TYPE_CHECKING:
    from sqlalchemy import Engine

    from flask_pyecharts import Charts

RULE = "/channels"
TITLE = "渠道分析"
DESCRIPTION = "线上占比、直播与门店，各渠道的销售占比、每日走势和环比。"
LAYOUT = """
    online_share   livestream_sales  store_sales    top_channel_share
    channel_share  channel_trend     channel_trend  channel_trend
    channel_table  channel_table     channel_table  channel_table
"""
CHANNEL_COLUMNS = ["渠道", "销售额（元）", "订单数", "客单价（元）", "环比"]


def _channels(
    engine: Engine, region: str, days: int, previous: bool = False
) -> dict[str, t.Any]:
    """Each channel's row of ``sales_by`` in the period (or the one before:
    none when the data does not cover it)."""
    when = queries.previous(engine, days) if previous else Period.last(days)
    if when is None:
        return {}
    return {
        row.name: row
        for row in queries.sales_by(engine, "channel", region=region, period=when)
    }


def _share(rows: dict[str, t.Any], names: t.Callable[[str], bool]) -> float | None:
    total = sum(row.sales for row in rows.values())
    if not total:
        return None
    return percent(sum(row.sales for name, row in rows.items() if names(name)), total)


def register(charts: Charts, engine: Engine) -> None:
    """Register the channels' cards, trend and table."""

    def trend_of(region: str, days: int, names: t.Callable[[str], bool]) -> list[float]:
        by_channel = queries.channel_daily(engine, region, days)
        daily = [sum(values) for values in zip(*by_channel.values(), strict=True)]
        picked = [
            sum(values)
            for values in zip(
                *(v for name, v in by_channel.items() if names(name)), strict=True
            )
        ]
        return [percent(part, whole) for part, whole in zip(picked, daily, strict=True)]

    @charts.number(
        "online_share", refresh=10.0, label="线上销售占比", suffix="%", digits=1
    )
    def online_share(region: str, days: int) -> dict[str, t.Any]:
        def online(name: str) -> bool:
            return name != OFFLINE

        now = _share(_channels(engine, region, days), online)
        before = _share(_channels(engine, region, days, previous=True), online)
        return figure(now or 0.0, before, trend_of(region, days, online))

    def channel_sales(name: str, channel: str) -> None:
        @charts.number(name, refresh=10.0, label=f"{channel}销售额", prefix="¥")
        def sales(region: str, days: int) -> dict[str, t.Any]:
            now = _channels(engine, region, days).get(channel)
            before = _channels(engine, region, days, previous=True).get(channel)
            trend = queries.channel_daily(engine, region, days).get(channel, [])
            return figure(
                yuan(now.sales) if now else 0.0, before and before.sales, trend
            )

    channel_sales("livestream_sales", LIVESTREAM)
    channel_sales("store_sales", OFFLINE)

    @charts.number(
        "top_channel_share",
        refresh=10.0,
        label="第一渠道占比",
        suffix="%",
        digits=1,
    )
    def top_channel_share(region: str, days: int) -> dict[str, t.Any]:
        rows = _channels(engine, region, days)
        first = next(iter(rows), "")
        before = _share(_channels(engine, region, days, previous=True), first.__eq__)
        return figure(_share(rows, first.__eq__) or 0.0, before)

    @charts.chart("channel_trend", refresh=10.0, title="各渠道每日销售额（元）")
    def channel_trend(region: str, days: int) -> Line:
        by_channel = queries.channel_daily(engine, region, days)
        chart = Line().add_xaxis([day[5:] for day in queries.period_days(days)])
        for name, values in by_channel.items():
            chart.add_yaxis(
                name,
                [yuan(value) for value in values],
                stack="sales",
                is_symbol_show=False,
                label_opts=opts.LabelOpts(is_show=False),
                areastyle_opts=opts.AreaStyleOpts(opacity=0.5),
            )
        return below_subtitle(
            chart.set_global_opts(
                title_opts=opts.TitleOpts(subtitle=period(region, days)),
                tooltip_opts=opts.TooltipOpts(trigger="axis"),
                legend_opts=opts.LegendOpts(type_="scroll", pos_right="8"),
                yaxis_opts=opts.AxisOpts(axislabel_opts=opts.LabelOpts(formatter=WAN)),
            ),
            bottom=36,
        )

    @charts.table(
        "channel_table",
        columns=CHANNEL_COLUMNS,
        refresh=10.0,
        label="渠道明细（与上一周期对比）",
    )
    def channel_table(region: str, days: int) -> list[tuple[t.Any, ...]]:
        before = _channels(engine, region, days, previous=True)
        rows = []
        for name, row in _channels(engine, region, days).items():
            old = before.get(name)
            growth = (
                f"{(row.sales - old.sales) / old.sales * 100:+.1f}%"
                if old and old.sales
                else "—"
            )
            rows.append(
                (
                    name,
                    yuan(row.sales),
                    row.orders,
                    yuan(row.sales / row.orders),
                    growth,
                )
            )
        return rows
