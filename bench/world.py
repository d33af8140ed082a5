"""The data every benchmark server shows: a deterministic function of the clock.

Any process (a gunicorn worker of the classic app, the appender of ours) can
say what the data is at time ``now`` without sharing state, and every value
carries the time it changed, so a client can measure its delay with the same
machine clock:

- full chart ``j`` (a bar chart) changes once in each ``PERIOD`` (2 s) slot,
  at a pseudo-random instant of the slot (so changes come 0 to 4 s apart, 2 s
  on average, and are not phase-locked to anyone's timer); its title's
  subtext is ``T=<changed_at>``;
- stream ``j`` gets ``rate`` points a second, point ``k`` at
  ``k / rate + j / (3 * rate)`` (streams are spread apart, as independent
  sources are); its x label is that time, ``"%.3f"``.
"""

from __future__ import annotations

import math
import random

from pyecharts import options as opts
from pyecharts.charts import Bar, Line

#: Seconds between two versions of a full chart (the recipe's setInterval).
PERIOD = 2.0
CATEGORIES = ["衬衫", "羊毛衫", "雪纺衫", "裤子", "高跟鞋", "袜子"]


def _change(j: int, slot: int) -> float:
    """The instant full chart ``j`` changes in time slot ``slot``."""
    return (slot + random.Random(slot * 7 + j).random()) * PERIOD


def full_changed_at(j: int, now: float) -> float:
    """When full chart ``j`` last changed, at or before ``now``."""
    slot = math.floor(now / PERIOD)
    changed = _change(j, slot)
    return changed if changed <= now else _change(j, slot - 1)


def full_next_change(j: int, changed: float) -> float:
    """The change of full chart ``j`` that follows the one at ``changed``."""
    return _change(j, math.floor(changed / PERIOD) + 1)


def bar(j: int, now: float) -> Bar:
    """Full chart ``j`` as it is at ``now``: the tutorial's bar chart."""
    changed = full_changed_at(j, now)
    rnd = random.Random(f"{j}:{changed:.3f}")
    return (
        Bar()
        .add_xaxis(CATEGORIES)
        .add_yaxis("商家A", [rnd.randrange(0, 100) for _ in CATEGORIES])
        .add_yaxis("商家B", [rnd.randrange(0, 100) for _ in CATEGORIES])
        .set_global_opts(
            title_opts=opts.TitleOpts(
                title=f"Bar-基本示例 {j}", subtitle=f"T={changed:.3f}"
            )
        )
    )


def stream_offset(j: int, rate: float) -> float:
    return j / (3 * rate)


def point_time(j: int, k: int, rate: float) -> float:
    """When point ``k`` of stream ``j`` exists."""
    return k / rate + stream_offset(j, rate)


def latest_index(j: int, rate: float, now: float) -> int:
    """The index of the newest point of stream ``j`` at ``now``."""
    return math.floor((now - stream_offset(j, rate)) * rate)


def point_value(j: int, k: int) -> float:
    return round(60 + 15 * math.sin(k / 17 + j) + 5 * math.sin(k / 3.1), 2)


def line(j: int) -> Line:
    """An empty stream chart (our stream charts start empty)."""
    return (
        Line()
        .add_xaxis([])
        .add_yaxis(f"stream {j}", [], is_smooth=True, is_symbol_show=False)
        .set_global_opts(
            title_opts=opts.TitleOpts(title=f"Stream {j}"),
            yaxis_opts=opts.AxisOpts(min_="dataMin"),
        )
    )


def ramp_seconds(viewers: int) -> float:
    """How long the simulated viewers take to arrive: 4 s for up to 1,000 of
    them, then 150 a second (every arrival fetches the six chart documents:
    faster, the arrivals alone would keep both cores busy)."""
    return max(min(4.0, 0.5 + viewers / 400), viewers / 150 if viewers > 1000 else 0)
