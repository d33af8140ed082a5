"""Layouts drawn as a picture: the CSS ``grid-template-areas`` convention.

A leaf: it parses and checks the picture, and writes the CSS grid that shows
it; which names are charts is the registry's business.

::

    today_sales  orders_today  avg_price  target
    by_day       by_day        by_region  by_region

Each line is a row, each word a cell; a name repeated over cells spans them
(the cells must form a rectangle) and ``.`` is an empty cell. The areas are
the names in reading order (left to right, top to bottom, by their first cell).
"""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass

__all__ = ["Area", "Layout", "parse_layout", "parse_rows"]

#: The largest picture: rows, cells per row and areas.
MAX_ROWS = 24
MAX_COLUMNS = 24
MAX_AREAS = 64
#: A cell: a chart name, or dots for an empty cell.
_CELL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}|\.+")
_EMPTY = re.compile(r"\.+")
#: A row size: a length, a share of the rest, ``auto`` or ``minmax(a, b)``.
_SIZE = (
    r"(?:\d{1,5}(?:\.\d{1,3})?(?:px|fr|%|em|rem|vh|vw)|0|auto|min-content|max-content)"
)
_ROW_SIZE = re.compile(rf"{_SIZE}|minmax\(\s*{_SIZE}\s*,\s*{_SIZE}\s*\)")


@dataclass(frozen=True)
class Area:
    """One named area of a layout: where it starts (from 1) and what it spans."""

    #: The chart shown there.
    name: str
    #: Its CSS grid area name: chart names may hold ``.`` and ``-``, so each
    #: area is named ``a<index>`` in reading order.
    ident: str
    row: int
    column: int
    rows: int
    columns: int


@dataclass(frozen=True)
class Layout:
    """A parsed picture: its cells (``None`` for empty ones) and areas."""

    cells: tuple[tuple[str | None, ...], ...]
    #: The areas, in reading order.
    areas: tuple[Area, ...]
    #: Explicit row sizes (CSS track sizes), or ``None`` to size each row by
    #: what it shows.
    rows: tuple[str, ...] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The charts of the layout, in reading order."""
        return tuple(area.name for area in self.areas)

    @property
    def columns(self) -> int:
        return len(self.cells[0])

    def template_areas(self) -> str:
        """The ``grid-template-areas`` value: one quoted string a row."""
        ident = {area.name: area.ident for area in self.areas}
        return " ".join(
            '"' + " ".join(ident[c] if c else "." for c in row) + '"'
            for row in self.cells
        )

    def row_sizes(
        self, short: t.Callable[[str], bool], small: str, tall: str
    ) -> list[str]:
        """The size of each row: the explicit ones, else ``small`` for a row
        whose areas are all ``short`` (number cards) and ``tall`` for others."""
        if self.rows is not None:
            return list(self.rows)
        sizes = []
        for row in self.cells:
            names = [cell for cell in row if cell]
            sizes.append(small if names and all(map(short, names)) else tall)
        return sizes


def parse_layout(
    picture: str, rows: t.Sequence[str] | None = None, *, where: str = "layout"
) -> Layout:
    """Parse a layout picture and its optional row sizes.

    :param where: what the errors name, such as ``"The dashboard at '/'"``.
    :raises ValueError: for an empty or ragged picture, a bad cell, a name
        whose cells do not form a rectangle, too many rows, cells or areas,
        or bad row sizes.
    """
    if not isinstance(picture, str):
        raise ValueError(f"{where}: layout must be a string, a picture of names.")
    lines = [line.split() for line in picture.splitlines() if line.strip()]
    if not lines:
        raise ValueError(
            f"{where}: the layout is empty; draw one line of chart names per row."
        )
    if len(lines) > MAX_ROWS:
        raise ValueError(
            f"{where}: the layout has {len(lines)} rows; at most {MAX_ROWS}."
        )
    width = len(lines[0])
    for number, line in enumerate(lines, 1):
        if len(line) != width:
            raise ValueError(
                f"{where}: layout row {number} has {len(line)} cells and row 1 has"
                f" {width}; every row needs the same number of cells (use '.' for"
                " an empty cell)."
            )
        for cell in line:
            if not _CELL.fullmatch(cell):
                raise ValueError(
                    f"{where}: layout row {number}: {cell[:70]!r} is not a chart name"
                    " (letters, digits, '_', '-', '.') or '.' for an empty cell."
                )
    if width > MAX_COLUMNS:
        raise ValueError(
            f"{where}: the layout has {width} columns; at most {MAX_COLUMNS}."
        )
    cells = tuple(
        tuple(None if _EMPTY.fullmatch(cell) else cell for cell in line)
        for line in lines
    )
    areas = _areas(cells, where)
    if not areas:
        raise ValueError(f"{where}: the layout names no chart.")
    return Layout(
        cells, areas, None if rows is None else parse_rows(rows, len(cells), where)
    )


def _areas(cells: tuple[tuple[str | None, ...], ...], where: str) -> tuple[Area, ...]:
    """The areas in reading order; each name's cells must fill a rectangle."""
    found: dict[str, list[tuple[int, int]]] = {}
    for r, row in enumerate(cells):
        for c, name in enumerate(row):
            if name is not None:
                found.setdefault(name, []).append((r, c))
    if len(found) > MAX_AREAS:
        raise ValueError(
            f"{where}: the layout has {len(found)} areas; at most {MAX_AREAS}."
        )
    areas = []
    for index, (name, spots) in enumerate(found.items()):
        top, bottom = min(r for r, _ in spots), max(r for r, _ in spots)
        left, right = min(c for _, c in spots), max(c for _, c in spots)
        inside = all(
            cells[r][c] == name
            for r in range(top, bottom + 1)
            for c in range(left, right + 1)
        )
        if not inside or len(spots) != (bottom - top + 1) * (right - left + 1):
            rows = sorted({r + 1 for r, _ in spots})
            raise ValueError(
                f"{where}: the cells of {name!r} (rows {', '.join(map(str, rows))}) do"
                " not form a rectangle; a name repeated over cells must fill a"
                " rectangle of them, with no other name or '.' inside."
            )
        areas.append(
            Area(
                name, f"a{index}", top + 1, left + 1, bottom - top + 1, right - left + 1
            )
        )
    return tuple(areas)


def parse_rows(
    rows: t.Sequence[str], count: int, where: str = "layout"
) -> tuple[str, ...]:
    """Validate explicit row sizes: one CSS track size per row of the picture
    (``"120px"``, ``"1fr"``, ``"auto"``, ``"minmax(100px, 1fr)"``...).

    :raises ValueError: for the wrong number of sizes or a size it does not know.
    """
    if isinstance(rows, str) or not isinstance(rows, t.Sequence):
        raise ValueError(
            f"{where}: rows must be a list of sizes, one per layout row, such as"
            " ['120px', '1fr']."
        )
    if len(rows) != count:
        raise ValueError(
            f"{where}: rows gives {len(rows)} sizes for a layout of {count} rows."
        )
    for size in rows:
        if not isinstance(size, str) or not _ROW_SIZE.fullmatch(size.strip()):
            raise ValueError(
                f"{where}: row size {size!r} is not one of: a length ('120px', '20%',"
                " '10vh'), a share ('1fr'), 'auto', or 'minmax(a, b)' of those."
            )
    return tuple(" ".join(size.split()) for size in rows)
