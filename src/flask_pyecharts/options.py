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
import math
import typing as t
from dataclasses import dataclass, field

from pyecharts.charts.base import Base as PyechartsChart
from pyecharts.commons.utils import JsCode
from pyecharts.globals import ThemeType
from pyecharts.options.series_options import BasicOpts

from ._json import INT_MAX, INT_MIN, dumps, int_text, loads

#: A path into the option: keys and list indices, e.g. ``["series", 0, "label"]``.
JsonPath = list[str | int]

_JS_MARK = "--x_x--0_0--"

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

    @functools.cached_property
    def etag(self) -> str:
        """A strong ETag (quoted) of everything the browser gets: option,
        functions, scripts and theme."""
        digest = hashlib.blake2b(self.body, digest_size=12)
        digest.update(dumps([self.functions, self.dependencies, self.theme]))
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
    functions: list[JsonPath] = []
    if isinstance(chart, PyechartsChart):
        raw = chart.get_options()
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
            " pyecharts chart (Bar, Line, ...) or an option dict."
        )
    option = _plain(raw, [], functions, name, clean)
    if not isinstance(option, dict):
        raise OptionError(f"Chart {name!r}: the option must be a JSON object.")
    try:
        body = dumps(option)
    except TypeError as exc:  # pragma: no cover - _plain already checks types
        raise OptionError(f"Chart {name!r}: {exc}") from None
    return OptionDocument(body, functions, dependencies, theme)


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
    raise OptionError(
        f"Chart {name!r}: value of type {type(value).__name__} at {_where(path)} is"
        " not JSON serializable; convert it to str, int, float, list or dict."
    )


def _where(path: JsonPath) -> str:
    return "/".join(str(part) for part in path) or "(root)"


def merge_points(
    option: dict[str, t.Any], points: list[tuple[int, t.Any]]
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
    for axis in _axes(option.get("xAxis")):
        if axis.get("type", "category") == "category" and axis.get("data") == []:
            del axis["data"]  # categories then come from the points' x values
            axis["type"] = "category"
    return option


def _axes(value: t.Any) -> list[dict[str, t.Any]]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]
