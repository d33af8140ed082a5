"""Number cards for the demo, until the package has them.

Number cards (``charts.number``) are being added to the package; the demo is
written against their contract (DESIGN §8). :func:`number` calls the
package's own when it is there, else a small stand-in drawn with ECharts, so
the demo runs either way. Once the package has them, this module goes.
"""

from __future__ import annotations

import inspect
import typing as t

if t.TYPE_CHECKING:
    from flask_pyecharts import Charts

F = t.TypeVar("F", bound=t.Callable[..., t.Any])


def number(
    charts: Charts,
    name: str,
    *,
    refresh: float,
    label: str,
    prefix: str = "",
    suffix: str = "",
    digits: int = 0,
) -> t.Callable[[F], F]:
    """``@charts.number(name, ...)``: a card showing one figure."""
    real = getattr(charts, "number", None)
    if real is not None:
        return t.cast(
            "t.Callable[[F], F]",
            real(
                name,
                refresh=refresh,
                label=label,
                prefix=prefix,
                suffix=suffix,
                digits=digits,
            ),
        )

    def decorator(builder: F) -> F:
        def card(*args: t.Any, **kwargs: t.Any) -> dict[str, t.Any]:
            answer = builder(*args, **kwargs)
            if not isinstance(answer, dict):
                answer = {"value": answer}
            return _card_option(answer, prefix, suffix, digits)

        card.__signature__ = inspect.signature(builder)  # type: ignore[attr-defined]
        charts.chart(name, refresh=refresh, title=label)(card)
        return builder

    return decorator


def _card_option(
    answer: dict[str, t.Any], prefix: str, suffix: str, digits: int
) -> dict[str, t.Any]:
    value, previous = answer["value"], answer.get("previous")
    change = ""
    if previous:
        ratio = (value - previous) / abs(previous) * 100
        change = f"{'▲' if ratio >= 0 else '▼'} {abs(ratio):.1f}%  环比"
    trend = answer.get("trend") or []
    return {
        "title": [
            {
                "text": f"{prefix}{value:,.{digits}f}{suffix}",
                "subtext": change,
                "left": "center",
                "top": "12%",
                "textStyle": {"fontSize": 30},
            }
        ],
        "grid": {"left": 8, "right": 8, "bottom": 8, "height": "35%"},
        "xAxis": {"type": "category", "show": False, "data": list(range(len(trend)))},
        "yAxis": {"type": "value", "show": False, "scale": True},
        "series": [
            {
                "type": "line",
                "data": trend or [value],
                "symbol": "none",
                "smooth": True,
                "areaStyle": {"opacity": 0.15},
            }
        ],
        "tooltip": {"show": False},
    }
