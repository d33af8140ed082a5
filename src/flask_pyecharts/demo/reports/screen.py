"""零售实时数据大屏: the whole business on one 1920×1080 screen (number cards
across the top, the map of China in the centre, the latest orders scrolling
on the right, the live order line below), and the playlist that shows it in
turn with the overview."""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from flask_pyecharts import Charts

RULE = "/screen"
TITLE = "零售实时数据大屏"
DESCRIPTION = "全国今日实时经营数据，为 1920×1080 大屏设计。"
LAYOUT = """
    today_sales     today_orders  today_avg    last_hour_orders
    channel_share   sales_map     sales_map    order_table
    category_sales  sales_map     sales_map    order_table
    top_products    live_orders   live_orders  hour_heatmap
"""
#: The playlist: the screen, then the overview, 30 s each.
PLAYLIST = "/tv"
PLAYLIST_REPORTS = [RULE, "/overview"]


def register(charts: Charts) -> None:
    """Register the screen (the reports' charts first)."""
    charts.screen(
        RULE,
        layout=LAYOUT,
        size=(1920, 1080),
        title=TITLE,
        theme="dark",
        description=DESCRIPTION,
    )


def register_playlist(charts: Charts) -> None:
    """Register the playlist (the screen and the overview first)."""
    charts.playlist(PLAYLIST, PLAYLIST_REPORTS, every=30, title="零售轮播")
