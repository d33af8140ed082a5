"""S3: option building, ``build_document()`` against ``dump_options_with_quotes()``.

For a few representative charts, the time to turn a built pyecharts chart into
the JSON a browser gets, and its size: the classic recipe's
``chart.dump_options_with_quotes()`` (what ``/barChart`` returns, per request)
against ``flask_pyecharts.options.build_document(chart)`` (once per refresh,
whatever the number of viewers). Constructing the chart itself (the user's
builder) is timed apart: both ways pay it, the recipe once per request.

Also, for a rebuild that changes only the data (the next version of the same
chart), the size of the option patch the event stream sends instead of the
whole option (``flask_pyecharts.wire.patches``).
"""

from __future__ import annotations

import gzip
import time
import typing as t

from pyecharts import options as opts
from pyecharts.charts import Bar, Line, Pie
from pyecharts.commons.utils import JsCode

from bench import world
from flask_pyecharts._json import dumps, loads
from flask_pyecharts.options import build_document
from flask_pyecharts.wire.patches import option_patch


def tutorial_bar(now: float = 0.0) -> Bar:
    return world.bar(0, now)


def bar_jscode(now: float = 0.0) -> Bar:
    return tutorial_bar(now).set_series_opts(
        label_opts=opts.LabelOpts(
            formatter=JsCode("function (p) { return p.value + ' 件'; }")
        )
    )


def pie(version: float = 0.0) -> Pie:
    items = [(f"类别 {i}", (i * 37 + int(version) * 7) % 100 + 5) for i in range(12)]
    return (
        Pie()
        .add("", items, radius=["40%", "70%"])
        .set_global_opts(title_opts=opts.TitleOpts(title="Pie"))
        .set_series_opts(label_opts=opts.LabelOpts(formatter="{b}: {c}"))
    )


def line(points: int) -> t.Callable[..., Line]:
    def build(shift: float = 0.0) -> Line:
        first = int(shift)  # the next version: the window moved by one point
        xs = [f"{1_700_000_000 + i * 0.1:.3f}" for i in range(first, first + points)]
        return (
            Line()
            .add_xaxis(xs)
            .add_yaxis(
                "a", [world.point_value(0, i) for i in range(first, first + points)]
            )
            .add_yaxis(
                "b", [world.point_value(1, i) for i in range(first, first + points)]
            )
            .set_global_opts(
                title_opts=opts.TitleOpts(title=f"Line {points}"),
                datazoom_opts=[opts.DataZoomOpts()],
                toolbox_opts=opts.ToolboxOpts(),
                tooltip_opts=opts.TooltipOpts(trigger="axis"),
            )
        )

    return build


CHARTS: list[tuple[str, t.Callable[..., t.Any]]] = [
    ("tutorial bar (6 x 2)", tutorial_bar),
    ("bar + JsCode formatter", bar_jscode),
    ("pie (12 items)", pie),
    ("line 2 x 1,000 points", line(1_000)),
    ("line 2 x 10,000 points", line(10_000)),
]


def timed(function: t.Callable[[], t.Any], budget: float) -> float:
    """Seconds per call: the best of 5 rounds over about ``budget`` seconds (the
    least disturbed by other jobs on the machine)."""
    function()  # warm
    start = time.perf_counter()
    function()
    once = max(time.perf_counter() - start, 1e-7)
    loops = max(1, int(budget / 5 / once))
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(loops):
            function()
        samples.append((time.perf_counter() - start) / loops)
    return min(samples)


def run(quick: bool = False) -> list[dict[str, t.Any]]:
    budget = 0.25 if quick else 1.0
    rows = []
    for name, make in CHARTS:
        chart = make()
        classic = chart.dump_options_with_quotes().encode()
        ours = build_document(chart).body
        # the next version: another data slot (bars), other values, one more point
        following = build_document(make(world.PERIOD * 5 if "bar" in name else 1))
        patch = option_patch(loads(ours), loads(following.body))
        patch_bytes = len(dumps(patch)) if patch is not None else len(following.body)
        rows.append(
            {
                "chart": name,
                "construct_us": timed(make, budget) * 1e6,
                "classic_us": timed(chart.dump_options_with_quotes, budget) * 1e6,
                "classic_bytes": len(classic),
                "classic_gzip": len(gzip.compress(classic, 6)),
                "ours_us": timed(lambda chart=chart: build_document(chart), budget)
                * 1e6,
                "ours_bytes": len(ours),
                "ours_gzip": len(gzip.compress(ours, 6)),
                "patch_bytes": patch_bytes,
                "patch_share": patch_bytes / len(following.body),
            }
        )
    return rows


if __name__ == "__main__":
    for row in run(quick=True):
        print(row)
