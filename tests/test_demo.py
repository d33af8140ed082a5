"""The demo report system: its database, simulator, charts, pages and command."""

from __future__ import annotations

import contextlib
import datetime
import gc
import json
import re
import shlex
import shutil
import sqlite3
import subprocess
import time
import typing as t
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask import Flask

from flask_pyecharts.demo import create_app, db, queries
from flask_pyecharts.demo.queries import CITIES, city_sales, sales_by
from flask_pyecharts.demo.reports import REPORTS, screen
from flask_pyecharts.demo.reports.live import LIVE_ORDERS

from .conftest import MAPS, wait_until

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def demo_app(database: Path) -> t.Iterator[Flask]:
    app = create_app(database, simulate=False, progress=False)
    yield app
    app.jinja_env.globals["charts"].shutdown()


def scalar(path: Path, sql: str, *params: t.Any) -> t.Any:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql, params).fetchone()[0]


def insert_order(path: Path, amount: float) -> str:
    """Insert an order directly with sqlite3, as another program would."""
    created = db.stamp(db.now())
    with contextlib.closing(sqlite3.connect(path, timeout=10)) as connection:
        connection.execute(
            "INSERT INTO orders (created_at, product_id, province_id, channel_id,"
            " quantity, amount) VALUES (?, 1, 1, 1, 1, ?)",
            (created, amount),
        )
        connection.commit()
    return created


# -- the database ------------------------------------------------------------------


def test_generated_database_looks_like_a_shop(
    template_database: Path, demo_end: datetime.datetime
) -> None:
    """Regression: the history was checked against the wall clock when the test
    ran, minutes after the session fixture generated it: 90 days and 90 s."""
    path = template_database
    count = scalar(path, "SELECT COUNT(*) FROM orders")
    assert 30_000 <= count <= 150_000
    oldest = datetime.datetime.fromisoformat(
        scalar(path, "SELECT MIN(created_at) FROM orders")
    )
    newest = datetime.datetime.fromisoformat(
        scalar(path, "SELECT MAX(created_at) FROM orders")
    )
    assert datetime.timedelta(days=89) < newest - oldest <= datetime.timedelta(days=91)
    # From midnight 90 days before the end it was given, to that end (the last
    # hour may be a quiet night hour without orders).
    assert newest <= demo_end
    midnight = datetime.datetime.combine(demo_end.date(), datetime.time())
    assert oldest >= midnight - datetime.timedelta(days=90)
    assert scalar(path, "SELECT COUNT(*) FROM categories") == 10
    assert scalar(path, "SELECT COUNT(*) FROM provinces") == 31
    assert scalar(path, "SELECT COUNT(*) FROM channels") == 6
    assert scalar(path, "SELECT COUNT(*) FROM products") >= 30
    assert scalar(path, "SELECT COUNT(*) FROM products WHERE length(name) > 20") >= 5
    # Ids follow time: the stream's cursor column is in time order.
    unordered = scalar(
        path,
        "SELECT COUNT(*) FROM orders a JOIN orders b ON b.id = a.id + 1"
        " WHERE b.created_at < a.created_at",
    )
    assert unordered == 0
    # Evenings are busier than nights, weekends busier than Tuesdays.
    by_hour = dict(
        sqlite3.connect(path)
        .execute(
            "SELECT CAST(strftime('%H', created_at) AS INTEGER), COUNT(*)"
            " FROM orders GROUP BY 1"
        )
        .fetchall()
    )
    assert by_hour[21] > 5 * by_hour[4]
    assert scalar(path, "PRAGMA journal_mode") == "wal"


def test_generation_is_fast_and_shows_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.perf_counter()
    db.create_database(tmp_path / "tenth.sqlite3", days=9, progress=False)
    tenth = time.perf_counter() - started
    started = time.perf_counter()
    db.create_database(tmp_path / "fresh.sqlite3", progress=True)
    seconds = time.perf_counter() - started
    # 10 s as ever on an idle machine; on a loaded one, what a tenth of the
    # history took just before, times 10 for the days and 3 for the load's
    # ups and downs: slowness of the machine scales both, slowness of the
    # code (worse than linear in days) does not.
    assert seconds < max(10.0, 30 * tenth), (seconds, tenth)
    assert "Generating 90 days of orders" in capsys.readouterr().out


def test_interrupted_generation_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: t.Any, **kwargs: t.Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(db, "generate_orders", interrupted)
    with pytest.raises(KeyboardInterrupt):
        db.create_database(tmp_path / "demo.sqlite3", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_open_database_catches_up_to_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evening = datetime.datetime(2024, 5, 3, 21, 30)  # a busy hour: about 70 orders
    monkeypatch.setattr(db, "now", lambda: evening)
    path = tmp_path / "old.sqlite3"
    three_hours_ago = evening - datetime.timedelta(hours=3)
    db.create_database(path, days=2, progress=False, end=three_hours_ago, seed=5)
    before = scalar(path, "SELECT COUNT(*) FROM orders")
    engine = db.open_database(path, progress=False, seed=5)
    engine.dispose()
    newest = datetime.datetime.fromisoformat(
        scalar(path, "SELECT MAX(created_at) FROM orders")
    )
    added = scalar(path, "SELECT COUNT(*) FROM orders") - before
    assert evening - datetime.timedelta(minutes=10) < newest <= evening
    assert added > 100
    # Nothing is missing any more: a second run adds nothing.
    assert db.catch_up(db.connect(path), progress=False) == 0


def test_simulator_inserts_orders_every_second_until_stopped(database: Path) -> None:
    engine = db.connect(database)
    simulator = db.Simulator(engine, rate=4.0, seed=1)
    before = scalar(database, "SELECT MAX(id) FROM orders")
    started_at = db.now()
    simulator.start()

    def inserted() -> int:
        return scalar(database, "SELECT COUNT(*) FROM orders WHERE id > ?", before)

    try:
        wait_until(lambda: inserted() >= 2, message="the simulator inserted no orders")
    finally:
        simulator.stop()
    stopped_at = db.now()
    assert not simulator.running  # its thread ended: nothing more can come
    count = inserted()
    newest = scalar(database, "SELECT MAX(created_at) FROM orders")
    assert started_at <= datetime.datetime.fromisoformat(newest) <= stopped_at
    assert inserted() == count
    engine.dispose()


def test_pooled_connections_keep_a_small_page_cache(database: Path) -> None:
    """SQLite's 2 MiB page cache a connection would copy the file's pages
    into, on each of the pool's connections: the demo keeps it small (the
    system's file cache holds the pages)."""
    engine = db.connect(database)
    with engine.connect() as connection:
        size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    assert size == -db.PAGE_CACHE_KIB
    engine.dispose()


def test_customers_come_back(template_database: Path) -> None:
    """Orders come from customers, new ones and those who bought before, each
    joining the day of their first order."""
    path = template_database
    buyers = scalar(path, "SELECT COUNT(*) FROM customers")
    orders = scalar(path, "SELECT COUNT(*) FROM orders")
    assert 0.3 < buyers / orders < 0.5  # db.NEW_CUSTOMER of the orders
    assert scalar(path, "SELECT COUNT(*) FROM orders WHERE customer_id IS NULL") == 0
    loyal = scalar(
        path,
        "SELECT COUNT(*) FROM (SELECT customer_id FROM orders GROUP BY 1"
        " HAVING COUNT(*) >= 3)",
    )
    assert loyal > buyers / 10
    joined_late = scalar(
        path,
        "SELECT COUNT(*) FROM customers JOIN (SELECT customer_id,"
        " MIN(created_at) AS first FROM orders GROUP BY 1) AS o"
        " ON o.customer_id = customers.id WHERE o.first != customers.created_at",
    )
    assert joined_late == 0
    moved = scalar(
        path,
        "SELECT COUNT(*) FROM orders JOIN customers ON customers.id = customer_id"
        " WHERE customers.province_id != orders.province_id",
    )
    assert moved == 0  # a customer buys in their province


def test_a_database_of_the_old_demo_is_generated_anew(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    db.open_database(path, progress=True).dispose()
    assert "predates customers: generating anew" in capsys.readouterr().out
    assert scalar(path, "SELECT COUNT(*) FROM orders WHERE customer_id > 0") > 10_000


# -- the app -------------------------------------------------------------------


def layout_names(report: t.Any) -> list[str]:
    """The charts of a report's layout, in reading order."""
    return list(dict.fromkeys(name for name in report.LAYOUT.split() if name != "."))


def page_charts(html: str) -> list[str]:
    return re.findall(r'data-chart="/charts/api/charts/([\w.-]+)"', html)


#: The charts of the dashboard the demo had before its reports: every kind.
CHARTS = [
    "target",
    "sales_map",
    "province_sales",
    "live_orders",
    "orders_per_minute",
    "channel_share",
    "category_sales",
    "top_products",
    "hour_heatmap",
]


def test_the_home_page_lists_the_six_reports_the_screen_and_the_playlist(
    demo_app: Flask,
) -> None:
    response = demo_app.test_client().get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="zh-CN"' in html  # the chrome in Chinese
    assert "零售分析" in html
    links = re.findall(r'href="(/[a-z]*)"', html)
    rules = [report.RULE for report in REPORTS]
    assert [link for link in links if link in rules] == rules
    assert screen.RULE in links
    for report in [*REPORTS, screen]:
        assert report.TITLE in html and report.DESCRIPTION in html


@pytest.mark.parametrize("report", REPORTS, ids=lambda report: report.RULE)
def test_every_report_page_shows_its_charts_and_the_filters(
    demo_app: Flask, report: t.Any
) -> None:
    response = demo_app.test_client().get(report.RULE + "?region=广东&days=7")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    names = layout_names(report)
    assert sorted(page_charts(html)) == sorted(names)
    assert len(names) >= 6
    assert f"<title>{report.TITLE}</title>" in html
    assert '<option value="广东" selected>广东</option>' in html
    registry = demo_app.jinja_env.globals["charts"].registry
    # The period filter where a chart follows it: the live report is today's.
    periodic = any("days" in registry.chart(name).variables for name in names)
    assert periodic is (report.RULE != "/live")
    assert ('<option value="7" selected>7</option>' in html) is periodic
    cards = report.LAYOUT.strip().splitlines()[0].split()  # the top row
    assert len(set(cards)) == 4
    for name in cards:
        assert registry.chart(name).display == "number", name


def test_every_builder_builds_for_every_period_and_region(demo_app: Flask) -> None:
    """Every chart, card and table of every report, for each period, for the
    whole country, the largest and the smallest province; the region-shaped
    ones (the map, the ranking) for every province."""
    runtime = demo_app.extensions["pyecharts"]
    names = {name for report in REPORTS for name in layout_names(report)}
    assert names <= set(runtime.registry.charts)
    engine = demo_app.extensions["pyecharts_demo"].engine
    regions = ["全国", *queries.provinces(engine)]
    cases = [
        (name, region, days)
        for name in sorted(names)
        for days in queries.PERIODS
        for region in (
            regions if name in ("sales_map", "province_rank") and days == 7
            else ["全国", "广东", "西藏"]
        )
    ]  # fmt: skip
    for name, region, days in cases:
        spec = runtime.registry.chart(name)
        city = (queries.CITIES.get(region) or [queries.ALL_CITIES])[0]  # its first
        given = {"region": region, "days": days, "city": city}
        with demo_app.app_context():
            built = spec.builder(**{key: given[key] for key in spec.variables})
        assert built, (name, region, days)


def test_the_screen_shows_the_whole_business(demo_app: Flask) -> None:
    response = demo_app.test_client().get(screen.RULE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    names = layout_names(screen)
    assert sorted(page_charts(html)) == sorted(names)
    assert f"<title>{screen.TITLE}</title>" in html
    rows = [line.split() for line in screen.LAYOUT.strip().splitlines()]
    assert len(set(rows[0])) == 4  # number cards across the top
    assert [row[1:3] for row in rows[1:3]] == [["sales_map"] * 2] * 2  # the centre
    assert {"order_table", "live_orders"} <= set(names)
    registry = demo_app.jinja_env.globals["charts"].registry
    charts = [name for name in names if registry.chart(name).display == "chart"]
    assert 5 <= len(charts) <= 7  # the map and 4 to 6 charts


def test_the_playlist_shows_the_screen_and_the_overview(demo_app: Flask) -> None:
    response = demo_app.test_client().get(screen.PLAYLIST)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    reports = re.search(r'class="fpe-playlist-reports">(.*?)</script>', html)[1]
    assert [item["url"] for item in json.loads(reports)] == [
        "/screen?kiosk=1",
        "/overview?kiosk=1",
    ]
    assert 'data-every="30.0"' in html


def test_number_cards_compare_with_the_period_before(demo_app: Flask) -> None:
    """A card's value is the period's, its previous the period just before (none
    before the data began), its trend one point a day."""
    engine = demo_app.extensions["pyecharts_demo"].engine
    week = queries.compare(engine, "全国", 7)
    assert week.before is not None and week.before.orders > 0.8 * week.now.orders
    assert len(week.daily) == 7  # whole days: today is not over
    today = queries.totals(engine, "全国", queries.Period.today())
    assert sum(day.orders for day in week.daily) + today.orders == week.now.orders
    assert queries.compare(engine, "全国", 90).before is None
    share = queries.customers(engine, "广东", queries.Period.last(30))
    assert share.new > 0 and share.returning > 0
    assert 0 < share.repeat_rate < 100


def test_the_region_choices_come_from_the_database(demo_app: Flask) -> None:
    listing = demo_app.test_client().get("/charts/api/charts").json
    variables = {item["name"]: item for item in listing["variables"]}
    regions = variables["region"]["choices"]
    assert regions[:3] == ["全国", "广东", "浙江"] and len(regions) == 32
    assert set(regions[1:]) == set(CITIES)  # every province has its cities
    assert variables["days"]["choices"] == ["7", "30", "90"]
    charts = {item["name"]: item for item in listing["charts"]}
    assert charts["live_orders"]["variables"] == []  # the stream is global
    assert charts["sales_map"]["on_click"] == {"region": "name", "city": "name"}
    assert charts["province_sales"]["on_click"] == {"region": "name"}
    for name in set(CHARTS) - {"live_orders"}:
        assert "region" in charts[name]["variables"], name


def test_every_chart_follows_the_region_and_the_period(demo_app: Flask) -> None:
    client = demo_app.test_client()
    url = "/charts/api/charts/category_sales"
    country = client.get(url).json
    guangdong = client.get(url + "?region=广东&days=7").json
    assert guangdong["variables"] == {"days": "7", "region": "广东"}
    assert guangdong["option"]["title"][0]["subtext"] == "广东 · 近 7 天"
    total = sum(guangdong["option"]["series"][0]["data"])
    assert 0 < total < sum(country["option"]["series"][0]["data"])
    gauge = client.get("/charts/api/charts/target?region=浙江").json
    assert gauge["option"]["title"][0]["text"].startswith("浙江今日销售额")
    bars = client.get("/charts/api/charts/province_sales?region=广东").json
    items = bars["option"]["series"][0]["data"]
    highlighted = [item["name"] for item in items if "itemStyle" in item]
    assert highlighted == ["广东"]
    refused = client.get(url + "?region=广州市")
    assert refused.status_code == 400
    assert "the allowed values are 全国, 广东, 浙江" in refused.json["error"]


def test_a_province_drills_into_its_cities(demo_app: Flask) -> None:
    engine = demo_app.extensions["pyecharts_demo"].engine
    cities = city_sales(engine, "广东", 30)
    assert [city for city, _ in cities] != CITIES["广东"]  # sorted by sales
    assert sorted(city for city, _ in cities) == sorted(CITIES["广东"])
    province = next(row for row in sales_by(engine, "province") if row.name == "广东")
    assert sum(value for _, value in cities) == pytest.approx(province.sales, 1e-6)
    assert cities[0][0] == "广州市"  # the capital sells most
    response = demo_app.test_client().get("/charts/api/charts/sales_map?region=广东")
    if MAPS:
        series = response.json["option"]["series"][0]
        assert series["type"] == "map" and series["map"] == "广东"
        assert {item["name"] for item in series["data"]} == set(CITIES["广东"])
    else:  # the province's geometry is not bundled: the chart says so
        assert response.status_code == 503
        assert "Chart dependency '广东' is not bundled" in response.json["error"]


def test_every_chart_builds_with_data(demo_app: Flask) -> None:
    client = demo_app.test_client()
    # The stream's first points come from its producer's first run (backfill).
    wait_until(
        lambda: client.get("/charts/api/charts/live_orders/points").json["points"],
        message="the live_orders producer never ran",
    )
    kinds = {}
    types = set()
    for name in CHARTS:
        response = client.get(f"/charts/api/charts/{name}")
        if name == "sales_map" and not MAPS:
            assert response.status_code == 503
            assert "Chart dependency 'china' is not bundled" in response.json["error"]
            continue
        assert response.status_code == 200, (name, response.json)
        document = response.json
        kinds[name] = document["kind"]
        for series in document["option"]["series"]:
            types.add(series["type"])
            assert series["data"], f"{name}: {series['type']} series has no data"
    assert kinds["live_orders"] == "stream"
    assert list(kinds.values()).count("full") == (8 if MAPS else 7)
    assert types >= {"gauge", "line", "bar", "pie", "heatmap"} | (
        {"map"} if MAPS else set()
    )


def test_the_heatmap_has_every_hour_of_every_day(
    demo_app: Flask, database: Path
) -> None:
    """An hour nobody ordered in is a 0 (the scale's lowest colour), not a blank."""
    with contextlib.closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("DELETE FROM orders WHERE strftime('%H', created_at) = '04'")
    client = demo_app.test_client()
    (series,) = client.get("/charts/api/charts/hour_heatmap?days=7").json["option"][
        "series"
    ]
    cells = {(hour, day): count for hour, day, count in series["data"]}
    assert len(series["data"]) == len(cells) == 7 * 24
    assert [cells[4, day] for day in range(7)] == [0] * 7
    assert all(cells[21, day] > 0 for day in range(7))  # the evening's peak


def test_charts_have_chinese_labels_and_long_product_names(demo_app: Flask) -> None:
    client = demo_app.test_client()
    categories = client.get("/charts/api/charts/category_sales").json["option"]
    labels = categories["yAxis"][0]["data"]
    assert "家居家装与厨房收纳用品" in labels
    products = client.get("/charts/api/charts/top_products").json["option"]
    assert max(len(label) for label in products["yAxis"][0]["data"]) > 20
    assert client.get("/charts/api/charts/top_products").json.get("fit_labels", True)


def test_report_page_is_server_rendered_with_embedded_charts(demo_app: Flask) -> None:
    response = demo_app.test_client().get("/report")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<script src="/charts/static/echarts.min.js"></script>' in html
    assert '<script src="/charts/static/flask-pyecharts.js"></script>' in html
    initial = html.count('class="fpe-initial"')
    live = re.findall(r'data-chart="/charts/api/charts/([\w.-]+)"', html)
    assert len(live) == 6 and "live_orders" in live
    assert initial == 7  # six live charts and the one-off daily trend
    assert "今日销售额" in html and "热销商品" in html
    assert html.count("<tr><td>") == 10
    assert 'href="/overview"' in html  # to the overview


def test_the_report_follows_the_variables_of_its_url(demo_app: Flask) -> None:
    html = demo_app.test_client().get("/report?region=广东&days=7").get_data(True)
    assert "零售销售报表 · 广东" in html and "近 7 天销售额" in html
    assert "广东 · 近 7 天" in html  # the embedded category chart's subtitle
    assert 'href="/overview?region=%E5%B9%BF%E4%B8%9C&amp;days=7"' in html
    fallback = demo_app.test_client().get("/report?region=火星").get_data(True)
    assert "零售销售报表 · 全国" in fallback


def test_order_inserted_by_anyone_reaches_the_live_chart(
    demo_app: Flask, database: Path
) -> None:
    client = demo_app.test_client()
    document = client.get("/charts/api/charts/live_orders").json
    cursor = document["cursor"]
    created = insert_order(database, 4321.5)
    seen: list = []

    def arrived() -> bool:
        nonlocal cursor
        page = client.get(f"/charts/api/charts/live_orders/points?since={cursor}").json
        seen.extend(page["points"])
        cursor = page["cursor"]
        return [0, [created, 4321.5]] in seen

    wait_until(arrived, message="the order never reached the live chart")


def test_every_order_reaches_the_order_table_once(
    demo_app: Flask, database: Path
) -> None:
    """The latest orders' table starts with the last 30 orders and takes each
    new one as a row, with its names, exactly once."""
    client = demo_app.test_client()
    url = "/charts/api/charts/order_table"
    wait_until(
        lambda: client.get(url).json["option"]["series"][0]["data"],
        message="the order table's producer never ran",
    )
    document = client.get(url).json
    assert document["kind"] == "stream" and document["window"] == 30
    rows = document["option"]["series"][0]["data"]
    assert len(rows) == 30 and len(rows[0]) == 5
    cursor = document["cursor"]
    created = insert_order(database, 1234.5)
    seen: list = []

    def arrived() -> bool:
        nonlocal cursor
        page = client.get(f"{url}/points?since={cursor}").json
        seen.extend(page["points"])
        cursor = page["cursor"]
        return any(row[4] == 1234.5 for _, row in seen)

    wait_until(arrived, message="the order never reached the order table")
    province = scalar(database, "SELECT name FROM provinces WHERE id = 1")
    product = scalar(database, "SELECT name FROM products WHERE id = 1")
    row = [row for _, row in seen if row[4] == 1234.5]
    assert row == [[created[11:], province, "天猫旗舰店", product, 1234.5]]


def test_the_demo_streams_come_back_whole_after_a_restart(database: Path) -> None:
    """Its streams are kept in a file next to its database: a new server on
    the same files goes on from every viewer's cursor."""
    app = create_app(database, simulate=False, progress=False)
    store = app.extensions["pyecharts"].store
    assert store.path == database.with_name("demo-streams.sqlite3")
    before: list = []
    cursor = ""

    def backfilled() -> bool:  # by the producer's first call
        nonlocal cursor
        page = (
            app.test_client()
            .get(f"/charts/api/charts/live_orders/points?since={cursor}")
            .json
        )
        before.extend(page["points"])
        cursor = page["cursor"]
        return len(before) >= LIVE_ORDERS

    wait_until(backfilled, message="the live chart was never backfilled")
    assert len(before) == LIVE_ORDERS  # the whole window
    app.jinja_env.globals["charts"].shutdown()
    created = insert_order(database, 1234.5)  # while no server runs
    again = create_app(database, simulate=False, progress=False)
    client = again.test_client()
    after: list = []

    def arrived() -> bool:
        nonlocal cursor
        page = client.get(f"/charts/api/charts/live_orders/points?since={cursor}").json
        assert not page["reset"]  # the same epoch and numbers: no reset
        after.extend(page["points"])
        cursor = page["cursor"]
        return [0, [created, 1234.5]] in after

    wait_until(arrived, message="the order never reached the restarted server")
    whole = client.get("/charts/api/charts/live_orders/points").json["points"]
    assert whole == (before + after)[-LIVE_ORDERS:]  # no gap, nothing twice
    again.jinja_env.globals["charts"].shutdown()


def test_close_stops_the_simulator(database: Path) -> None:
    app = create_app(database, progress=False)
    demo = app.extensions["pyecharts_demo"]
    assert demo.simulator.running
    demo.close()
    assert not demo.simulator.running
    app.jinja_env.globals["charts"].shutdown()


def test_the_background_threads_end_with_the_app(database: Path) -> None:
    """Nothing holds the app but its user: dropping it stops its threads."""
    app = create_app(database, progress=False)
    simulator = app.extensions["pyecharts_demo"].simulator
    runtime = app.extensions["pyecharts"]
    producers = list(runtime._producers.values())
    assert simulator.running and producers
    del app

    def stopped() -> bool:  # a producer may be inside the app's context a moment
        gc.collect()
        return not simulator.running

    wait_until(stopped, message="the simulator outlived its app")
    assert runtime.stopped
    assert all(not producer._thread.is_alive() for producer in producers)


def test_create_app_is_a_flask_factory(database: Path, tmp_path: Path) -> None:
    """``flask --app flask_pyecharts.demo`` finds the factory (no arguments)."""
    cache = tmp_path / "cache"
    (cache / "flask-pyecharts").mkdir(parents=True)
    shutil.copy(database, cache / "flask-pyecharts" / "demo.sqlite3")
    result = subprocess.run(
        [
            str(ROOT / ".venv/bin/flask"),
            "--app",
            "flask_pyecharts.demo",
            "pyecharts",
            "charts",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(cache)},
    )
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"live_orders\s+stream\s+window 200, producer every 0.5 s", result.stdout
    )


# -- the command in the README -------------------------------------------------------


def readme_demo_command() -> list[str]:
    """The demo command of the README's first code block."""
    readme = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, flags=re.S).group(1)
    line = next(line for line in block.splitlines() if "flask-pyecharts demo" in line)
    command = line.split("&&")[-1].split("#")[0]
    return shlex.split(command)


def wait_for(url: str, timeout: float) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_the_readme_demo_command_starts(tmp_path: Path) -> None:
    command = readme_demo_command()
    assert command == [".venv/bin/flask-pyecharts", "demo"]
    database = tmp_path / "fresh.sqlite3"  # created on first run
    process = subprocess.Popen(  # port 0: the demo takes a free one, and says which
        [*command, "--port", "0", "--database", str(database)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        started = ""
        while "Demo running on" not in started:  # or '' once it exited
            started = process.stdout.readline()
            assert started, "the demo exited before it started"
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", started)[1])
        pages = {}
        while "report:" not in pages:  # the pages besides the home page
            line = process.stdout.readline()
            assert line.startswith("  "), line
            page, url = line.rsplit(None, 1)
            pages[page.strip()] = url
        status, html = wait_for(f"http://127.0.0.1:{port}/", timeout=60)
        assert status == 200 and 'href="/overview"' in html  # the home page
        status, page = wait_for(f"http://127.0.0.1:{port}/screen", timeout=5)
        assert status == 200
        assert page.count("data-chart=") == len(set(screen.LAYOUT.split()))
        status, report = wait_for(f"http://127.0.0.1:{port}/report", timeout=5)
        assert status == 200 and "零售销售报表" in report
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/charts/static/echarts.min.js", timeout=5
        ) as response:
            assert response.status == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert pages["report:"] == f"http://127.0.0.1:{port}/report"
    assert pages["big screen:"] == f"http://127.0.0.1:{port}/screen"
    assert pages["playlist:"] == f"http://127.0.0.1:{port}/tv"
    assert "Traceback" not in output
    assert database.exists()
    assert scalar(database, "SELECT COUNT(*) FROM orders") > 30_000


def test_the_regions_map_drills_from_a_province_into_a_city(demo_app: Flask) -> None:
    """全国 › 广东 › 广州市: a click on the map sets the region, then the city
    (a chained variable), which the city card and the map follow."""
    client = demo_app.test_client()
    listed = client.get("/charts/api/charts?region=广东").get_json()
    city = {item["name"]: item for item in listed["variables"]}["city"]
    assert city["parent"] == "region" and city["choices"][:2] == ["全部", "广州市"]
    document = client.get("/charts/api/charts/sales_map?region=广东&city=广州市")
    option = document.get_json()["option"]
    assert option["title"][0]["text"].startswith("广东 · 广州市")
    selected = [
        item["name"] for item in option["series"][0]["data"] if item.get("selected")
    ]
    assert selected == ["广州市"]
    assert document.get_json()["on_click"] == {"region": "name", "city": "name"}
    share = client.get("/charts/api/charts/city_share?region=广东&city=广州市")
    assert 0 < share.get_json()["option"]["series"][0]["data"][0] < 100
    assert client.get("/charts/api/charts/city_share?city=广州市").status_code == 400
    page = client.get("/regions?region=广东&city=广州市").get_data(as_text=True)
    assert '<option value="广州市" selected>广州市</option>' in page
