"""How the demo's reports write figures and periods, and the looks they share."""

from __future__ import annotations

import typing as t

from pyecharts import options as opts

from .. import JsCode

if t.TYPE_CHECKING:
    from .queries import Comparison, Totals

#: Axis labels in 万 (ten thousands), as Chinese reports write money.
WAN = JsCode(
    "function (value) { return value >= 10000 ? value / 10000 + '万' : value; }"
)
HIGHLIGHT = "#e6734f"
#: Where maps go in their card: below the title, beside the colour scale.
MAP_LAYOUT: dict[str, t.Any] = {
    "is_map_symbol_show": False,
    "layout_center": ["54%", "60%"],
    "layout_size": "76%",
}
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def period(region: str, days: int) -> str:
    """A chart's subtitle: ``广东 · 近 7 天``."""
    return f"{region} · 近 {days} 天"


def wan(value: float) -> str:
    """An amount as Chinese reports write it: ``2113419`` is ``211.3万``."""
    if value >= 100_000_000:
        return f"{value / 100_000_000:.2f}亿"
    return f"{value / 10_000:.1f}万" if value >= 10_000 else f"{value:.0f}"


def yuan(value: float) -> float:
    """An amount to the fen."""
    return round(value, 2)


def percent(part: float, whole: float) -> float:
    """``part`` of ``whole`` in percent, to 0.1 (0 of nothing)."""
    return round(part / whole * 100, 1) if whole else 0.0


def figure(
    value: float, previous: float | None = None, trend: t.Sequence[float] = ()
) -> dict[str, t.Any]:
    """What a number card's builder returns: its value, the value it compares
    with (``None``: none, such as a period before the data began) and a trend."""
    return {
        "value": value,
        "previous": previous,
        "trend": [round(point, 2) for point in trend],
    }


def compared(
    comparison: Comparison, measure: t.Callable[[Totals], float]
) -> dict[str, t.Any]:
    """The :func:`figure` of ``measure`` over a period, against the previous
    period, with its daily trend."""
    before = comparison.before
    return figure(
        measure(comparison.now),
        measure(before) if before is not None else None,
        [measure(day) for day in comparison.daily],
    )


def below_subtitle(chart: t.Any, bottom: int = 8) -> t.Any:
    """``chart`` with its plot below its subtitle (a report's areas give a plot
    small margins, with room for a title but not for a subtitle alone)."""
    chart.options["grid"] = opts.GridOpts(
        pos_top=44, pos_left=8, pos_right=16, pos_bottom=bottom, is_contain_label=True
    )
    return chart
