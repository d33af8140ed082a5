"""The bundled themes style the charts as their authors wrote them.

echarts-themes-js writes its series styles in ECharts 4's keys, which
ECharts 6 ignores in a theme; the build upgrades them. This test reads each
original theme file (from node_modules) and checks, on charts drawn with the
bundled theme, that every series style it declares is the one the series'
model holds.
"""

from __future__ import annotations

import typing as t

from flask import Flask

from flask_pyecharts import Charts

from ..test_assets import ROOT, build_assets
from .conftest import BrowserServer, WatchedPage
from .pages import HEAD

ORIGINALS = ROOT / "node_modules" / "echarts-themes-js" / "echarts-themes-js"

#: A series of each type the themes style, drawable without other components.
SERIES: dict[str, dict[str, t.Any]] = {
    "line": {"type": "line", "data": [1, 2]},
    "bar": {"type": "bar", "data": [1, 2]},
    "scatter": {"type": "scatter", "data": [1, 2]},
    "candlestick": {"type": "candlestick", "data": [[1, 2, 0, 3], [2, 1, 0, 3]]},
    "boxplot": {"type": "boxplot", "data": [[1, 2, 3, 4, 5], [2, 3, 4, 5, 6]]},
    "pie": {"type": "pie", "data": [{"name": "a", "value": 1}]},
    "funnel": {"type": "funnel", "data": [{"name": "a", "value": 1}]},
    "gauge": {"type": "gauge", "data": [{"value": 50}]},
    "graph": {"type": "graph", "data": [{"name": "a"}], "links": []},
    "sankey": {
        "type": "sankey",
        "data": [{"name": "a"}, {"name": "b"}],
        "links": [{"source": "a", "target": "b", "value": 1}],
    },
}

#: ECharts 4 names of ECharts 6 keys.
RENAMED = {"barBorderWidth": "borderWidth", "barBorderColor": "borderColor"}

#: For every theme file, every style it declares for a series type (in
#: ECharts 4's keys: ``itemStyle.normal.color``, ``label.emphasis.textStyle``)
#: that a chart of that type in the bundled theme does not hold.
LOST_STYLES = """async ([originals, series, renamed]) => {
    const declared = {};
    const echarts = window.echarts;
    for (const text of originals) {  // UMD files: they register on window.echarts
        window.echarts = {registerTheme: (name, theme) => { declared[name] = theme; }};
        (0, eval)(text);
    }
    window.echarts = echarts;
    // [path where ECharts 6 reads it, value] for each style of a series type
    const styles = (part) => Object.entries(part).flatMap(([key, style]) =>
        [["normal", [key]], ["emphasis", ["emphasis", key]]].flatMap(([state, at]) =>
            Object.entries((style && style[state]) || {}).flatMap(([prop, value]) =>
                prop === "textStyle"
                    ? Object.entries(value).map(([name, v]) => [[...at, name], v])
                    : [[[...at, renamed[prop] || prop], value]])));
    const lost = [];
    for (const [name, theme] of Object.entries(declared)) {
        for (const [type, option] of Object.entries(series)) {
            if (!theme[type]) continue;
            const el = document.createElement("div");
            el.style.cssText = "width: 300px; height: 200px";
            document.body.appendChild(el);
            const chart = echarts.init(el, name);
            const axes = ["pie", "funnel", "gauge", "graph", "sankey"].includes(type)
                ? {} : {xAxis: {data: ["a", "b"]}, yAxis: {}};
            chart.setOption({...axes, series: [option]});
            const model = chart.getModel().getSeriesByIndex(0);
            for (const [path, value] of styles(theme[type])) {
                const held = model.get(path);
                if (String(held) !== String(value)) {
                    lost.push(`${name} ${type} ${path}: ${held}, not ${value}`);
                }
            }
            chart.dispose();
            el.remove();
        }
    }
    return [Object.keys(declared).sort(), lost];
}"""


def test_the_echarts_4_themes_style_their_series_in_echarts_6(
    watched: WatchedPage, serve: t.Callable[..., BrowserServer]
) -> None:
    app = Flask(__name__)
    Charts(app)
    scripts = "".join(
        f'<script src="/charts/static/themes/{theme}.js"></script>'
        for theme in build_assets.THEMES_JS
    )
    echarts = '<script src="/charts/static/echarts.min.js"></script>'
    page = f"<!doctype html><html><head>{HEAD}{echarts}{scripts}</head></html>"
    app.add_url_rule("/", "themes", lambda: page)
    server = serve(app)
    watched.page.goto(server.url + "/")
    originals = [
        (ORIGINALS / f"{theme}.js").read_text("utf-8")
        for theme in build_assets.THEMES_JS
    ]
    names, lost = watched.page.evaluate(LOST_STYLES, [originals, SERIES, RENAMED])
    assert names == sorted(build_assets.THEMES_JS)
    assert lost == []
    watched.assert_clean(server.url)
