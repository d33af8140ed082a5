"""The server-rendered report (mixed mode): one Jinja template that embeds
the reports' live charts next to figures and a table it renders itself."""

from __future__ import annotations

import typing as t

from flask import Blueprint, current_app, render_template
from pyecharts import options as opts
from pyecharts.charts import Line

from . import queries
from .db import now
from .formats import WAN, yuan

if t.TYPE_CHECKING:
    from sqlalchemy import Engine

    from flask_pyecharts import Charts

#: The live charts the report embeds, in order.
EMBEDDED = [
    "live_orders",
    "target",
    "category_sales",
    "channel_share",
    "province_sales",
    "hour_heatmap",
]

bp = Blueprint("demo", __name__, template_folder="templates")


def daily_trend(engine: Engine) -> Line:
    """Sales per day over the last 90 full days: a one-off chart for the report."""
    rows = queries.daily_history(engine, 90)
    return (
        Line()
        .add_xaxis([row.day for row in rows])
        .add_yaxis(
            "销售额（元）",
            [yuan(row.sales) for row in rows],
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
    charts = t.cast("Charts", current_app.jinja_env.globals["charts"])
    values = charts.values()
    region, days = str(values["region"]), t.cast(int, values["days"])
    return render_template(
        "report.html",
        kpi=queries.kpis(engine, region, days),
        trend=daily_trend(engine),
        products=queries.sales_by(
            engine, "product", limit=10, region=region, days=days
        ),
        embedded=[(name, charts.registry.chart(name).label) for name in EMBEDDED],
        generated=now(),
        region=region,
        days=days,
    )
