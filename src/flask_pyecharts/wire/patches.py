"""Option deltas: what ECharts' ``setOption`` must merge to turn one option
into the next.

ECharts merges an option into the one it holds: objects key by key,
components (the lists at the top of an option, such as ``series`` or
``xAxis``) item by item, while any other list and any scalar is replaced
whole. So when a rebuild changes only values (the data, a subtitle, a
colour), the patch holds just those; when the structure changed (a key or a
component removed, a component's type, name or id changed, the JavaScript
functions moved), merging could not give the new option and
:func:`option_patch` answers ``None``: the whole option must be sent.
"""

from __future__ import annotations

import typing as t

__all__ = ["option_patch", "patch_functions"]

Json = t.Any
JsonPath = list[str | int]

#: Top-level keys whose merge is not plain: a change there sends the whole option.
_SPECIAL = frozenset({"baseOption", "options", "media", "graphic"})
#: Component keys whose change makes ECharts map or rebuild components anew.
_IDENTITY = ("type", "id", "name")


class _Structural(Exception):
    """Merging cannot give the new option."""


def option_patch(old: dict[str, Json], new: dict[str, Json]) -> dict[str, Json] | None:
    """The smallest option that ``setOption`` merges into ``old`` to give
    ``new``; ``None`` when only the whole option can (see the module doc).
    ``{}`` when they are equal."""
    try:
        return _top(old, new)
    except _Structural:
        return None


def patch_functions(patch: Json, functions: t.Iterable[JsonPath]) -> list[JsonPath]:
    """The function paths of the new option that the patch carries."""
    return [path for path in functions if isinstance(_at(patch, path), str)]


def _top(old: dict[str, Json], new: dict[str, Json]) -> dict[str, Json]:
    if old.keys() - new.keys():
        raise _Structural
    patch: dict[str, Json] = {}
    for key, value in new.items():
        before = old.get(key, _MISSING)
        if before is _MISSING:
            patch[key] = value
        elif before == value:
            continue
        elif key in _SPECIAL:
            raise _Structural
        elif isinstance(before, list) and isinstance(value, list):
            if _has_objects(before) or _has_objects(value):
                patch[key] = _component_list(before, value)
            else:
                patch[key] = value  # a plain list, such as "color"
        elif isinstance(before, dict) and isinstance(value, dict):
            _same_identity(before, value)
            patch[key] = _merge(before, value)
        elif _is_component(before) or _is_component(value):
            raise _Structural  # one component became a list of them, or the reverse
        else:
            patch[key] = value
    return patch


_MISSING = object()


def _has_objects(items: list[Json]) -> bool:
    return any(isinstance(item, dict) for item in items)


def _is_component(value: Json) -> bool:
    return isinstance(value, dict) or (isinstance(value, list) and _has_objects(value))


def _component_list(before: list[Json], value: list[Json]) -> list[Json]:
    if len(before) != len(value):
        raise _Structural
    items = []
    for old_item, new_item in zip(before, value, strict=True):
        if not (isinstance(old_item, dict) and isinstance(new_item, dict)):
            raise _Structural
        _same_identity(old_item, new_item)
        items.append(_merge(old_item, new_item))
    return items


def _same_identity(before: dict[str, Json], value: dict[str, Json]) -> None:
    for key in _IDENTITY:
        if before.get(key) != value.get(key):
            raise _Structural


def _merge(before: dict[str, Json], value: dict[str, Json]) -> dict[str, Json]:
    """What to merge into ``before`` (an object) to give ``value``."""
    if before.keys() - value.keys():
        raise _Structural
    patch: dict[str, Json] = {}
    for key, item in value.items():
        if key not in before:
            patch[key] = item
        elif before[key] != item:
            old_item = before[key]
            if isinstance(old_item, dict) and isinstance(item, dict):
                patch[key] = _merge(old_item, item)
            else:
                patch[key] = item  # anything but two objects is replaced whole
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
