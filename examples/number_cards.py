"""Number cards (数字翻牌器): figures that roll to each new value.

A builder returns a number, or ``{"value": v, "previous": p, "trend": [...]}``:
the card shows the change against ``previous`` (red up, green down on a
Chinese page; green up on an English one; ``up=`` decides) and a sparkline
of ``trend``. Cards are charts like any other: variables, the JSON API,
dashboards, ``charts.embed`` and exports work the same.

Run: .venv/bin/flask --app examples/number_cards.py run
Then open http://127.0.0.1:5000/ (English) or http://127.0.0.1:5000/zh (中文)
"""

from __future__ import annotations

import random
import time

from flask import Flask, render_template_string

from flask_pyecharts import Charts

app = Flask(__name__)
charts = Charts(app)
SHARE = {"全国": 1.0, "华东": 0.42, "华北": 0.23}  # of the whole country
charts.variable("region", choices=list(SHARE), default="全国", label="地区")

YESTERDAY = 2_400_000.0


def hourly_sales() -> list[float]:
    """The last 24 hours' sales of the country (simulated: an hour every 3 s)."""
    now = int(time.time() // 3)
    return [
        random.Random(hour).uniform(80_000, 120_000) for hour in range(now - 24, now)
    ]


@charts.number("sales", refresh=3, label="今日销售额", prefix="¥", digits=2)
def sales(region: str) -> dict:
    trend = [round(hour * SHARE[region], 2) for hour in hourly_sales()]
    return {"value": sum(trend), "previous": YESTERDAY * SHARE[region], "trend": trend}


@charts.number("orders", refresh=3, label="订单数", suffix=" 单")
def orders(region: str) -> int:
    return int(random.randint(9_000, 11_000) * SHARE[region])


@charts.number("refunds", refresh=3, label="退款率", suffix="%", digits=1, up="green")
def refunds() -> dict:
    return {"value": random.uniform(1, 3), "previous": 2.0}  # a fall is good news


charts.dashboard("/", ["sales", "orders", "refunds"], title="Today", columns=3)


@app.route("/zh")
def chinese() -> str:
    return render_template_string(
        """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>今日概览</title>{{ charts.scripts() }}</head><body>
{% for name in ["sales", "orders", "refunds"] %}{{ charts.embed(name) }}{% endfor %}
</body></html>"""
    )
