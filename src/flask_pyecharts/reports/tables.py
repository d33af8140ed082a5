"""Live tables (轮播表) and ranking boards: rows published as a chart.

A table is a chart like any other (registry, option cache, feed, API): its
builder is wrapped so that it returns a small option, ``{"card": {"type":
"table", "columns", "scroll", "rank"}, "series": [{"type": "table", "data":
rows}]}``, each row a list of cells (text, a number or ``null``). A refresh
table's rebuild that changed rows travels as a data-only patch; a windowed
table is a stream whose points are rows (``[0, [cell, ...]]``), appended
exactly once. The client draws a document whose option has ``card.type ==
"table"`` as an HTML table (``client/src/tables.js``).
"""

from __future__ import annotations

import functools
import itertools
import typing as t

from ..streams.points import MAX_CELL_TEXT, MAX_CELLS, table_row
from ..streams.shapes import PointShapes

__all__ = ["MAX_ROWS", "TableCard", "table_builder", "table_card"]

#: The most rows a table shows: a builder's rows, and a window.
MAX_ROWS = 1000

Builder = t.Callable[..., t.Any]


class TableCard(t.TypedDict):
    """What the client needs to draw a table, besides its rows."""

    type: t.Literal["table"]
    columns: list[str]
    scroll: bool
    rank: bool


def table_card(
    name: str,
    columns: t.Sequence[str],
    *,
    window: int | None = None,
    scroll: bool = False,
    rank: bool = False,
) -> TableCard:
    """Validate a table's settings (where its decorator is written).

    :raises ValueError: for columns that are not 1 to :data:`MAX_CELLS` texts,
        a window over :data:`MAX_ROWS`, a ranking board of fewer than two
        columns, or a ``scroll`` or ``rank`` that is not a bool.
    """
    if isinstance(columns, str) or not isinstance(columns, t.Sequence):
        raise ValueError(
            f"Table {name!r}: columns must be a list of column titles, such as"
            " ['时间', '省份', '金额']."
        )
    if not 1 <= len(columns) <= MAX_CELLS:
        raise ValueError(
            f"Table {name!r}: give 1 to {MAX_CELLS} columns, not {len(columns)}."
        )
    for column in columns:
        if not isinstance(column, str) or not 0 < len(column) <= MAX_CELL_TEXT:
            raise ValueError(
                f"Table {name!r}: the column {column!r} must be a text of 1 to"
                f" {MAX_CELL_TEXT} characters."
            )
    if window is not None and not isinstance(window, bool) and window > MAX_ROWS:
        raise ValueError(
            f"Table {name!r}: window {window} is more rows than a table shows; give"
            f" at most {MAX_ROWS}."
        )
    for flag, value in (("scroll", scroll), ("rank", rank)):
        if not isinstance(value, bool):
            raise ValueError(f"Table {name!r}: {flag} must be True or False.")
    if rank and len(columns) < 2:
        raise ValueError(
            f"Table {name!r}: a ranking board (rank=True) has a name and a value"
            " column at least, such as columns=['省份', '销售额']."
        )
    return {"type": "table", "columns": list(columns), "scroll": scroll, "rank": rank}


def table_builder(name: str, builder: Builder, card: TableCard) -> Builder:
    """Wrap ``builder`` (which returns rows) into a chart builder returning the
    table's option. The wrapper has the builder's signature, so its parameters
    name variables as a chart builder's do.

    The option's builder raises ``ValueError`` (the chart answers ``503``
    with it) when the rows are not a list of at most :data:`MAX_ROWS` rows of
    one cell per column, text, numbers, dates or ``None`` (texts longer than
    :data:`MAX_CELL_TEXT` are cut, ending with an ellipsis).
    """
    if not callable(builder):
        raise TypeError(f"Table {name!r}: the builder must be callable.")

    @functools.wraps(builder)
    def build(*args: t.Any, **kwargs: t.Any) -> dict[str, t.Any]:
        rows = table_rows(name, builder(*args, **kwargs))
        option = {
            "card": {**card, "columns": list(card["columns"])},
            "series": [{"type": "table", "data": rows}],
        }
        PointShapes(name, option).check([(0, row) for row in rows])
        return option

    return build


def table_rows(name: str, rows: t.Any) -> list[list[t.Any]]:
    """The rows a table's builder returned, as lists of JSON cells.

    :raises ValueError: saying what is wrong and what was expected.
    """
    if isinstance(rows, (str, bytes, dict)) or not isinstance(rows, t.Iterable):
        raise ValueError(
            f"Table {name!r}: the builder returned {type(rows).__name__}; return a"
            " list of rows, each a tuple of cells, such as [('12:00', '广东', 35.5)]."
        )
    taken = list(itertools.islice(rows, MAX_ROWS + 1))
    if len(taken) > MAX_ROWS:
        raise ValueError(
            f"Table {name!r}: the builder returned more than {MAX_ROWS} rows; a"
            " table shows at most that many: return the first ones (LIMIT"
            f" {MAX_ROWS} in SQL)."
        )
    try:
        return [table_row(row, index) for index, row in enumerate(taken)]
    except ValueError as error:
        raise ValueError(f"Table {name!r}: {error}") from None
