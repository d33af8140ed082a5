"""Region names of the bundled maps, and the data names that spell them
otherwise.

pyecharts' own data (``Faker.provinces``) and most databases name provinces
in full (``广东省``, ``新疆维吾尔自治区``, ``北京市``); the bundled china map
names its regions short (``广东``, ``新疆``, ``北京``), and the province maps
name their cities in full (``广州市``) where data often says ``广州``. A map
series paints only the data whose name is a region's, so each series gets an
ECharts ``nameMap`` (region name -> the data's name) for the names spelled
otherwise; the data, and click events, keep the data's names.
"""

from __future__ import annotations

import functools
import re
import typing as t

from .assets import VENDOR_DIR, VENDOR_FILES

__all__ = ["match_regions", "region_names"]

#: A region's name in a map file: ``"name":"广东"`` (or ``name:"广东"``
#: in the minified ones).
_NAME = re.compile(r'(?:"name"|\bname)\s*:\s*"([^"\\]{1,80})"')
#: The shortest part two spellings must share (``广州`` of ``广州市``).
_MIN_SHARED = 2


@functools.lru_cache(maxsize=64)
def region_names(map_name: str) -> frozenset[str]:
    """The region names of a bundled map (empty when it is not bundled)."""
    file = VENDOR_FILES.get(map_name)
    if file is None or not file.startswith("maps/"):
        return frozenset()
    try:
        text = (VENDOR_DIR / file).read_text("utf-8")
    except OSError:
        return frozenset()
    return frozenset(
        name for name in _NAME.findall(text) if not name.startswith("urn:")
    )


def match_regions(
    regions: t.Collection[str], names: t.Iterable[str]
) -> tuple[dict[str, str], list[str]]:
    """A ``nameMap`` for the data ``names`` spelled otherwise than a region
    (one is the other with a suffix: ``广东省``/``广东``, ``广州``/``广州市``),
    and the names that match no region.

    A region already named by the data, or that two names would spell, is
    left alone (those names are listed as matching none).
    """
    wanted = list(dict.fromkeys(names))
    exact = {name for name in wanted if name in regions}
    name_map: dict[str, str] = {}
    unmatched: list[str] = []
    for name in wanted:
        if name in exact:
            continue
        region = _region_of(name, regions)
        if region is None or region in exact or region in name_map:
            unmatched.append(name)
        else:
            name_map[region] = name
    return name_map, unmatched


def _region_of(name: str, regions: t.Collection[str]) -> str | None:
    """The one region ``name`` spells with or without a suffix."""
    if len(name) < _MIN_SHARED:
        return None
    found = [
        region
        for region in regions
        if len(region) >= _MIN_SHARED
        and (name.startswith(region) or region.startswith(name))
    ]
    if len(found) > 1:  # 内蒙古自治区 starts with 内蒙古 only; keep the longest
        found.sort(key=len, reverse=True)
        if len(found[0]) == len(found[1]):
            return None
    return found[0] if found else None
