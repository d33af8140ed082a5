"""Option patches in ECharts: merging a patch gives the chart a fresh option gives.

For random rebuilds of pyecharts charts (values, names, colours, titles,
categories, series added or removed), ``option_patch(old, new)`` must make
``setOption(old); setOption(patch)`` draw the same chart as ``setOption(new)``
on a new instance, and answer ``None`` (the whole option is sent) whenever it
cannot.
"""

from __future__ import annotations

import random
import typing as t

from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import Bar, Line, Pie

from flask_pyecharts import Charts
from flask_pyecharts._json import loads
from flask_pyecharts.options import build_document
from flask_pyecharts.wire.patches import option_patch

from .conftest import BrowserServer, WatchedPage
from .pages import HEAD

PAGE = (
    f"<!doctype html><html><head>{HEAD}"
    '<script src="/charts/static/echarts.min.js"></script></head><body></body></html>'
)

#: Draws each case twice and answers whether ECharts holds the same option.
COMPARE = """(cases) => cases.map(([old, patch, fresh]) => {
    const box = () => {
        const el = document.createElement("div");
        el.style.cssText = "width:600px;height:400px";
        document.body.appendChild(el);
        return el;
    };
    const merged = echarts.init(box(), null, {renderer: "svg"});
    const direct = echarts.init(box(), null, {renderer: "svg"});
    merged.setOption(old);
    merged.setOption(patch);
    direct.setOption(fresh);
    const a = JSON.stringify(merged.getOption());
    const b = JSON.stringify(direct.getOption());
    merged.dispose();
    direct.dispose();
    document.body.textContent = "";
    return a === b ? null : [a, b];
})"""

WORDS = ["衬衫", "羊毛衫", "雪纺衫", "裤子", "高跟鞋", "袜子", "帽子", "围巾"]


def random_chart(rng: random.Random, shape: dict[str, t.Any]) -> t.Any:
    """A pyecharts chart of ``shape`` (its categories, series, styles) with
    random values, as a builder rebuilds it on new data."""
    categories = shape["categories"]
    if shape["kind"] == "pie":
        chart = Pie().add(
            shape["series"][0],
            [(name, rng.randint(1, 100)) for name in categories],
            radius=["30%", "60%"],
        )
    else:
        chart = (Bar() if shape["kind"] == "bar" else Line()).add_xaxis(categories)
        for name in shape["series"]:
            values = [rng.choice([None, rng.randint(0, 200)]) for _ in categories]
            chart.add_yaxis(
                name,
                values,
                color=shape["color"],
                label_opts=opts.LabelOpts(is_show=shape["labels"]),
            )
    return chart.set_global_opts(
        title_opts=opts.TitleOpts(
            title=shape["title"], subtitle=f"T={rng.randint(0, 10**6)}"
        ),
        legend_opts=opts.LegendOpts(is_show=shape["legend"]),
    )


def random_shape(rng: random.Random) -> dict[str, t.Any]:
    return {
        "kind": rng.choice(["bar", "line", "pie"]),
        "categories": rng.sample(WORDS, rng.randint(2, 6)),
        "series": [f"商家{i}" for i in range(rng.randint(1, 3))],
        "title": rng.choice(["销量", "销售额"]),
        "legend": rng.random() < 0.7,
        "color": rng.choice([None, "#5470c6", "#e6734f"]),
        "labels": rng.random() < 0.5,
    }


def rebuilds(count: int) -> t.Iterator[tuple[dict, dict]]:
    """Pairs (old option, new option): mostly new data (values, categories,
    subtitles), sometimes another shape (series, styles, legend...)."""
    rng = random.Random(20261125)
    for _ in range(count):
        shape = random_shape(rng)
        old = random_chart(rng, shape)
        if rng.random() < 0.2:  # another structure: series, styles, legend...
            shape = {**shape, **random_shape(rng), "kind": shape["kind"]}
        elif rng.random() < 0.3:  # other categories: the data's, not a style
            shape = {**shape, "categories": rng.sample(WORDS, rng.randint(2, 6))}
        new = random_chart(rng, shape)
        yield loads(build_document(old).body), loads(build_document(new).body)


def test_a_patch_draws_what_the_whole_option_draws(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
) -> None:
    app = Flask(__name__)
    Charts(app)
    app.add_url_rule("/", "page", lambda: PAGE)
    server = serve(app)
    watched.page.goto(server.url + "/")
    cases, whole = [], 0
    for old, new in rebuilds(80):
        patch = option_patch(old, new)
        if patch is None:  # sent whole instead: nothing to check here
            whole += 1
            continue
        cases.append([old, patch, new])
    differences = watched.page.evaluate(COMPARE, cases)
    wrong = [
        (case, diff) for case, diff in zip(cases, differences, strict=True) if diff
    ]
    assert wrong == []
    # Both ways happened: most rebuilds are patches, some structures changed.
    assert len(cases) >= 50 and whole >= 5, (len(cases), whole)
    sizes = [len(str(patch)) / len(str(new)) for _, patch, new in cases]
    assert sorted(sizes)[len(sizes) // 2] < 0.25  # a data change: a small patch
    watched.assert_clean(server.url)
