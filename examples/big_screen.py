"""A 数据大屏 in about 30 lines of Python: four number cards, a map in the
centre, four charts, a scrolling order table, a title with a clock; no HTML,
CSS or JavaScript. Designed at 1920x1080, it fills any display.

Run: .venv/bin/flask --app examples/big_screen.py run, then open /
"""

import random
import time

from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import Bar, Line, Map, Pie
from pyecharts.faker import Faker

from flask_pyecharts import Charts

app = Flask(__name__)
charts = Charts(app)
LAYOUT = """
    sales     orders  buyers  price
    channels  map     map     top
    hours     map     map     live
    week      week    week    live
"""


def figure() -> dict:  # your queries; here made-up figures
    return {"value": random.uniform(1e4, 1e7), "previous": 5e6, "trend": Faker.values()}


for name, label in [("sales", "销售额"), ("orders", "订单数"), ("buyers", "下单人数")]:
    charts.number(name, refresh=5, label=label)(figure)
charts.number("price", refresh=5, label="客单价", prefix="¥", digits=2)(figure)


@charts.chart("map", refresh=30, label="各省销售额")
def sales_map() -> Map:  # full names (广东省) paint on the bundled map
    data = [(name, random.randint(10, 150)) for name in Faker.provinces]
    options = opts.VisualMapOpts(max_=150)
    return Map().add("销售额", data, "china").set_global_opts(visualmap_opts=options)


@charts.chart("channels", refresh=30, label="渠道")
def channels() -> Pie:
    return Pie().add("", [(name, random.randint(5, 50)) for name in Faker.choose()])


@charts.chart("hours", refresh=30, label="分时订单")
def hours() -> Line:
    return Line().add_xaxis(Faker.days_attrs).add_yaxis("订单", Faker.days_values)


@charts.chart("top", refresh=30, label="品类排行")
def top() -> Bar:
    return Bar().add_xaxis(Faker.choose()).add_yaxis("销售额", Faker.values())


@charts.chart("week", refresh=30, label="近七日")
def week() -> Bar:
    return Bar().add_xaxis(Faker.week).add_yaxis("销售额", Faker.values())


@charts.table("live", columns=["时间", "省份", "金额"], refresh=2, scroll=True)
def live() -> list:  # your query: the latest orders
    now, places = time.strftime("%H:%M:%S"), Faker.provinces
    return [(now, random.choice(places), random.randint(9, 999)) for _ in range(20)]


charts.screen("/", title="零售实时数据大屏", layout=LAYOUT)
