"""The demo report: nine live charts on the retail database, and a report page.

Two variables make it interactive: the period (``days``: 7, 30 or 90) and the
``region`` (全国 or a province, its choices read from the database). Every
chart but the live stream follows them; a click on a province, in the map or
in the provinces' bar chart, sets the region, so the map drills into that
province's cities and everything else follows.

Every builder is a few lines of SQL through :func:`flask_pyecharts.sql.query`
(values bound, never formatted) and a pyecharts chart. The ``live_orders``
stream is fed by a :class:`~flask_pyecharts.sql.TableStream` on the orders
table, so any order inserted by anyone shows up within a second.
"""

from __future__ import annotations

import datetime
import json
import math
import typing as t
from pathlib import Path

from flask import Blueprint, current_app, render_template
from pyecharts import options as opts
from pyecharts.charts import Bar, Gauge, HeatMap, Line, Map, Pie

from .. import JsCode
from ..sql import TableStream, query
from .db import now, stamp

if t.TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import Row

    from flask_pyecharts import Charts

#: The dashboard's charts, in display order, with their titles.
TITLES = {
    "target": "今日销售目标完成率",
    "sales_map": "销售地图（点击省份查看城市）",
    "province_sales": "各省份销售额 Top 15（点击筛选）",
    "live_orders": "实时订单（全国，每笔金额，元）",
    "orders_per_minute": "每分钟订单数（近 30 分钟）",
    "channel_share": "渠道销售占比",
    "category_sales": "品类销售额（元）",
    "top_products": "热销商品 Top 10（元）",
    "hour_heatmap": "下单时段分布（星期 × 小时）",
}
#: The region that means "every province".
ALL = "全国"
#: The periods a viewer can choose, in days.
PERIODS = [7, 30, 90]
#: The live-order stream's window: the last orders it shows, and those it
#: starts with (an export, from a new process, holds the whole window).
LIVE_ORDERS = 200
#: Each province's cities (or a municipality's districts), named as in the
#: province maps, so the map of a province shows the sales of its cities.
CITIES: dict[str, list[str]] = json.loads(
    (Path(__file__).parent / "cities.json").read_text("utf-8")
)
#: Orders are spread over a province's cities by ``id % BUCKETS``.
BUCKETS = 1000
HIGHLIGHT = "#e6734f"
#: Where maps go in their card: below the title, beside the colour scale.
MAP_LAYOUT: dict[str, t.Any] = {
    "is_map_symbol_show": False,
    "layout_center": ["54%", "60%"],
    "layout_size": "76%",
}
#: Axis labels in 万 (ten thousands), as Chinese reports write money.
WAN = JsCode(
    "function (value) { return value >= 10000 ? value / 10000 + '万' : value; }"
)
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
RECENT_DAYS = 30

bp = Blueprint("demo", __name__, template_folder="templates")


def days_ago(days: int) -> str:
    """Midnight ``days`` days ago, as stored in ``orders.created_at``."""
    midnight = now().replace(hour=0, minute=0, second=0)
    return stamp(midnight - datetime.timedelta(days=days))


#: Orders of a region: all of them for 全国, else those of one province
#: (a fixed SQL fragment; the region is a bound parameter).
IN_REGION = (
    "(:region = '全国' OR orders.province_id ="
    " (SELECT id FROM provinces WHERE name = :region))"
)


def provinces(engine: Engine) -> list[str]:
    """The provinces of the database, largest first: the region's choices."""
    rows = query(engine, "SELECT name FROM provinces ORDER BY weight DESC, id")
    return [row.name for row in rows]


def kpis(
    engine: Engine, region: str = ALL, days: int = RECENT_DAYS
) -> dict[str, float]:
    """Today's sales, orders and average order value, the daily goal, and the
    sales of the last ``days`` days."""
    today = query(
        engine,
        "SELECT COUNT(*) AS orders, COALESCE(SUM(amount), 0) AS sales"
        f" FROM orders WHERE created_at >= :today AND {IN_REGION}",
        today=days_ago(0),
        region=region,
    )[0]
    past = query(
        engine,
        "SELECT COALESCE(SUM(amount), 0) AS sales FROM orders"
        f" WHERE created_at >= :start AND created_at < :today AND {IN_REGION}",
        start=days_ago(28),
        today=days_ago(0),
        region=region,
    )[0]
    recent = query(
        engine,
        "SELECT COALESCE(SUM(amount), 0) AS sales FROM orders"
        f" WHERE created_at >= :start AND {IN_REGION}",
        start=days_ago(days),
        region=region,
    )[0]
    return {
        "sales": float(today.sales),
        "orders": int(today.orders),
        "average": float(today.sales) / today.orders if today.orders else 0.0,
        "goal": max(round(float(past.sales) / 28 * 1.1, -2), 100.0),
        "recent_sales": float(recent.sales),
    }


#: How orders join each dimension: (label, joins, key). Fixed SQL fragments.
_DIMENSIONS = {
    "category": (
        "categories.name",
        "JOIN products ON products.id = orders.product_id"
        " JOIN categories ON categories.id = products.category_id",
        "categories.id",
    ),
    "product": (
        "products.name",
        "JOIN products ON products.id = orders.product_id",
        "products.id",
    ),
    "province": (
        "provinces.name",
        "JOIN provinces ON provinces.id = orders.province_id",
        "provinces.id",
    ),
    "channel": (
        "channels.name",
        "JOIN channels ON channels.id = orders.channel_id",
        "channels.id",
    ),
}


def sales_by(
    engine: Engine,
    dimension: str,
    limit: int = 50,
    region: str = ALL,
    days: int = RECENT_DAYS,
) -> list[Row[t.Any]]:
    """Rows ``(name, sales, orders)`` of the last ``days`` days in ``region``,
    largest sales first.

    :param dimension: ``category``, ``product``, ``province`` or ``channel``.
    """
    label, joins, key = _DIMENSIONS[dimension]  # fixed SQL, never user text
    return query(
        engine,
        f"SELECT {label} AS name, SUM(orders.amount) AS sales, COUNT(*) AS orders"
        f" FROM orders {joins} WHERE orders.created_at >= :start AND {IN_REGION}"
        f" GROUP BY {key}, {label} ORDER BY sales DESC LIMIT :limit",
        start=days_ago(days),
        limit=limit,
        region=region,
    )


def city_sales(engine: Engine, province: str, days: int) -> list[tuple[str, float]]:
    """Sales of each city of ``province`` over ``days`` days, largest first.

    The demo's orders know their province only; each order goes to a city of
    it by its id, the capital (listed first) most often, so that a city's
    figures are stable and grow with new orders.
    """
    cities = CITIES.get(province, [])
    if not cities:
        return []
    rows = query(
        engine,
        f"SELECT orders.id % {BUCKETS} AS bucket, SUM(orders.amount) AS sales"
        f" FROM orders WHERE orders.created_at >= :start AND {IN_REGION}"
        " GROUP BY 1",
        start=days_ago(days),
        region=province,
    )
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(cities))]
    bounds, total = [], 0.0
    for weight in weights:
        total += weight
        bounds.append(total / sum(weights) * BUCKETS)
    sales = dict.fromkeys(cities, 0.0)
    for row in rows:
        index = next(i for i, bound in enumerate(bounds) if row.bucket < bound)
        sales[cities[index]] += float(row.sales)
    return sorted(((city, _yuan(value)) for city, value in sales.items()),
                  key=lambda item: -item[1])  # fmt: skip


def _period(region: str, days: int) -> str:
    return f"{region} · 近 {days} 天"


def _wan(value: float) -> str:
    """An amount as Chinese reports write it: ``2113419`` is ``211.3万``."""
    if value >= 100_000_000:
        return f"{value / 100_000_000:.2f}亿"
    return f"{value / 10_000:.1f}万" if value >= 10_000 else f"{value:.0f}"


def _yuan(value: float) -> float:
    return round(value, 2)


def register(charts: Charts, engine: Engine) -> None:
    """Register the demo's variables, charts, live producer and dashboard."""
    charts.variable(
        "region", choices=lambda: provinces(engine), default=ALL, label="地区"
    )
    charts.variable(
        "days", type=int, choices=PERIODS, default=30, label="统计周期（天）"
    )

    @charts.chart("target", refresh=2.0, title=TITLES["target"])
    def target(region: str) -> Gauge:
        kpi = kpis(engine, region)
        percent = round(kpi["sales"] / kpi["goal"] * 100, 1)
        return (
            Gauge()
            .add(
                "完成率",
                [("目标完成率", percent)],
                max_=100 if percent <= 100 else math.ceil(percent / 50) * 50,
                radius="85%",
                center=["50%", "58%"],
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
                ),
                legend_opts=opts.LegendOpts(is_show=False),
            )
        )

    @charts.chart("live_orders", window=LIVE_ORDERS, title=TITLES["live_orders"])
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
            lambda row: (row.created_at, _yuan(row.amount)),
            backfill=LIVE_ORDERS,
        )
    )

    @charts.chart("sales_map", refresh=10.0, title=TITLES["sales_map"],
                  on_click={"region": "name"})  # fmt: skip
    def sales_map(region: str, days: int) -> Map:
        if region == ALL:  # the provinces of China
            rows = sales_by(engine, "province", days=days)
            data = [(row.name, _yuan(row.sales)) for row in rows]
            chart = Map().add("销售额", data, "china", **MAP_LAYOUT)
        else:  # drilled into a province: its cities, on the province's map
            data = city_sales(engine, region, days)
            chart = Map().add("销售额", data, maptype=region, **MAP_LAYOUT)
        highest = max((value for _, value in data), default=1.0)
        return chart.set_series_opts(
            label_opts=opts.LabelOpts(is_show=False)
        ).set_global_opts(
            title_opts=opts.TitleOpts(
                title=_period(region, days),
                subtitle="点击省份下钻" if region == ALL else "点击面包屑返回全国",
                pos_left="center",
            ),
            visualmap_opts=opts.VisualMapOpts(
                max_=highest,
                range_text=[_wan(highest), "0"],  # the scale's ends, in 万
                range_color=["#d6e6f5", "#6baed6", "#08519c"],
                pos_left="8",
                pos_bottom="8",
                is_calculable=False,
            ),
            tooltip_opts=opts.TooltipOpts(trigger="item", formatter="{b}: ¥{c}"),
            legend_opts=opts.LegendOpts(is_show=False),
        )

    @charts.chart("orders_per_minute", refresh=2.0, title=TITLES["orders_per_minute"])
    def orders_per_minute(region: str) -> Bar:
        start = now().replace(second=0) - datetime.timedelta(minutes=29)
        rows = query(
            engine,
            "SELECT substr(created_at, 1, 16) AS minute, COUNT(*) AS orders"
            f" FROM orders WHERE created_at >= :start AND {IN_REGION} GROUP BY 1",
            start=stamp(start),
            region=region,
        )
        counts = {row.minute: row.orders for row in rows}
        minutes = [start + datetime.timedelta(minutes=i) for i in range(30)]
        return (
            Bar()
            .add_xaxis([moment.strftime("%H:%M") for moment in minutes])
            .add_yaxis(
                "订单数",
                [counts.get(stamp(moment)[:16], 0) for moment in minutes],
                label_opts=opts.LabelOpts(is_show=False),
                bar_max_width=18,
            )
            .set_global_opts(
                legend_opts=opts.LegendOpts(is_show=False),
                tooltip_opts=opts.TooltipOpts(trigger="axis"),
                yaxis_opts=opts.AxisOpts(min_interval=1),
            )
        )

    @charts.chart("channel_share", refresh=10.0, title=TITLES["channel_share"])
    def channel_share(region: str, days: int) -> Pie:
        rows = sales_by(engine, "channel", region=region, days=days)
        return (
            Pie()
            .add(
                "销售额",
                [(row.name, _yuan(row.sales)) for row in rows],
                radius=["36%", "62%"],
                center=["50%", "46%"],
                label_opts=opts.LabelOpts(formatter="{b}\n{d}%"),
            )
            .set_global_opts(
                title_opts=opts.TitleOpts(
                    subtitle=_period(region, days), pos_right="8"
                ),
                legend_opts=opts.LegendOpts(type_="scroll", pos_bottom="0"),
                tooltip_opts=opts.TooltipOpts(trigger="item", formatter="{b}: ¥{c}"),
            )
        )

    @charts.chart("category_sales", refresh=10.0, title=TITLES["category_sales"])
    def category_sales(region: str, days: int) -> Bar:
        rows = sales_by(engine, "category", region=region, days=days)
        rows = list(reversed(rows))  # largest on top
        return (
            Bar()
            .add_xaxis([row.name for row in rows])
            .add_yaxis(
                "销售额",
                [_yuan(row.sales) for row in rows],
                label_opts=opts.LabelOpts(is_show=False),
            )
            .reversal_axis()
            .set_global_opts(
                title_opts=opts.TitleOpts(subtitle=_period(region, days)),
                legend_opts=opts.LegendOpts(is_show=False),
                tooltip_opts=opts.TooltipOpts(trigger="axis"),
                xaxis_opts=opts.AxisOpts(
                    type_="value", axislabel_opts=opts.LabelOpts(formatter=WAN)
                ),
            )
        )

    @charts.chart("province_sales", refresh=10.0, title=TITLES["province_sales"],
                  on_click={"region": "name"})  # fmt: skip
    def province_sales(region: str, days: int) -> Bar:
        rows = sales_by(engine, "province", limit=15, days=days)
        bars = [
            opts.BarItem(
                name=row.name,
                value=_yuan(row.sales),
                itemstyle_opts=opts.ItemStyleOpts(color=HIGHLIGHT)
                if row.name == region
                else None,
            )
            for row in rows
        ]
        return (
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

    @charts.chart("hour_heatmap", refresh=60.0, title=TITLES["hour_heatmap"])
    def hour_heatmap(region: str, days: int) -> HeatMap:
        rows = query(
            engine,
            "SELECT CAST(strftime('%w', created_at) AS INTEGER) AS weekday,"
            " CAST(strftime('%H', created_at) AS INTEGER) AS hour,"
            " COUNT(*) AS orders FROM orders WHERE created_at >= :start"
            f" AND {IN_REGION} GROUP BY 1, 2",
            start=days_ago(days),
            region=region,
        )
        # SQLite counts weekdays from Sunday (0); the axis starts on Monday.
        counts = {(row.hour, (row.weekday + 6) % 7): row.orders for row in rows}
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

    @charts.chart("top_products", refresh=10.0, title=TITLES["top_products"])
    def top_products(region: str, days: int) -> Bar:
        rows = sales_by(engine, "product", limit=10, region=region, days=days)
        rows = list(reversed(rows))
        return (
            Bar()
            .add_xaxis([row.name for row in rows])
            .add_yaxis(
                "销售额",
                [_yuan(row.sales) for row in rows],
                label_opts=opts.LabelOpts(is_show=False),
                color="#e6734f",
            )
            .reversal_axis()
            .set_global_opts(
                title_opts=opts.TitleOpts(subtitle=_period(region, days)),
                legend_opts=opts.LegendOpts(is_show=False),
                tooltip_opts=opts.TooltipOpts(trigger="axis"),
                xaxis_opts=opts.AxisOpts(
                    type_="value", axislabel_opts=opts.LabelOpts(formatter=WAN)
                ),
            )
        )

    charts.dashboard(
        "/", list(TITLES), title="零售实时销售看板", columns=2, endpoint="dashboard"
    )


def daily_trend(engine: Engine) -> Line:
    """Sales per day over the last 90 full days: a one-off chart for the report."""
    rows = query(
        engine,
        "SELECT substr(created_at, 1, 10) AS day, SUM(amount) AS sales,"
        " COUNT(*) AS orders FROM orders"
        " WHERE created_at >= :start AND created_at < :today"
        " GROUP BY 1 ORDER BY 1",
        start=days_ago(90),
        today=days_ago(0),
    )
    return (
        Line()
        .add_xaxis([row.day for row in rows])
        .add_yaxis(
            "销售额（元）",
            [_yuan(row.sales) for row in rows],
            is_symbol_show=False,
            label_opts=opts.LabelOpts(is_show=False),
            areastyle_opts=opts.AreaStyleOpts(opacity=0.15),
        )
        .set_global_opts(
            tooltip_opts=opts.TooltipOpts(trigger="axis"),
            datazoom_opts=[opts.DataZoomOpts(range_start=50, range_end=100)],
            legend_opts=opts.LegendOpts(is_show=False),
            yaxis_opts=opts.AxisOpts(axislabel_opts=opts.LabelOpts(formatter=WAN)),
        )
    )


@bp.route("/report")
def report() -> str:
    """The server-rendered report (mixed mode): one Jinja template. It follows
    the variables of its URL (``/report?region=广东&days=7``), as its charts do."""
    engine = current_app.extensions["pyecharts_demo"].engine
    values = t.cast("Charts", current_app.jinja_env.globals["charts"]).values()
    region, days = str(values["region"]), t.cast(int, values["days"])
    return render_template(
        "report.html",
        kpi=kpis(engine, region, days),
        trend=daily_trend(engine),
        products=sales_by(engine, "product", limit=10, region=region, days=days),
        titles=TITLES,
        generated=now(),
        region=region,
        days=days,
    )
