"""Live tables: a scrolling table of the latest orders (轮播表), fed by a
producer, and a ranking board of the provinces, rebuilt every 5 s.

Each order is shown once, in order, to every viewer; the table keeps the last
30. Cells are text, never markup. On the dashboard, a click on a header sorts
the rows and "Download CSV" saves the rows shown.

Run: .venv/bin/flask --app examples/live_tables.py run
Then open http://127.0.0.1:5000/
"""

from __future__ import annotations

import datetime
import random

from flask import Flask

from flask_pyecharts import Charts

app = Flask(__name__)
charts = Charts(app)

PROVINCES = ["广东", "浙江", "江苏", "山东", "四川", "河南", "湖北", "福建"]
totals = dict.fromkeys(PROVINCES, 0.0)


@charts.table(
    "orders", columns=["时间", "省份", "金额"], window=30, scroll=True, label="最新订单"
)
def orders() -> list[tuple[str, str, float]]:
    return []  # the producer's orders follow


@charts.producer("orders", every=1.0)
def new_orders(cursor: int | None) -> tuple[list[tuple[str, str, float]], int]:
    """Called by the library once a second, once per deployment."""
    number = 0 if cursor is None else cursor + 1
    province = random.choice(PROVINCES)
    amount = round(random.uniform(20, 900), 2)
    totals[province] += amount
    now = datetime.datetime.now().strftime("%H:%M:%S")
    return [(now, province, amount)], number


@charts.table("top", columns=["省份", "销售额"], refresh=5, rank=True, label="省份排行")
def top() -> list[tuple[str, float]]:
    return [(province, round(total, 2)) for province, total in totals.items()]


charts.dashboard("/", ["orders", "top"], title="实时订单")
