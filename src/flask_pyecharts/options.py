"""Turn a pyecharts chart (or a plain option dict) into compact option JSON.

Every :class:`~pyecharts.commons.utils.JsCode` is replaced by its source string
and its JSON path is listed in ``functions``; the client turns the strings at
those paths, and nothing else, into functions.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import functools
import hashlib
import logging
import math
import re
import typing as t
from dataclasses import dataclass, field

from pyecharts.charts import MapGlobe, Page, Tab
from pyecharts.charts.base import Base as PyechartsChart
from pyecharts.charts.mixins import CompositeMixin
from pyecharts.commons.utils import JsCode
from pyecharts.globals import ThemeType
from pyecharts.options.series_options import BasicOpts

from ._json import INT_MAX, INT_MIN, dumps, int_text, loads
from .components import css_size, image_part, table_part
from .regions import match_regions, region_names

#: A path into the option: keys and list indices, e.g. ``["series", 0, "label"]``.
JsonPath = list[str | int]

_JS_MARK = "--x_x--0_0--"

logger = logging.getLogger("flask_pyecharts")

#: What was already warned about (a chart and a path, or a chart and a map's
#: unmatched names): each is logged once per process, not at every refresh
#: (bounded: cleared when full).
_WARNED: set[tuple[str, str]] = set()
_MAX_WARNED = 1024

#: Values pyecharts spells out that equal ECharts' default in every component
#: where the key exists; leaving them out changes nothing but the size.
_ECHARTS_DEFAULTS: dict[str, t.Any] = {
    "animationDelay": 0,
    "animationDelayUpdate": 0,
    "inverse": False,
    "minInterval": 0,
    "nameTruncate": {},
    "richInheritPlainLabel": True,
    "selected": {},
    "silent": False,
    "triggerEvent": False,
}


class OptionError(TypeError):
    """A chart's option holds a value that cannot be sent to the browser."""


@dataclass(frozen=True)
class OptionDocument:
    """A chart's option, serialized once and shared by every viewer."""

    #: The option as compact JSON bytes.
    body: bytes
    #: JSON paths in the option where a ``JsCode`` stood.
    functions: list[JsonPath] = field(default_factory=list)
    #: pyecharts ``js_dependencies`` of the chart, ``echarts`` first.
    dependencies: tuple[str, ...] = ("echarts",)
    #: ECharts theme name, or ``None`` for the default one.
    theme: str | None = None
    #: Whether ``body`` is a composite (``Page``, ``Tab``, a component) rather
    #: than one option: ``{"type", "layout", "parts"}``, see docs/protocol.md.
    composite: bool = False
    #: pyecharts ``add_js_funcs`` sources, run before the option is revived
    #: (they may define what its ``JsCode`` refers to).
    js_functions: tuple[str, ...] = ()

    @functools.cached_property
    def etag(self) -> str:
        """A strong ETag (quoted) of everything the browser gets: option,
        functions, scripts, theme and JavaScript run first."""
        digest = hashlib.blake2b(self.body, digest_size=12)
        facts: list[t.Any] = [self.functions, self.dependencies, self.theme]
        if self.composite:
            facts.append("composite")
        if self.js_functions:
            facts.append(self.js_functions)
        digest.update(dumps(facts))
        return f'"{digest.hexdigest()}"'

    def option(self) -> dict[str, t.Any]:
        """A fresh, mutable copy of the option."""
        return t.cast(dict[str, t.Any], loads(self.body))


def js_source(code: JsCode) -> str:
    """The JavaScript source a :class:`JsCode` carries, without pyecharts' marks."""
    return str(code.js_code).replace(_JS_MARK, "")


def build_document(chart: t.Any, name: str = "chart") -> OptionDocument:
    """Serialize a pyecharts chart or a plain option ``dict``.

    :param chart: what a builder returned.
    :param name: the chart's name, used in error messages.
    :raises OptionError: when the option holds a value JSON cannot carry.
    """
    if _is_composite(chart):
        return _composite_document(chart, name)
    return _chart_document(chart, name)


def _chart_document(chart: t.Any, name: str) -> OptionDocument:
    """One chart (or option dict), as :func:`build_document` but never a composite."""
    functions: list[JsonPath] = []
    js_functions: tuple[str, ...] = ()
    if isinstance(chart, PyechartsChart):
        raw = chart.get_options()
        js_functions = tuple(str(code) for code in chart.js_functions.items)
        dependencies = tuple(chart.js_dependencies.items)
        theme = chart.theme if chart.theme not in (None, "white", "light") else None
        if theme and theme not in ThemeType.BUILTIN_THEMES:
            dependencies += (theme,)
        clean = True
    elif isinstance(chart, dict):
        raw, dependencies, theme, clean = chart, ("echarts",), None, False
    else:
        raise OptionError(
            f"Chart {name!r}: the builder returned {type(chart).__name__}; return a"
            " pyecharts chart (Bar, Line, ...), a Page, Tab, Table or Image, or an"
            " option dict."
        )
    option = _plain(raw, [], functions, name, clean)
    if not isinstance(option, dict):
        raise OptionError(f"Chart {name!r}: the option must be a JSON object.")
    _name_regions(option, name)
    try:
        body = dumps(option)
    except TypeError as exc:  # pragma: no cover - _plain already checks types
        raise OptionError(f"Chart {name!r}: {exc}") from None
    return OptionDocument(body, functions, dependencies, theme, False, js_functions)


# -- composites -------------------------------------------------------------

#: CSS properties of a pyecharts ``PageLayoutOpts`` the client applies.
_LAYOUT_KEYS = frozenset(
    {"display", "justify-content", "flex-wrap", "align-items", "margin", "gap"}
)
_LAYOUT_VALUE = re.compile(r"[a-zA-Z0-9 .%-]{1,40}")
#: pyecharts' mark for ``Page.DraggablePageLayout`` (jQuery UI in its pages).
_DRAGGABLE = "_MARK_FREEDOM_LAYOUT_"


def _is_composite(chart: t.Any) -> bool:
    """A ``Page`` or ``Tab`` (pyecharts' CompositeMixin), a component, or a
    ``MapGlobe`` (a globe textured with a map chart: two options)."""
    return (
        isinstance(chart, (CompositeMixin, MapGlobe))
        or _component_type(chart) is not None
    )


def _component_type(chart: t.Any) -> str | None:
    kind = getattr(chart, "_component_type", None)
    return kind if kind in ("table", "image") and not isinstance(chart, dict) else None


def _composite_document(chart: t.Any, name: str) -> OptionDocument:
    """A ``Page``, ``Tab``, ``Table`` or ``Image`` as one composite document:
    each chart is serialized as on its own; its scripts are the union."""
    if isinstance(chart, Tab):
        kind, layout, members = "tab", {}, list(chart)
    elif isinstance(chart, Page):
        kind, layout, members = "page", _page_layout(chart), list(chart)
    elif isinstance(chart, CompositeMixin):
        raise OptionError(
            f"Chart {name!r}: {type(chart).__name__} is not supported; return a"
            " Page or a Tab."
        )
    else:  # a lone Table, Image or MapGlobe
        kind, layout, members = "page", {}, [chart]
    dependencies: dict[str, None] = {"echarts": None}
    parts = []
    for index, member in enumerate(members):
        part, needs = _part(member, f"{name}, part {index}")
        if kind == "tab":
            label = getattr(member, "tab_name", None)
            part["tab"] = str(label) if label is not None else f"{index + 1}"
        parts.append(part)
        dependencies.update(dict.fromkeys(needs))
    composite = {"type": kind, "layout": layout, "parts": parts}
    return OptionDocument(dumps(composite), [], tuple(dependencies), None, True)


def _part(member: t.Any, where: str) -> tuple[dict[str, t.Any], tuple[str, ...]]:
    """One part of a composite, and the scripts it needs."""
    kind = _component_type(member)
    try:
        if kind == "table":
            return table_part(member), ()
        if kind == "image":
            return image_part(member, where), ()
    except ValueError as error:
        raise OptionError(str(error)) from None
    if isinstance(member, CompositeMixin):
        raise OptionError(
            f"Chart {where!r}: a {type(member).__name__} inside a Page or Tab is not"
            " supported; add its charts to the outer one."
        )
    if not isinstance(member, PyechartsChart):
        raise OptionError(
            f"Chart {where!r}: {type(member).__name__} cannot be shown; add"
            " pyecharts charts, Tables or Images."
        )
    document = _chart_document(member, where)
    part: dict[str, t.Any] = {
        "type": "chart",
        "option": document.option(),
        "functions": document.functions,
    }
    if document.js_functions:
        part["js_functions"] = list(document.js_functions)
    if isinstance(member, MapGlobe):
        # As pyecharts' simple_globe.html: the map is drawn on a canvas, which
        # becomes the globe's texture (the client makes that canvas).
        part["texture"] = {"option": part["option"], "functions": part["functions"]}
        part["option"], part["functions"] = dict(_GLOBE), []
    if document.theme:
        part["theme"] = document.theme
    for key in ("width", "height"):
        size = css_size(getattr(member, key, None))
        if size:
            part[key] = size
    return part, document.dependencies


#: The globe of pyecharts' simple_globe.html, textured with the map.
_GLOBE: dict[str, t.Any] = {
    "globe": {
        "show": True,
        "shading": "lambert",
        "light": {"ambient": {"intensity": 0.6}, "main": {"intensity": 0.2}},
    }
}


def _page_layout(page: Page) -> dict[str, str]:
    """The CSS of a Page's ``PageLayoutOpts`` (``"display:flex; ..."``), checked.

    ``Page.DraggablePageLayout`` needs jQuery UI to drag charts about: here it
    flows like ``Page.SimplePageLayout``, each chart at its own size.
    """
    layout = getattr(page, "layout", "")
    if layout == _DRAGGABLE:
        return {"display": "flex", "flex-wrap": "wrap", "justify-content": "center"}
    found: dict[str, str] = {}
    for declaration in str(layout or "").split(";"):
        key, colon, value = declaration.partition(":")
        key, value = key.strip().lower(), value.strip()
        if colon and key in _LAYOUT_KEYS and _LAYOUT_VALUE.fullmatch(value):
            found[key] = value
    return found


def _is_default(key: str, value: t.Any) -> bool:
    default = _ECHARTS_DEFAULTS.get(key, _JS_MARK)
    return type(value) is type(default) and value == default


def _plain(
    value: t.Any, path: JsonPath, functions: list[JsonPath], name: str, clean: bool
) -> t.Any:
    """Reduce ``value`` to JSON types, recording where functions stood."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise OptionError(
                f"Chart {name!r}: the integer {int_text(value)} at {_where(path)} does"
                " not fit in 64 bits, so JSON cannot carry it; convert it to float"
                " or str."
            )
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if clean and (item is None or item == "" or _is_default(key, item)):
                continue
            result[str(key)] = _plain(item, [*path, str(key)], functions, name, clean)
        return result
    if isinstance(value, (list, tuple, set, frozenset)):
        return [
            _plain(item, [*path, index], functions, name, clean)
            for index, item in enumerate(value)
        ]
    if isinstance(value, JsCode):
        functions.append(path)
        return js_source(value)
    if isinstance(value, BasicOpts):
        return _plain(value.opts, path, functions, name, True)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return _plain(float(value), path, functions, name, clean)
    if isinstance(value, enum.Enum):
        return _plain(value.value, path, functions, name, clean)
    if hasattr(value, "tolist"):  # numpy scalars and arrays, pandas objects
        return _plain(value.tolist(), path, functions, name, clean)
    # As pyecharts' own encoder writes what it cannot encode.
    what = (
        f"the class {value.__name__}"
        if isinstance(value, type)
        else f"a value of type {type(value).__name__}"
    )
    _warn_once(
        (name, _where(path)),
        "Chart %r: %s at %s is not JSON serializable; sent as null, as pyecharts"
        " does. Convert it to str, int, float, list or dict.",
        name,
        what,
        _where(path),
    )
    return None


def _warn_once(key: tuple[str, str], message: str, *args: t.Any) -> None:
    """Log a warning the first time ``key`` is seen in this process."""
    if key in _WARNED:
        return
    if len(_WARNED) >= _MAX_WARNED:
        _WARNED.clear()
    _WARNED.add(key)
    logger.warning(message, *args)


def _name_regions(option: dict[str, t.Any], name: str) -> None:
    """Give each map series on a bundled map a ``nameMap`` for the data names
    spelled otherwise than its regions (``广东省`` for ``广东``: see
    :mod:`.regions`); log the names that match no region, once."""
    parts = [option, option.get("baseOption"), *_as_list(option.get("options"))]
    for part in parts:
        if not isinstance(part, dict):
            continue
        for series in _as_list(part.get("series")):
            if not (isinstance(series, dict) and series.get("type") == "map"):
                continue
            map_name = series.get("map")
            regions = region_names(map_name) if isinstance(map_name, str) else None
            if not regions:
                continue
            names = [
                item["name"]
                for item in _as_list(series.get("data"))
                if isinstance(item, dict) and isinstance(item.get("name"), str)
            ]
            name_map, unmatched = match_regions(regions, names)
            given = series.get("nameMap")
            if name_map and (given is None or isinstance(given, dict)):
                series["nameMap"] = {**name_map, **(given or {})}
            if unmatched:
                _warn_once(
                    (name, f"{map_name}: {', '.join(unmatched)}"),
                    "Chart %r: the map %r has no region named %s, so that data"
                    " paints nothing; its regions are named like %s.",
                    name,
                    map_name,
                    ", ".join(repr(item) for item in unmatched[:10]),
                    ", ".join(sorted(regions)[:3]),
                )


def _as_list(value: t.Any) -> list[t.Any]:
    return value if isinstance(value, list) else []


def _where(path: JsonPath) -> str:
    return "/".join(str(part) for part in path) or "(root)"


def merge_points(
    option: dict[str, t.Any], points: t.Sequence[tuple[int, t.Any]]
) -> dict[str, t.Any]:
    """Put a stream's window into ``option``: each series gets its points as data."""
    series = option.get("series")
    if isinstance(series, dict):
        series = option["series"] = [series]
    if not isinstance(series, list):
        return option
    data: dict[int, list[t.Any]] = {index: [] for index in range(len(series))}
    for index, value in points:
        if index in data:
            data[index].append(value)
    for index, item in enumerate(series):
        if isinstance(item, dict):
            item["data"] = data[index]
    window_categories(option, points)
    for axis in _axes(option.get("xAxis")):
        if axis.get("type", "category") == "category" and axis.get("data") == []:
            del axis["data"]  # categories then come from the points' x values
            axis["type"] = "category"
    return option


def _axes(value: t.Any) -> list[dict[str, t.Any]]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


def seed_points(option: dict[str, t.Any]) -> list[tuple[int, t.Any]]:
    """A stream's first points: the series data of its built option, in order.

    A value on a category axis with ``data`` gets its category as x (or y, for
    a category y axis): ``5`` at index 2 of ``["a", "b", "c"]`` becomes
    ``["c", 5]``. Several series are interleaved by index (``a0, b0, a1,
    b1...``), which is the order the points would have had if appended live.
    """
    series = option.get("series")
    items = series if isinstance(series, list) else [series]
    columns: list[list[t.Any]] = []
    for item in items:
        data = item.get("data") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(data, list):
            columns.append([])
            continue
        x_names = _categories(option.get("xAxis"), item.get("xAxisIndex"))
        y_names = (
            None
            if x_names
            else _categories(option.get("yAxis"), item.get("yAxisIndex"))
        )
        columns.append(
            [_with_category(value, j, x_names, y_names) for j, value in enumerate(data)]
        )
    longest = max((len(column) for column in columns), default=0)
    return [
        (index, column[j])
        for j in range(longest)
        for index, column in enumerate(columns)
        if j < len(column)
    ]


def _categories(axes: t.Any, index: t.Any) -> list[t.Any] | None:
    """The ``data`` of the category axis ``index`` (0 by default), if any."""
    found = _axes(axes)
    position = index if isinstance(index, int) and not isinstance(index, bool) else 0
    if not 0 <= position < len(found):
        return None
    axis = found[position]
    data = axis.get("data")
    if axis.get("type", "category") != "category" or not isinstance(data, list):
        return None
    return [item.get("value") if isinstance(item, dict) else item for item in data]


def _with_category(
    value: t.Any, index: int, x_names: list[t.Any] | None, y_names: list[t.Any] | None
) -> t.Any:
    names = x_names or y_names
    if not names or index >= len(names):
        return value
    if isinstance(value, dict):
        inner = value.get("value")
        if inner is None or isinstance(inner, (list, dict)):
            return value
        return {**value, "value": _with_category(inner, index, x_names, y_names)}
    if isinstance(value, (list, tuple)):
        return list(value)
    return [names[index], value] if x_names else [value, names[index]]


def window_categories(
    option: dict[str, t.Any], points: t.Sequence[tuple[int, t.Any]]
) -> None:
    """Set each category axis that has ``data`` to the categories of the
    window's points, in order (as the client does): a category axis drops
    values whose category is not in its ``data``."""
    series = option.get("series")
    if not isinstance(series, list):
        return
    for dim, position in (("x", 0), ("y", 1)):
        for axis_index, axis in enumerate(_axes(option.get(f"{dim}Axis"))):
            kind = axis.get("type")
            if kind not in (None, "category"):
                continue
            if kind is None and dim == "y" and not isinstance(axis.get("data"), list):
                continue  # an untyped y axis without data is a value axis
            names: dict[t.Any, None] = {}
            for index, value in points:
                item = series[index] if 0 <= index < len(series) else None
                if not isinstance(item, dict):
                    continue
                if (item.get(f"{dim}AxisIndex") or 0) != axis_index:
                    continue
                name = _category_of(value, position)
                if name is not None:
                    names[name] = None
            if names:
                axis["type"] = "category"
                axis["data"] = list(names)


def _category_of(value: t.Any, position: int) -> str | None:
    pair = value.get("value") if isinstance(value, dict) else value
    if isinstance(pair, list) and len(pair) > position:
        name = pair[position]
        return name if isinstance(name, str) else None
    return None
