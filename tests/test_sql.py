"""SQL sources: query() and TableStream, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime
import typing as t
import uuid

import orjson
import pytest
from flask import Flask
from pyecharts.charts import Line
from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.engine import Engine

from flask_pyecharts import Charts
from flask_pyecharts.sql import TableStream, query

from .conftest import wait_until

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class Database(t.NamedTuple):
    engine: Engine
    items: Table
    schema: str | None


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: t.Any) -> t.Iterator[Database]:
    """An ``items`` table: on a SQLite file, or in a fresh PostgreSQL schema."""
    schema = None
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    else:
        engine = create_engine(POSTGRES_URL)
        schema = f"fpe_test_{uuid.uuid4().hex[:12]}"
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    items = Table(
        "items",
        MetaData(schema=schema),
        Column("id", Integer, primary_key=True),
        Column("name", String(100), nullable=False),
        Column("amount", Float, nullable=False),
        Column("created_at", DateTime, nullable=False),
    )
    items.metadata.create_all(engine)
    try:
        yield Database(engine, items, schema)
    finally:
        if schema is not None:
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


_clock = datetime.datetime(2024, 5, 1, 12, 0, 0)


def insert(db: Database, *names: str) -> None:
    """Insert one row per name, each a second after the previous row."""
    global _clock
    rows = []
    for name in names:
        _clock += datetime.timedelta(seconds=1)
        rows.append({"name": name, "amount": float(len(name)), "created_at": _clock})
    with db.engine.begin() as connection:
        connection.execute(db.items.insert(), rows)


def stream(db: Database, **options: t.Any) -> TableStream:
    options.setdefault("to_point", lambda row: (row.name, row.amount))
    return TableStream(db.engine, "items", "id", schema=db.schema, **options)


def names(points: list) -> list[str]:
    return [point[0] for point in points]


def run(producer: TableStream, cursor: t.Any) -> tuple[t.Any, t.Any]:
    """One call, with the cursor kept as JSON the way stores keep it."""
    points, new_cursor = producer(cursor)
    return points, orjson.loads(orjson.dumps(new_cursor))


# -- query ------------------------------------------------------------------


def test_query_returns_named_rows(db: Database) -> None:
    insert(db, "衬衫", "羊毛衫", "雪纺衫")
    table = f"{db.schema}.items" if db.schema else "items"
    rows = query(
        db.engine,
        f"SELECT name, amount FROM {table} WHERE amount >= :least ORDER BY id",
        least=3,
    )
    assert [(row.name, row.amount) for row in rows] == [
        ("羊毛衫", 3.0),
        ("雪纺衫", 3.0),
    ]


def test_query_accepts_a_statement(db: Database) -> None:
    insert(db, "a", "bb")
    statement = select(db.items.c.name).where(db.items.c.amount > 1)
    assert [row.name for row in query(db.engine, statement)] == ["bb"]


def test_query_binds_parameters_never_formats_them(db: Database) -> None:
    insert(db, "a", "b")
    table = f"{db.schema}.items" if db.schema else "items"
    hostile = "x' OR '1'='1"
    rows = query(
        db.engine, f"SELECT name FROM {table} WHERE name = :name", name=hostile
    )
    assert rows == []  # formatted into the SQL, it would match every row
    echoed = query(db.engine, "SELECT :value AS value", value="'; DROP TABLE items; --")
    assert echoed[0].value == "'; DROP TABLE items; --"
    assert len(query(db.engine, select(db.items))) == 2


# -- TableStream --------------------------------------------------------------


def test_stream_starts_after_the_existing_rows(db: Database) -> None:
    insert(db, "old-1", "old-2")
    producer = stream(db)
    points, cursor = run(producer, None)
    assert points == []
    insert(db, "new-1", "new-2", "new-3")
    points, cursor = run(producer, cursor)
    assert names(points) == ["new-1", "new-2", "new-3"]
    assert points[0] == ("new-1", 5.0)
    again, same = run(producer, cursor)
    assert again == [] and same == cursor


def test_stream_backfill_starts_with_the_latest_rows_in_order(db: Database) -> None:
    insert(db, "r1", "r2", "r3", "r4")
    points, cursor = run(stream(db, backfill=2), None)
    assert names(points) == ["r3", "r4"]
    insert(db, "r5")
    points, _ = run(stream(db, backfill=2), cursor)
    assert names(points) == ["r5"]


def test_stream_on_an_empty_table_gets_every_later_row(db: Database) -> None:
    producer = stream(db)
    points, cursor = run(producer, None)
    assert points == []
    insert(db, "first", "second")
    points, cursor = run(producer, cursor)
    assert names(points) == ["first", "second"]


def test_stream_reads_at_most_a_batch_per_call(db: Database) -> None:
    producer = stream(db, batch=2)
    _, cursor = run(producer, None)
    insert(db, "a", "b", "c", "d", "e")
    seen = []
    for expected in (2, 2, 1, 0):
        points, cursor = run(producer, cursor)
        assert len(points) == expected
        seen += names(points)
    assert seen == ["a", "b", "c", "d", "e"]


def test_stream_skips_rows_mapped_to_none_and_targets_a_series(db: Database) -> None:
    producer = stream(
        db,
        series=2,
        to_point=lambda row: None if row.name.startswith("skip") else row.amount,
    )
    _, cursor = run(producer, None)
    insert(db, "keep", "skip-me", "kept")
    points, _ = producer(cursor)
    assert points == {2: [4.0, 4.0]}


def test_stream_on_a_timestamp_cursor_survives_json(db: Database) -> None:
    insert(db, "before")
    producer = TableStream(
        db.engine,
        "items",
        "created_at",
        lambda row: row.name,
        schema=db.schema,
    )
    _, cursor = run(producer, None)
    assert isinstance(cursor["after"], str)  # a datetime, kept as ISO text
    insert(db, "after-1", "after-2")
    points, cursor = run(producer, cursor)
    assert points == ["after-1", "after-2"]
    points, _ = run(producer, cursor)
    assert points == []


def test_stream_binds_the_cursor_value(db: Database) -> None:
    producer = stream(db)
    _, cursor = run(producer, None)
    insert(db, "a")
    executed: list[tuple[str, t.Any]] = []

    def record(conn, cursor_, statement, parameters, context, many):  # noqa: ANN001
        executed.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        cursor = {"after": 424242}
        producer(cursor)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    statement, parameters = executed[-1]
    assert "424242" not in statement
    assert "ORDER BY" in statement and "LIMIT" in statement
    values = parameters.values() if isinstance(parameters, dict) else parameters
    assert 424242 in list(values)


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("items; DROP TABLE items", "id"),
        ('items"', "id"),
        ("1items", "id"),
        ("items", "id > 0 --"),
        ("items", ""),
    ],
)
def test_stream_refuses_names_that_are_not_identifiers(
    table: str, column: str, tmp_path: t.Any
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(ValueError, match="not a plain SQL identifier"):
        TableStream(engine, table, column, lambda row: row)
    engine.dispose()


def test_stream_names_a_missing_table_or_column(db: Database) -> None:
    missing_table = TableStream(db.engine, "nope", "id", repr, schema=db.schema)
    with pytest.raises(ValueError, match="no table named 'nope'"):
        missing_table(None)
    missing_column = TableStream(db.engine, "items", "serial", repr, schema=db.schema)
    with pytest.raises(ValueError, match="no column 'serial'.*id, name, amount"):
        missing_column(None)


def test_stream_accepts_a_table_object(db: Database) -> None:
    producer = TableStream(db.engine, db.items, "id", lambda row: row.name)
    _, cursor = run(producer, None)
    insert(db, "object")
    assert run(producer, cursor)[0] == ["object"]


def test_stream_feeds_a_live_chart(db: Database) -> None:
    """New rows reach the chart's points through the library's producer thread."""
    app = Flask(__name__)
    charts = Charts(app)

    @charts.chart("items", window=50)
    def items() -> Line:
        return Line().add_xaxis([]).add_yaxis("amount", [])

    charts.producer("items", every=0.1)(stream(db))
    try:
        client = app.test_client()
        cursor = client.get("/charts/api/charts/items").json["cursor"]
        # The producer's first call marks where the stream starts (no backfill):
        # wait for the cursor it stores, then insert.
        store = charts.runtime(app).store
        wait_until(
            lambda: store.get_blob("producer:items") is not None,
            message="the producer never ran",
        )
        insert(db, "live-1", "live-2")
        seen: list = []

        def two_points() -> bool:
            nonlocal cursor
            page = client.get(f"/charts/api/charts/items/points?since={cursor}").json
            seen.extend(page["points"])
            cursor = page["cursor"]
            return len(seen) >= 2

        wait_until(two_points, message="the rows never reached the chart")
        assert seen == [[0, ["live-1", 6.0]], [0, ["live-2", 6.0]]]
    finally:
        charts.shutdown()
