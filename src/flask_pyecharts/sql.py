"""SQL sources: chart data from any database SQLAlchemy can reach.

Two small tools, both on SQLAlchemy Core (install the ``sql`` extra):

- :func:`query` runs a query with bound parameters and returns its rows, for
  the builders of full-refresh charts::

      @charts.chart("sales", refresh=5)
      def sales() -> Bar:
          rows = query(engine, "SELECT name, SUM(amount) AS total FROM orders"
                               " WHERE created_at >= :since GROUP BY name",
                       since=start)
          return Bar().add_xaxis([r.name for r in rows]).add_yaxis(...)

- :class:`TableStream` is a producer that reads the rows added to a table since
  the last call, by an increasing cursor column, so new rows appear live::

      charts.producer("orders", every=0.5)(
          TableStream(engine, "orders", "id", lambda row: (row.created_at, row.amount))
      )

Values always travel as bound parameters; table and column names are checked
as identifiers and reflected from the database, never formatted into SQL.
"""

from __future__ import annotations

import datetime
import decimal
import re
import threading
import typing as t

from sqlalchemy import (
    Column,
    MetaData,
    Row,
    Table,
    bindparam,
    func,
    select,
    text,
)
from sqlalchemy.exc import NoSuchTableError

if t.TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.sql import Executable

__all__ = ["TableStream", "query"]

#: What a producer returns: the points of series 0, or points by series index.
Points = list[t.Any] | dict[int, list[t.Any]]

#: Table, schema and column names accepted by :class:`TableStream`.
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,62}")


def query(
    engine: Engine, sql: str | Executable, /, **params: t.Any
) -> list[Row[t.Any]]:
    """Run ``sql`` with ``params`` bound and return every row.

    :param engine: a SQLAlchemy engine (``create_engine("sqlite:///app.db")``).
    :param sql: SQL text with ``:name`` placeholders, or a SQLAlchemy
        statement (``select(...)``).
    :param params: the placeholders' values, sent to the database as bound
        parameters (never formatted into the SQL text).

    Rows are named tuples: ``row.total`` or ``row[1]``.
    """
    statement = text(sql) if isinstance(sql, str) else sql
    with engine.connect() as connection:
        return list(connection.execute(statement, params).all())


class TableStream:
    """A producer that streams the new rows of a table, in cursor order.

    Each call runs ``SELECT * FROM table WHERE cursor_column > :cursor ORDER BY
    cursor_column LIMIT :batch`` and returns ``(points, new_cursor)``, the
    shape :meth:`Charts.producer <flask_pyecharts.Charts.producer>` expects.

    :param engine: the SQLAlchemy engine to read from.
    :param table: the table name (a plain identifier), or a SQLAlchemy
        :class:`~sqlalchemy.Table`. A name is reflected on first use.
    :param cursor_column: a column whose values strictly increase with every
        new row, such as an autoincrement ``id``. A timestamp works only if no
        two rows share one. Rows committed out of cursor order (long
        concurrent transactions on databases with sequences) can be missed.
    :param to_point: turns a row into a point, e.g. ``(row.time, row.value)``;
        returning ``None`` skips the row.
    :param batch: the most rows read per call; the rest follow on later calls.
    :param schema: the table's schema (PostgreSQL), when not the default one.
    :param backfill: on the first call, start with the last ``backfill``
        existing rows; ``0`` (default) streams only rows added afterwards.
        Give the chart's window to start (and export from a new process) with
        a whole window, not part of it.
    :param series: the series index the points are appended to.
    """

    def __init__(
        self,
        engine: Engine,
        table: str | Table,
        cursor_column: str,
        to_point: t.Callable[[Row[t.Any]], t.Any],
        batch: int = 500,
        *,
        schema: str | None = None,
        backfill: int = 0,
        series: int = 0,
    ) -> None:
        if isinstance(table, str):
            _identifier(table, "table")
        if schema is not None:
            _identifier(schema, "schema")
        _identifier(cursor_column, "cursor_column")
        if not (isinstance(batch, int) and 1 <= batch <= 100_000):
            raise ValueError("batch must be an integer from 1 to 100000.")
        if not (isinstance(backfill, int) and 0 <= backfill <= 100_000):
            raise ValueError("backfill must be an integer from 0 to 100000.")
        if not callable(to_point):
            raise TypeError("to_point must be a function of a row.")
        self.engine = engine
        self.batch = batch
        self.backfill = backfill
        self.series = series
        self.to_point = to_point
        self._table = table if isinstance(table, Table) else None
        self._name = table if isinstance(table, str) else table.name
        self._schema = schema
        self._cursor_name = cursor_column
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TableStream({self._name!r}, {self._cursor_name!r})"

    def __call__(
        self, cursor: dict[str, t.Any] | None
    ) -> tuple[Points, dict[str, t.Any]]:
        """Read the rows after ``cursor``; return ``(points, new_cursor)``.

        The cursor is ``None`` on the first call, then what the previous call
        returned: ``{"after": <last cursor value>}`` (JSON, so it can be kept
        in any store; ``None`` as value means from the first row).
        """
        table, column = self._reflect()
        with self.engine.connect() as connection:
            if cursor is None:
                rows = self._start(connection, table, column)
                if rows:
                    after = rows[-1]._mapping[column]
                else:  # start after the last row (None: the table is empty)
                    after = connection.execute(select(func.max(column))).scalar()
            else:
                after = _load(cursor.get("after"), column)
                statement = self._statement(table, column, after)
                rows = list(connection.execute(statement, {"after": after}))
                if rows:
                    after = rows[-1]._mapping[column]
        points = [point for point in map(self.to_point, rows) if point is not None]
        payload: Points = {self.series: points} if self.series else points
        return payload, {"after": _dump(after)}

    # -- internals --------------------------------------------------------

    def _start(
        self, connection: t.Any, table: Table, column: Column[t.Any]
    ) -> list[Row[t.Any]]:
        if not self.backfill:
            return []
        latest = select(table).order_by(column.desc()).limit(self.backfill)
        return list(reversed(connection.execute(latest).all()))

    def _statement(self, table: Table, column: Column[t.Any], after: t.Any) -> t.Any:
        statement = select(table)
        if after is not None:
            statement = statement.where(column > bindparam("after", type_=column.type))
        return statement.order_by(column).limit(self.batch)

    def _reflect(self) -> tuple[Table, Column[t.Any]]:
        with self._lock:
            if self._table is None:
                try:
                    self._table = Table(
                        self._name,
                        MetaData(),
                        schema=self._schema,
                        autoload_with=self.engine,
                    )
                except NoSuchTableError:
                    where = f" in schema {self._schema!r}" if self._schema else ""
                    raise ValueError(
                        f"TableStream: no table named {self._name!r}{where}; create it"
                        " first or check the name."
                    ) from None
            table = self._table
        if self._cursor_name not in table.c:
            columns = ", ".join(table.c.keys())
            raise ValueError(
                f"TableStream: table {self._name!r} has no column"
                f" {self._cursor_name!r} (its columns: {columns})."
            )
        return table, table.c[self._cursor_name]


def _identifier(value: object, what: str) -> str:
    if not isinstance(value, str) or not IDENTIFIER.fullmatch(value):
        raise ValueError(
            f"TableStream: {what} {value!r} is not a plain SQL identifier (letters,"
            " digits, '_' and '$', not starting with a digit)."
        )
    return value


def _dump(value: t.Any) -> t.Any:
    """A cursor value as JSON: dates and decimals become strings."""
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _load(value: t.Any, column: Column[t.Any]) -> t.Any:
    """A cursor value from JSON, back to the column's Python type."""
    if not isinstance(value, str):
        return value
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return value
    if kind is datetime.datetime:
        return datetime.datetime.fromisoformat(value)
    if kind is datetime.date:
        return datetime.date.fromisoformat(value)
    if kind is decimal.Decimal:
        return decimal.Decimal(value)
    return value
