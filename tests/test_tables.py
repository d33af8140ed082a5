"""Live tables: the @charts.table wrapper, appended rows, windows, exactly-once
delivery over the points API and /api/updates, data-only patches."""

from __future__ import annotations

import datetime
import decimal
import threading
import typing as t

import pytest
from flask import Flask

from flask_pyecharts import Charts
from flask_pyecharts.reports.tables import MAX_ROWS
from flask_pyecharts.streams.points import MAX_CELL_TEXT

from .conftest import Clock, LiveServer, wait_until
from .sse_client import Event, read_events

#: How long a test waits for what must come (only a failing test waits it out).
PATIENCE = 10.0

COLUMNS = ["时间", "省份", "金额"]


@pytest.fixture
def table_app(
    request: pytest.FixtureRequest, clock: Clock
) -> t.Iterator[tuple[Flask, Charts, dict[str, t.Any]]]:
    """An app with a refresh table (rows given by the test), a windowed table
    seeded with two rows, and a ranking board; on the memory store, or on a
    Redis of the test's own when parametrized with ``"redis"``."""
    app = Flask(__name__)
    app.config.update(TESTING=True)
    if getattr(request, "param", "memory") == "redis":
        server = request.getfixturevalue("private_redis")
        app.config.update(PYECHARTS_STORE=server.url)
    charts = Charts(app, clock=clock)
    state: dict[str, t.Any] = {"rows": [("09:00", "广东", 1.5), ("09:01", "浙江", 2)]}

    @charts.table("today", columns=COLUMNS, refresh=5, label="今日订单")
    def today() -> list[tuple[t.Any, ...]]:
        return state["rows"]

    @charts.table("orders", columns=COLUMNS, window=4, scroll=True)
    def orders() -> list[tuple[t.Any, ...]]:
        return [("08:00", "北京", 10), ("08:01", "上海", 20)]

    @charts.table("top", columns=["省份", "销售额"], refresh=60, rank=True)
    def top() -> list[tuple[t.Any, ...]]:
        return [("广东", 30), ("浙江", 20.5), ("江苏", None)]

    redis = getattr(request, "param", "memory") == "redis"
    store = type(charts.runtime(app).store).__name__
    assert store == ("RedisStore" if redis else "MemoryStore")
    yield app, charts, state
    charts.shutdown()


def option(client: t.Any, name: str) -> dict[str, t.Any]:
    response = client.get(f"/charts/api/charts/{name}")
    assert response.status_code == 200, response.json
    return response.json["option"]


# -- the option ---------------------------------------------------------------


def test_a_table_is_a_chart_whose_option_is_the_table(table_app):
    app, charts, _ = table_app
    client = app.test_client()
    assert option(client, "today") == {
        "card": {"type": "table", "columns": COLUMNS, "scroll": False, "rank": False},
        "series": [
            {
                "type": "table",
                "data": [["09:00", "广东", 1.5], ["09:01", "浙江", 2]],
            }
        ],
    }
    spec = charts.registry.chart("today")
    assert spec.display == "table" and spec.label == "今日订单"
    assert spec.kind == "full"
    assert charts.registry.chart("orders").kind == "stream"
    card = option(client, "top")["card"]
    assert card["rank"] is True and card["scroll"] is False


def test_cells_become_text_numbers_or_null(table_app):
    app, _, state = table_app
    state["rows"] = [
        (
            datetime.datetime(2026, 12, 6, 9, 30),
            "<img src=x onerror=alert(1)>",
            decimal.Decimal("12.50"),
        ),
        (datetime.date(2026, 12, 6), "x" * (MAX_CELL_TEXT + 50), None),
        ["09:00", "", -3],
    ]
    rows = option(app.test_client(), "today")["series"][0]["data"]
    assert rows[0] == ["2026-12-06T09:30:00", "<img src=x onerror=alert(1)>", 12.5]
    assert rows[1][0] == "2026-12-06"
    assert len(rows[1][1]) == MAX_CELL_TEXT and rows[1][1].endswith("…")
    assert rows[1][2] is None
    assert rows[2] == ["09:00", "", -3]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("abc", "returned str; return a list of rows"),
        (None, "returned NoneType"),
        ([("a", "b")], "row 0 has 2 cells; expected a row of 3 cells"),
        ([("a", "b", "c", "d")], "row 0 has 4 cells"),
        ([("a", "b", True)], "cell 2: a value of type bool"),
        ([("a", "b", object())], "cell 2: a value of type object"),
        ([{"a": 1}], "Row 0 is dict"),
        ([("a", "b", 1)] * (MAX_ROWS + 1), f"more than {MAX_ROWS} rows"),
    ],
)
def test_a_builder_returning_bad_rows_answers_503_with_why(table_app, rows, message):
    app, _, state = table_app
    app.debug = True  # the builder's message is shown in debug mode only
    state["rows"] = rows
    response = app.test_client().get("/charts/api/charts/today")
    assert response.status_code == 503
    assert message in response.json["error"]
    assert "today" in response.json["error"]


def test_a_ranking_board_ranks_numbers(clock):
    app = Flask(__name__)
    charts = Charts(app, clock=clock)

    @charts.table("top", columns=["省份", "销售额"], rank=True)
    def top() -> list[tuple[str, str]]:
        return [("广东", "很多")]

    app.debug = True  # the builder's message is shown in debug mode only
    response = app.test_client().get("/charts/api/charts/top")
    assert response.status_code == 503
    assert "ranks '很多', not a number" in response.json["error"]
    charts.shutdown()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"columns": "时间"}, "columns must be a list"),
        ({"columns": []}, "give 1 to 50 columns"),
        ({"columns": ["a", 3]}, "the column 3 must be a text"),
        ({"columns": ["a", ""]}, "the column '' must be a text"),
        ({"columns": ["a"] * 51}, "give 1 to 50 columns"),
        ({"columns": ["a"], "window": MAX_ROWS + 1}, f"at most {MAX_ROWS}"),
        ({"columns": ["a"], "window": 0}, "window must be a positive integer"),
        ({"columns": ["a"], "refresh": -1}, "refresh must be a number"),
        ({"columns": ["a"], "scroll": "yes"}, "scroll must be True or False"),
        ({"columns": ["name"], "rank": True}, "a name and a value column"),
    ],
)
def test_bad_settings_fail_where_the_decorator_is_written(kwargs, message):
    charts = Charts()
    with pytest.raises(ValueError, match=message):
        charts.table("bad", **kwargs)
    assert charts.registry.charts == {}


def test_table_builders_name_variables_like_chart_builders(clock):
    app = Flask(__name__)
    charts = Charts(app, clock=clock)
    charts.variable("region", choices=["全国", "华东"])

    @charts.table("shops", columns=["店铺", "地区"], refresh=60)
    def shops(region: str) -> list[tuple[str, str]]:
        return [("一号店", region)]

    assert charts.registry.chart("shops").variables == ("region",)
    client = app.test_client()
    data = client.get("/charts/api/charts/shops?region=华东").json["option"]
    assert data["series"][0]["data"] == [["一号店", "华东"]]
    with pytest.raises(ValueError, match="no variable of that name"):

        @charts.table("other", columns=["a"])
        def other(city: str) -> list[tuple[str]]:
            return []

    with pytest.raises(ValueError, match="streams are the same for every viewer"):

        @charts.table("streamed", columns=["a"], window=5)
        def streamed(region: str) -> list[tuple[str]]:
            return []

    charts.shutdown()


# -- appended rows ------------------------------------------------------------


@pytest.mark.parametrize("table_app", ["memory", "redis"], indirect=True)
def test_rows_are_appended_one_or_many_and_seeded_by_the_builder(table_app):
    app, charts, _ = table_app
    client = app.test_client()
    assert option(client, "orders")["series"][0]["data"] == [
        ["08:00", "北京", 10],
        ["08:01", "上海", 20],
    ]
    charts.append("orders", ("09:00", "广东", 1))
    charts.append("orders", ["09:01", "浙江", None])  # a list of cells: one row
    charts.append("orders", [("09:02", "江苏", 3), ["09:03", "<b>x</b>", 4.5]])
    data = option(client, "orders")["series"][0]["data"]
    assert data == [  # the window: the last 4 rows, in order
        ["09:00", "广东", 1],
        ["09:01", "浙江", None],
        ["09:02", "江苏", 3],
        ["09:03", "<b>x</b>", 4.5],
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (("a", 1), "table: row 0 has 2 cells; expected a row of 3 cells, one per"),
        ([("a", "b", 1), ("a", 1)], "row 1 has 2 cells"),
        (("a", "b", "c", "d"), "时间, 省份, 金额"),
        (("a", "b", True), "a value of type bool"),
        ([("a", "b", object())], "a value of type object"),
        ("a row", "A table row is a tuple of cells, not str"),
        ({"时间": "a"}, "not dict"),
        (("a", "b", 2**60), "beyond JavaScript's safe integers"),
    ],
)
def test_a_wrong_row_is_refused_and_nothing_is_appended(table_app, rows, message):
    app, charts, _ = table_app
    client = app.test_client()
    before = client.get("/charts/api/charts/orders").json
    with pytest.raises(ValueError, match=message):
        charts.append("orders", rows)
    assert client.get("/charts/api/charts/orders").json == before


def test_rows_go_to_series_0_only_and_only_to_a_windowed_table(table_app):
    _, charts, _ = table_app
    with pytest.raises(ValueError, match="there is no series 1"):
        charts.append("orders", ("a", "b", 1), series=1)
    with pytest.raises(ValueError, match="not a stream"):
        charts.append("today", ("a", "b", 1))


def test_a_ranking_board_refuses_an_appended_row_whose_value_is_text(clock):
    app = Flask(__name__)
    charts = Charts(app, clock=clock)

    @charts.table("top", columns=["省份", "销售额"], window=10, rank=True)
    def top() -> list[tuple[str, float]]:
        return []

    charts.append("top", ("广东", 3))
    with pytest.raises(ValueError, match="ranking table: row 0 ranks '3'"):
        charts.append("top", ("广东", "3"))
    charts.shutdown()


def test_a_window_is_seeded_with_the_builder_s_last_rows(clock):
    app = Flask(__name__)
    charts = Charts(app, clock=clock)

    @charts.table("log", columns=["n"], window=3)
    def log() -> list[tuple[int]]:
        return [(n,) for n in range(7)]

    client = app.test_client()
    assert option(client, "log")["series"][0]["data"] == [[4], [5], [6]]
    points = client.get("/charts/api/charts/log/points").json["points"]
    assert points == [[0, [4]], [0, [5]], [0, [6]]]
    charts.append("log", (7,))
    assert option(client, "log")["series"][0]["data"] == [[5], [6], [7]]
    charts.shutdown()


def test_a_producer_feeds_a_table(table_app):
    app, charts, _ = table_app

    @charts.producer("orders", every=3600)  # called once now, then in an hour
    def new_orders(cursor: int | None) -> tuple[list[tuple[t.Any, ...]], int]:
        if cursor is None:
            return [("10:00", "四川", 7), ("10:01", "重庆", 8)], 2
        return [], cursor

    client = app.test_client()
    rows = wait_until(
        lambda: [
            r for r in option(client, "orders")["series"][0]["data"] if r[2] in (7, 8)
        ],
        message="the producer's rows did not come",
    )
    assert rows == [["10:00", "四川", 7], ["10:01", "重庆", 8]]


# -- exactly once -------------------------------------------------------------


@pytest.mark.parametrize("table_app", ["memory", "redis"], indirect=True)
def test_every_row_once_in_order_over_points_and_updates_across_reconnects(
    table_app,
):
    """Rows appended while viewers read, by the points API in pages and by
    /api/updates, each resuming from its last cursor (a reconnect): both see
    every row once, in order."""
    app, charts, _ = table_app
    client = app.test_client()
    document = client.get("/charts/api/charts/orders").json
    by_points = [row for row in document["option"]["series"][0]["data"]]
    points_cursor = document["cursor"]
    first = client.get("/charts/api/updates?charts=orders").json
    (reset,) = first["updates"]
    assert reset["type"] == "reset"
    by_updates = [row for _, row in reset["points"]]
    updates_since = first["since"]
    appended: list[list[t.Any]] = []
    number = 0
    for batch in range(6):  # 6 batches of 1 to 3 rows; the window is 4
        rows = [
            (f"10:{number + i:02d}", f"省{number + i}", number + i)
            for i in range(batch % 3 + 1)
        ]
        number += len(rows)
        charts.append("orders", rows if len(rows) > 1 else rows[0])
        appended += [list(row) for row in rows]
        # a viewer of the points API reads pages of at most 2 rows
        while True:
            page = client.get(
                f"/charts/api/charts/orders/points?since={points_cursor}&limit=2"
            ).json
            assert page["reset"] is False
            by_points += [row for _, row in page["points"]]
            points_cursor = page["cursor"]
            if not page["points"]:
                break
        # a poller reconnects with the cursor of its last answer
        answer = client.get(
            f"/charts/api/updates?charts=orders&since={updates_since}"
        ).json
        for update in answer["updates"]:
            assert update["type"] == "points"
            by_updates += [row for _, row in update["points"]]
        updates_since = answer["since"]
    seeded = [["08:00", "北京", 10], ["08:01", "上海", 20]]
    assert by_points == seeded + appended
    assert by_updates == seeded + appended
    window = option(client, "orders")["series"][0]["data"]
    assert window == appended[-4:]


def test_a_cursor_older_than_the_window_resets_to_the_window(table_app):
    app, charts, _ = table_app
    client = app.test_client()
    cursor = client.get("/charts/api/charts/orders").json["cursor"]
    charts.append("orders", [(f"11:{i:02d}", "省", i) for i in range(10)])
    page = client.get(f"/charts/api/charts/orders/points?since={cursor}").json
    assert page["reset"] is True
    assert [row[2] for _, row in page["points"]] == [6, 7, 8, 9]


def test_a_rebuild_that_changed_rows_is_a_data_only_patch(table_app, clock):
    """An event stream following a refresh table gets a rebuild whose rows
    changed as a patch of the rows alone."""
    app, charts, state = table_app
    server = LiveServer(app)
    client = app.test_client()
    since = client.get("/charts/api/charts/today").json["etag"]
    opened = threading.Event()
    got: list[list[Event]] = []
    url = f"{server.url}/charts/api/events?charts=today&since={since}"
    reader = threading.Thread(
        target=lambda: got.append(
            read_events(url, until=lambda events: bool(events), opened=opened.set)[0]
        )
    )
    try:
        reader.start()
        assert opened.wait(PATIENCE)
        state["rows"] = [("09:00", "广东", 1.5), ("09:05", "湖南", 8)]
        clock.advance(8)  # the refresh (5 s) and the next publication fall due
        client.get("/charts/api/charts/today").close()  # the rebuild
        reader.join(PATIENCE)
    finally:
        server.stop()
    ((event,),) = got
    assert event.event == "option"
    assert event.data["patch"] == {
        "series": [{"data": [["09:00", "广东", 1.5], ["09:05", "湖南", 8]]}]
    }
    assert "option" not in event.data


def test_the_readme_example_runs():
    """README.md's "Live tables" example, as written: the dashboard shows both
    tables and the appended row follows the builder's."""
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    section = readme.split("## Live tables", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict[str, t.Any] = {"__name__": "readme_example"}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102
    app, charts = scope["app"], scope["charts"]
    try:
        client = app.test_client()
        assert client.get("/").status_code == 200
        rows = option(client, "orders")["series"][0]["data"]
        assert rows == [["09:00:01", "广东", 35.5], ["09:00:02", "浙江", 12.0]]
        assert option(client, "top")["card"]["rank"] is True
    finally:
        charts.shutdown()
