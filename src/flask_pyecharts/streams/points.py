"""Validation of appended points: what ``Charts.append`` and producers accept."""

from __future__ import annotations

import datetime
import decimal
import math
import typing as t

from .._json import int_text

#: The most points one append may carry.
MAX_POINTS_PER_APPEND = 100_000
#: The largest integer a point may hold (JavaScript's ``Number.MAX_SAFE_INTEGER``):
#: browsers silently round larger ones, and JSON cannot carry beyond 64 bits.
MAX_SAFE_INTEGER = 2**53 - 1
#: The longest text a point may hold, and the most keys of a data item: with
#: at most 8 values a point, a window of N points holds at most about N times
#: 32 KB, whatever is appended.
MAX_TEXT = 1_000
MAX_ITEM_KEYS = 16

_Scalar = (str, int, float, bool, type(None))


def normalize_points(points: t.Any, series: int = 0) -> list[tuple[int, t.Any]]:
    """Turn ``points`` into ``[(series, value), ...]`` ready for a store.

    A tuple, a number, a string or a dict is one point; a list is many points.
    A point is a scalar, a tuple/list of scalars (``(x, y)``) or an ECharts
    data item dict (``{"name": ..., "value": ...}``). Integers must be safe in
    JavaScript (at most ``2**53 - 1`` either way): the browser would round
    larger ones without a word.

    :raises ValueError: when anything is wrongly shaped; nothing is returned then.
    """
    if (
        isinstance(series, bool)
        or not isinstance(series, int)
        or not 0 <= series < 1000
    ):
        raise ValueError(f"series must be an integer from 0 to 999, not {series!r}.")
    many = points if isinstance(points, list) else [points]
    if len(many) > MAX_POINTS_PER_APPEND:
        raise ValueError(
            f"{len(many)} points in one append; split them into batches of at most"
            f" {MAX_POINTS_PER_APPEND}."
        )
    return [(series, _point(point, index)) for index, point in enumerate(many)]


def _point(point: t.Any, index: int) -> t.Any:
    if isinstance(point, (tuple, list)):
        if not 1 <= len(point) <= 8:
            raise ValueError(
                f"Point {index}: expected (x, y), got {len(point)} values."
            )
        return [_scalar(value, index) for value in point]
    if isinstance(point, dict):
        if len(point) > MAX_ITEM_KEYS:
            raise ValueError(
                f"Point {index}: a data item of {len(point)} keys; at most"
                f" {MAX_ITEM_KEYS}."
            )
        return {
            _text(str(key), index): _item_value(value, index)
            for key, value in point.items()
        }
    return _scalar(point, index)


def _text(value: str, index: int) -> str:
    if len(value) > MAX_TEXT:
        raise ValueError(
            f"Point {index}: a text of {len(value)} characters; at most {MAX_TEXT}."
        )
    return value


def _item_value(value: t.Any, index: int) -> t.Any:
    if isinstance(value, (tuple, list)):
        if len(value) > 8:
            raise ValueError(
                f"Point {index}: a value of {len(value)} items; at most 8."
            )
        return [_scalar(item, index) for item in value]
    return _scalar(value, index)


def _scalar(value: t.Any, index: int) -> t.Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int) and not isinstance(value, bool):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise ValueError(
                f"Point {index}: the integer {int_text(value)} is beyond JavaScript's"
                f" safe integers (±{MAX_SAFE_INTEGER}), which browsers round silently;"
                " pass float(value) for a quantity or str(value) for an identifier."
            )
        return value
    if isinstance(value, str):
        return _text(value, index)
    if isinstance(value, _Scalar):
        return value
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return _scalar(float(value), index)
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _scalar(value.item(), index)
    raise ValueError(
        f"Point {index}: a value of type {type(value).__name__} cannot be charted;"
        " use numbers, strings, dates or None."
    )


# -- table rows -------------------------------------------------------------

#: The most cells a table row may have.
MAX_CELLS = 50
#: The longest text a table cell shows; longer texts end with an ellipsis.
MAX_CELL_TEXT = 200


def normalize_rows(rows: t.Any, series: int = 0) -> list[tuple[int, t.Any]]:
    """Turn table ``rows`` into ``[(series, row), ...]`` ready for a store.

    A tuple is one row, and so is a list of cells (a list holding no tuple or
    list); a list of tuples or lists is many rows. Each cell becomes JSON text,
    a number or ``None`` (:func:`table_cell`).

    :raises ValueError: when a row or a cell cannot be shown; nothing is
        returned then.
    """
    if (
        isinstance(series, bool)
        or not isinstance(series, int)
        or not 0 <= series < 1000
    ):
        raise ValueError(f"series must be an integer from 0 to 999, not {series!r}.")
    if isinstance(rows, tuple) or (
        isinstance(rows, list)
        and rows
        and not any(isinstance(row, (tuple, list)) for row in rows)
    ):
        rows = [rows]
    if not isinstance(rows, list):
        raise ValueError(
            f"A table row is a tuple of cells, not {type(rows).__name__}: append"
            " ('12:00', '广东', 35.5), or a list of such rows."
        )
    if len(rows) > MAX_POINTS_PER_APPEND:
        raise ValueError(
            f"{len(rows)} rows in one append; split them into batches of at most"
            f" {MAX_POINTS_PER_APPEND}."
        )
    return [(series, table_row(row, index)) for index, row in enumerate(rows)]


def table_row(row: t.Any, index: int) -> list[t.Any]:
    """One table row as a list of JSON cells.

    :raises ValueError: when it is not a tuple or list of at most
        :data:`MAX_CELLS` cells that :func:`table_cell` takes.
    """
    if not isinstance(row, (tuple, list)):
        raise ValueError(
            f"Row {index} is {type(row).__name__}: a table row is a tuple or list of"
            " cells (convert a database row with tuple(row))."
        )
    if len(row) > MAX_CELLS:
        raise ValueError(
            f"Row {index} has {len(row)} cells; a table has at most {MAX_CELLS}"
            " columns."
        )
    return [table_cell(cell, index, column) for column, cell in enumerate(row)]


def table_cell(value: t.Any, row: int, column: int) -> str | int | float | None:
    """A cell as JSON text, a number or ``None``: dates and times in ISO
    format, ``Decimal`` as a float, a text longer than :data:`MAX_CELL_TEXT`
    cut to that length, ending with an ellipsis.

    :raises ValueError: for any other type (booleans included: say what a
        reader should read, ``"是"`` or ``"yes"``).
    """
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) > MAX_CELL_TEXT:
            return value[: MAX_CELL_TEXT - 1] + "…"
        return value
    if isinstance(value, bool):
        pass  # refused below
    elif isinstance(value, (int, float, decimal.Decimal)):
        return t.cast("int | float | None", _scalar(value, row))
    elif isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    elif hasattr(value, "item") and callable(value.item):  # numpy scalars
        return table_cell(value.item(), row, column)
    raise ValueError(
        f"Row {row}, cell {column}: a value of type {type(value).__name__} cannot be"
        " shown in a table; use text, numbers, dates or None."
    )
