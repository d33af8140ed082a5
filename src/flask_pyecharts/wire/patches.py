"""Option deltas: what ECharts' ``setOption`` must merge to turn one option
into the next, when a rebuild changed only the data.

ECharts merges an option into the one it holds component by component (the
lists at the top of an option, such as ``series`` or ``xAxis``, item by
item), and within a component key by key, a list replaced whole. Not every
key merges as it looks, though: a series derives its emphasis styles from
its normal ones when it is made, not when they change, and the lists at the
top of an option (``color``) merge item by item. So a patch carries only
what a rebuild of the same chart on new data changes, and merges exactly:

- the ``data`` of any component (series, axes, a legend...), replaced whole;
- a few values that follow the data: a title's ``text`` and ``subtext``, a
  visual map's ``min`` and ``max``.

Any other difference (a style, a component added or removed, a series' type,
name or id, the JavaScript functions) makes :func:`option_patch` answer
``None``: the whole option must be sent. A browser test checks, for random
rebuilds, that the chart after the patch is the chart a fresh ``setOption``
of the new option draws.
"""

from __future__ import annotations

import typing as t

__all__ = ["option_patch", "patch_functions"]

Json = t.Any
JsonPath = list[str | int]

#: Keys of a component that a patch may replace, for every component.
_DATA = frozenset({"data"})
#: Keys of some components that a patch may replace (values that follow the data).
_VALUES = {
    "title": frozenset({"text", "subtext"}),
    "visualMap": frozenset({"min", "max"}),
}


class _Structural(Exception):
    """Merging cannot give the new option."""


def option_patch(old: dict[str, Json], new: dict[str, Json]) -> dict[str, Json] | None:
    """The option that ``setOption`` merges into ``old`` to give ``new``, when
    only data changed; ``None`` when the whole option must be sent (see the
    module doc). ``{}`` when they are equal."""
    try:
        return _top(old, new)
    except _Structural:
        return None


def patch_functions(patch: Json, functions: t.Iterable[JsonPath]) -> list[JsonPath]:
    """The function paths of the new option that the patch carries."""
    return [path for path in functions if isinstance(_at(patch, path), str)]


def _top(old: dict[str, Json], new: dict[str, Json]) -> dict[str, Json]:
    if old.keys() != new.keys():
        raise _Structural
    patch: dict[str, Json] = {}
    for key, value in new.items():
        before = old[key]
        if before == value:
            continue
        if isinstance(before, dict) and isinstance(value, dict):
            patch[key] = _component(key, before, value)
        elif (
            isinstance(before, list)
            and isinstance(value, list)
            and len(before) == len(value)
            and all(isinstance(item, dict) for item in before + value)
        ):
            patch[key] = [
                _component(key, a, b) for a, b in zip(before, value, strict=True)
            ]
        else:  # a value of the option itself (colour list, animation...)
            raise _Structural
    return patch


def _component(kind: str, before: dict[str, Json], value: dict[str, Json]) -> Json:
    """What to merge into one component ``before`` to give ``value``."""
    if before.keys() != value.keys():
        raise _Structural
    allowed = _DATA | _VALUES.get(kind, frozenset())
    patch: dict[str, Json] = {}
    for key, item in value.items():
        if before[key] == item:
            continue
        if (
            key not in allowed
            or isinstance(item, dict)
            or isinstance(before[key], dict)
        ):
            raise _Structural
        patch[key] = item
    return patch


def _at(value: Json, path: JsonPath) -> Json:
    for part in path:
        if isinstance(part, int) and isinstance(value, list) and part < len(value):
            value = value[part]
        elif isinstance(part, str) and isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value
