"""Filters and drill-down: two variables and a clickable chart, no callback code.

The dashboard gets a filter bar (地区, 近 N 天) kept in the page's URL; a
click on a region's bar sets ``region`` (a click on it again clears it), and
the category chart follows. Every variant is built once per refresh.

Run: .venv/bin/flask --app examples/filters.py run
Then open http://127.0.0.1:5000/?region=华东&days=7
"""

from __future__ import annotations

import zlib

from flask import Flask
from pyecharts.charts import Bar

from flask_pyecharts import Charts

REGIONS = ["华东", "华北", "华南", "西南"]
CATEGORIES = ["衬衫", "羊毛衫", "雪纺衫", "裤子", "高跟鞋", "袜子"]


def sales(region: str, days: int, category: str = "") -> int:
    """Made-up but stable sales figures (a database query in a real app)."""
    regions = REGIONS if region == "全国" else [region]
    return sum(zlib.crc32(f"{r}{category}".encode()) % 50 + 10 for r in regions) * days


app = Flask(__name__)
charts = Charts(app)
charts.variable("region", choices=["全国", *REGIONS], default="全国", label="地区")
charts.variable("days", type=int, choices=[7, 30, 90], default=30, label="近 N 天")


@charts.chart("by_region", refresh=60, on_click={"region": "name"}, title="各地区")
def by_region(days: int) -> Bar:  # a click on a bar sets region
    values = [sales(region, days) for region in REGIONS]
    return Bar().add_xaxis(REGIONS).add_yaxis("销售额", values)


@charts.chart("by_category", refresh=60, title="品类销售额")
def by_category(region: str, days: int) -> Bar:
    values = [sales(region, days, category) for category in CATEGORIES]
    return Bar().add_xaxis(CATEGORIES).add_yaxis(f"{region} · 近 {days} 天", values)


charts.dashboard("/", ["by_region", "by_category"], title="销售分析", columns=2)
