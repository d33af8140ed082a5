"""The demo's reports: one module a report, each registering its charts,
number cards and tables, then its page.

:func:`register` declares the variables the reports filter by (the
``region``, 全国 or a province; in the regions report a ``city`` of it; the
period in ``days``), registers every
report's charts first (a report may show another's: the overview shows the
live report's gauge) and then the pages.
"""

from __future__ import annotations

import typing as t

from ..queries import ALL, ALL_CITIES, CITIES, PERIODS, provinces
from . import channels, customers, live, overview, products, regions, screen

if t.TYPE_CHECKING:
    from sqlalchemy import Engine

    from flask_pyecharts import Charts

#: The reports, in the order the site lists them.
REPORTS = [overview, channels, regions, products, customers, live]


def register(charts: Charts, engine: Engine) -> None:
    """Register the variables, every report's charts, their pages, the screen,
    its playlist and the home page (the site)."""
    charts.variable(
        "region", choices=lambda: provinces(engine), default=ALL, label="地区"
    )
    charts.variable(
        "city",
        parent="region",  # a province's cities: 全国 › 广东 › 广州市
        choices=lambda region: [ALL_CITIES, *CITIES.get(region, [])],
        default=ALL_CITIES,
        label="城市",
    )
    charts.variable(
        "days", type=int, choices=PERIODS, default=30, label="统计周期（天）"
    )
    for report in REPORTS:
        report.register(charts, engine)
    for report in REPORTS:
        charts.dashboard(
            report.RULE,
            layout=report.LAYOUT,
            title=report.TITLE,
            description=report.DESCRIPTION,
            endpoint=report.__name__.rpartition(".")[2],
        )
    screen.register(charts)
    screen.register_playlist(charts)
    charts.site("/", title="零售分析")
