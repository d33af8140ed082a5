"""What a stream chart's points must look like, read from its option.

The browser puts each appended value into its series' ``data``, and ECharts
places it by the series' axes: on a category axis a number is placed at its
index and ``(category, number)`` names its category (``(number, category)``
for horizontal bars); on value and time axes a point is ``(x, y)``. A point
of another shape (a string where a number goes, three values for a line, a
series the chart does not have) would be dropped or misplaced without a
word, so :meth:`PointShapes.check` refuses it with what was expected.

A live table's rows (its series of type ``table``) must have one cell per
column, each text, a number or ``None``; in a ranking board (``rank``) the
second cell is the value ranked, a number (or ``None``).

Series this module does not know (pie, map, custom, series on polar or
geographic coordinates, series mapped with ``encode`` or a ``dataset``) are
only checked for existing and for not being given ``None``.
"""

from __future__ import annotations

import math
import typing as t

__all__ = ["PointShapes"]

#: Series placed on a cartesian grid -> the most values a point may hold
#: (scatter points may carry more dimensions, for symbol sizes or colours).
#: Series on a grid, and the most values a point of theirs may have: (x, y),
#: then extra dimensions (for tooltips, ``encode``, a symbol size...).
CARTESIAN = {"line": 8, "bar": 8, "pictorialBar": 8, "scatter": 8, "effectScatter": 8}

_WHAT = {
    "category": "a category (a string or an index)",
    "value": "a number",
    "log": "a number",
    "time": "a time (milliseconds or a date string)",
    "auto": "a number or a category name",
}


def _is_number(value: t.Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_numeric(value: t.Any) -> bool:
    """A number, or a string ECharts reads as one on a value axis (``"10"``)."""
    if isinstance(value, str):
        try:
            return math.isfinite(float(value))
        except ValueError:
            return False
    return _is_number(value)


def _fits(value: t.Any, axis: str, gap: bool) -> bool:
    """Whether ``value`` can be a coordinate on an axis of type ``axis``
    (``None`` too, a gap, where ``gap``)."""
    if value is None:
        return gap and axis in ("value", "log")
    if axis in ("value", "log"):
        return _is_numeric(value)
    return _is_number(value) or isinstance(value, str)


class _Series:
    """The rule for the points of one series."""

    def __init__(self, index: int, item: t.Any, option: dict[str, t.Any]) -> None:
        self.index = index
        kind = item.get("type") if isinstance(item, dict) else None
        self.kind = kind if isinstance(kind, str) else "series"
        self.most = CARTESIAN.get(self.kind, 0)
        #: (x type, y type) when the series is on a grid whose axes are known.
        self.axes: tuple[str, str] | None = None
        #: A table's columns, and whether it ranks its rows by their second cell.
        self.columns: list[str] | None = None
        self.rank = False
        card = option.get("card")
        if self.kind == "table" and isinstance(card, dict):
            columns = card.get("columns")
            if isinstance(columns, list):
                self.columns = [str(column) for column in columns]
                self.rank = card.get("rank") is True
        if (
            self.most
            and isinstance(item, dict)
            and item.get("coordinateSystem", "cartesian2d") == "cartesian2d"
            and "encode" not in item
            and not option.get("dataset")  # pyecharts sets datasetIndex anyway
        ):
            x = _axis_type(option, "x", item.get("xAxisIndex", 0))
            y = _axis_type(option, "y", item.get("yAxisIndex", 0))
            if x == "auto" and y == "category":
                x = "value"  # horizontal bars: category names go to the y-axis
            if x and y:
                self.axes = (x, y)

    def describe(self) -> str:
        if self.columns is not None:
            return "table" if not self.rank else "ranking table"
        if self.axes is None:
            return f"series {self.index} ({self.kind})"
        x, y = self.axes
        x = "untyped" if x == "auto" else x
        return f"series {self.index} (a {self.kind} on a {x} x-axis and a {y} y-axis)"

    def expected(self) -> str | None:
        """What a point of this series looks like, if this module knows."""
        if self.columns is not None:
            names = ", ".join(self.columns)
            ranked = " (the second one a number)" if self.rank else ""
            return (
                f"a row of {len(self.columns)} cells{ranked}, one per column: {names}"
            )
        if self.axes is None:
            return None
        x, y = self.axes
        more = " (or more values)" if self.most > 2 else ""
        if x == "category" and y != "category":
            return f"a number, or (category, number){more}"
        if y == "category" and x != "category":
            return f"a number, or (number, category){more}"
        gap = " (or None)" if y in ("value", "log") else ""
        return f"(x, y){more} with x {_WHAT[x]} and y {_WHAT[y]}{gap}"

    def problem(self, point: t.Any) -> str | None:
        """What is wrong with ``point`` (``"is ..."``), or ``None`` if it fits."""
        if point is None:
            return "is None: a point cannot be None (for a gap, give (x, None))"
        if self.columns is not None:
            return self._row_problem(point)
        if self.axes is None:
            return None
        value = point
        if isinstance(point, dict):
            if "value" not in point:
                return "is a data item without a 'value'"
            value = point["value"]
        x, y = self.axes
        horizontal = y == "category" and x != "category"
        if isinstance(value, list):
            if not 2 <= len(value) <= self.most:
                return f"is {_show(point)}, {len(value)} values"
            if _fits(value[0], x, horizontal) and _fits(value[1], y, not horizontal):
                return None
        elif _is_number(value) and (x == "category") != (y == "category"):
            return None
        return f"is {_show(point)}"

    def _row_problem(self, row: t.Any) -> str | None:
        assert self.columns is not None
        if not isinstance(row, list):
            return f"is {_show(row)}, not a row of cells"
        if len(row) != len(self.columns):
            return f"has {len(row)} cells"
        for column, cell in enumerate(row):
            if cell is not None and not isinstance(cell, str) and not _is_number(cell):
                return f"has {_show(cell)} in column {self.columns[column]!r}"
        if self.rank and row[1] is not None and not _is_number(row[1]):
            return f"ranks {_show(row[1])}, not a number"
        return None


def _axis_type(option: dict[str, t.Any], dim: str, index: t.Any) -> str | None:
    """An axis's type as ECharts reads it (``type``, else ``category`` when it
    has ``data``); ``auto`` for an x-axis with neither, which the client makes
    a category axis when the points name categories; ``None`` if missing."""
    axes = option.get(f"{dim}Axis")
    if isinstance(axes, dict):
        axes = [axes]
    if (
        not isinstance(axes, list)
        or not isinstance(index, int)
        or not 0 <= index < len(axes)
        or not isinstance(axes[index], dict)
    ):
        return None
    axis = axes[index]
    kind = axis.get("type")
    if kind is None:
        if axis.get("data") is not None:
            return "category"
        return "auto" if dim == "x" else "value"
    return kind if kind in _WHAT else None


class PointShapes:
    """The shapes the points of one chart must have.

    :param chart: the chart's name, for messages.
    :param option: its option (as built), or ``None`` when it could not be
        built: then only ``None`` points are refused.
    """

    def __init__(self, chart: str, option: dict[str, t.Any] | None) -> None:
        self.chart = chart
        series = option.get("series") if option is not None else None
        if isinstance(series, dict):
            series = [series]
        self._series: list[_Series] | None = None
        if option is not None:
            items = series if isinstance(series, list) else []
            self._series = [_Series(i, item, option) for i, item in enumerate(items)]

    def check(self, items: t.Sequence[tuple[int, t.Any]]) -> None:
        """Check normalized ``(series, point)`` items.

        :raises ValueError: naming the first wrong point and what was expected.
        """
        for number, (index, point) in enumerate(items):
            if self._series is None:
                rule = _Series(index, None, {})
            elif index < len(self._series):
                rule = self._series[index]
            else:
                raise ValueError(self._no_series(index))
            problem = rule.problem(point)
            if problem is not None:
                what = "row" if rule.columns is not None else "point"
                message = f"Chart {self.chart!r}, {rule.describe()}: {what} {number}"
                message += f" {problem}"
                expected = rule.expected()
                if expected is not None and point is not None:
                    message += f"; expected {expected}"
                raise ValueError(message + ".")

    def _no_series(self, index: int) -> str:
        count = len(self._series or [])
        if not count:
            return (
                f"Chart {self.chart!r} has no series to append to: give its option"
                " one, such as Line().add_xaxis([]).add_yaxis('name', [])."
            )
        return (
            f"Chart {self.chart!r} has {count} series (0 to {count - 1}); there is"
            f" no series {index}."
        )


def _show(point: t.Any) -> str:
    text = repr(tuple(point) if isinstance(point, list) else point)
    return text if len(text) <= 60 else text[:57] + "..."
