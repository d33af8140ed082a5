"""One chart of every class in ``pyecharts.charts`` and every component,
written as pyecharts' gallery writes them, with its own ``Faker`` data.

``GALLERY`` maps a name to a builder; the browser suite shows each one
embedded, in separated mode and on a dashboard. ``ONLINE_MAPS`` are the
charts that need a third-party map API and its key (AMap, BMap, GMap, LMap):
they cannot work offline.
"""

from __future__ import annotations

import random
import typing as t

from pyecharts import options as opts
from pyecharts.charts import (
    AMap,
    Bar,
    Bar3D,
    BMap,
    Boxplot,
    Calendar,
    Candlestick,
    Chord,
    Custom,
    EffectScatter,
    Funnel,
    Gauge,
    Geo,
    GMap,
    Graph,
    GraphGL,
    Grid,
    HeatMap,
    Kline,
    Line,
    Line3D,
    Lines3D,
    Liquid,
    LMap,
    Map,
    Map3D,
    MapGlobe,
    Page,
    Parallel,
    PictorialBar,
    Pie,
    Polar,
    Radar,
    Sankey,
    Scatter,
    Scatter3D,
    Sunburst,
    Surface3D,
    Tab,
    ThemeRiver,
    Timeline,
    Tree,
    TreeMap,
    WordCloud,
)
from pyecharts.commons.utils import JsCode
from pyecharts.components import Image, Table
from pyecharts.faker import Faker
from pyecharts.globals import SymbolType, ThemeType

#: A cell that would run script if it were ever parsed as HTML.
XSS = '<img src=x onerror="window.__xss=1">'

#: A 2x2 PNG (red, green / blue, white), so that the Image needs no request.
PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAGUlEQVR4"
    "nGP4/58BjhiQOdSUQGYiA+pJAABW3F+hX6uCkAAAAABJRU5ErkJggg=="
)


def _pairs(names: t.Sequence[str]) -> list[list[t.Any]]:
    return [list(z) for z in zip(names, Faker.values(), strict=False)]


def bar() -> Bar:
    return (
        Bar()
        .add_xaxis(Faker.choose())
        .add_yaxis("商家A", Faker.values())
        .add_yaxis("商家B", Faker.values())
        .set_global_opts(title_opts=opts.TitleOpts(title="Bar-基本示例"))
    )


def bar3d() -> Bar3D:
    data = [(i, j, random.randint(0, 12)) for i in range(6) for j in range(24)]
    return (
        Bar3D()
        .add(
            "",
            [[d[1], d[0], d[2]] for d in data],
            xaxis3d_opts=opts.Axis3DOpts(Faker.clock, type_="category"),
            yaxis3d_opts=opts.Axis3DOpts(Faker.week_en, type_="category"),
            zaxis3d_opts=opts.Axis3DOpts(type_="value"),
        )
        .set_global_opts(
            visualmap_opts=opts.VisualMapOpts(max_=20),
            title_opts=opts.TitleOpts(title="Bar3D-基本示例"),
        )
    )


def boxplot() -> Boxplot:
    v1 = [[850, 740, 900, 1070, 930, 850, 950], [960, 940, 960, 940, 880, 800, 850]]
    chart = Boxplot()
    return chart.add_xaxis(["expr1", "expr2"]).add_yaxis("A", chart.prepare_data(v1))


def calendar() -> Calendar:
    data = [
        [f"2024-{m:02}-{d:02}", random.randint(1000, 25000)]
        for m in range(1, 13)
        for d in range(1, 29)
    ]
    return (
        Calendar()
        .add("", data, calendar_opts=opts.CalendarOpts(range_="2024"))
        .set_global_opts(
            title_opts=opts.TitleOpts(title="Calendar-2024年微信步数"),
            visualmap_opts=opts.VisualMapOpts(
                max_=20000,
                min_=500,
                orient="horizontal",
                is_piecewise=True,
                pos_top="230px",
                pos_left="100px",
            ),
        )
    )


def candlestick() -> Candlestick:
    data = [
        [2320.26, 2320.26, 2287.3, 2362.94],
        [2300, 2291.3, 2288.26, 2308.38],
        [2295.35, 2346.5, 2295.35, 2345.92],
        [2347.22, 2358.98, 2337.35, 2363.8],
    ]
    return (
        Candlestick()
        .add_xaxis(["2017-10-24", "2017-10-25", "2017-10-26", "2017-10-27"])
        .add_yaxis("kline", data)
        .set_global_opts(yaxis_opts=opts.AxisOpts(is_scale=True))
    )


def chord() -> Chord:
    names = Faker.choose()[:5]
    links = [
        {"source": a, "target": b, "value": 3}
        for a, b in zip(names, names[1:] + names[:1], strict=True)
    ]
    return Chord().add("chord", [{"name": n} for n in names], links)


def custom() -> Custom:
    # pyecharts' Custom has no axes of its own: it draws in pixels.
    render = JsCode(
        "function (params, api) { return {type: 'circle', shape: {"
        " cx: 40 + params.dataIndex * 50, cy: 260 - api.value(1), r: 14},"
        " style: api.style()}; }"
    )
    return Custom().add(
        "custom",
        render,
        coordinate_system="none",
        data=[[i, v] for i, v in enumerate(Faker.values())],
    )


def effect_scatter() -> EffectScatter:
    return EffectScatter().add_xaxis(Faker.choose()).add_yaxis("", Faker.values())


def funnel() -> Funnel:
    return Funnel().add("商品", _pairs(Faker.choose()))


def gauge() -> Gauge:
    return Gauge().add("", [("完成率", 66.6)])


def geo() -> Geo:
    return (
        Geo()
        .add_schema(maptype="china")
        .add("geo", _pairs(Faker.provinces))
        .set_series_opts(label_opts=opts.LabelOpts(is_show=False))
        .set_global_opts(visualmap_opts=opts.VisualMapOpts())
    )


def graph() -> Graph:
    nodes = [{"name": f"结点{i}", "symbolSize": 10 * i} for i in range(1, 7)]
    links = [{"source": a["name"], "target": b["name"]} for a in nodes for b in nodes]
    return Graph().add("", nodes, links, repulsion=4000)


def graph_gl() -> GraphGL:
    nodes = [
        opts.GraphGLNode(x=random.random() * 400, y=random.random() * 400, value=1)
        for _ in range(120)
    ]
    links = [opts.GraphGLLink(source=i, target=(i * 7) % 120) for i in range(120)]
    return GraphGL().add(
        "",
        nodes,
        links,
        layout="none",
        symbol_size=16,
        itemstyle_opts=opts.ItemStyleOpts(color="#5470c6"),
        linestyle_opts=opts.LineStyleOpts(width=2, opacity=0.6, color="#91cc75"),
    )


def grid() -> Grid:
    top = Bar().add_xaxis(Faker.choose()).add_yaxis("A", Faker.values())
    below = Line().add_xaxis(Faker.choose()).add_yaxis("B", Faker.values())
    return (
        Grid()
        .add(top, grid_opts=opts.GridOpts(pos_bottom="60%"))
        .add(below, grid_opts=opts.GridOpts(pos_top="60%"))
    )


def heatmap() -> HeatMap:
    value = [[i, j, random.randint(0, 50)] for i in range(24) for j in range(7)]
    return (
        HeatMap()
        .add_xaxis(Faker.clock)
        .add_yaxis("series0", Faker.week, value)
        .set_global_opts(visualmap_opts=opts.VisualMapOpts())
    )


def kline() -> Kline:
    data = [
        [2320.26, 2320.26, 2287.3, 2362.94],
        [2300, 2291.3, 2288.26, 2308.38],
        [2295.35, 2346.5, 2295.35, 2345.92],
    ]
    return Kline().add_xaxis(["a", "b", "c"]).add_yaxis("kline", data)


def line() -> Line:
    return (
        Line()
        .add_xaxis(Faker.choose())
        .add_yaxis("商家A", Faker.values())
        .add_yaxis("商家B", Faker.values())
        .set_global_opts(title_opts=opts.TitleOpts(title="Line-基本示例"))
    )


def line3d() -> Line3D:
    import math

    data = []
    for t_ in range(0, 250):
        _t = t_ / 10
        data.append(
            [
                (1 + 0.25 * math.cos(75 * _t)) * math.cos(_t),
                (1 + 0.25 * math.cos(75 * _t)) * math.sin(_t),
                _t + 2.0 * math.sin(75 * _t),
            ]
        )
    return Line3D().add("", data, xaxis3d_opts=opts.Axis3DOpts(type_="value"))


def lines3d() -> Lines3D:
    flights = [[[113.2, 23.1], [116.4, 39.9]], [[121.5, 31.2], [104.1, 30.7]]]
    return (
        Lines3D()
        .add_globe(shading="color", environment="#000")
        .add("flights", flights, coordinate_system="globe", is_show_lines_effect=True)
    )


def liquid() -> Liquid:
    return Liquid().add("lq", [0.6, 0.7])


def china_map() -> Map:
    return (
        Map()
        .add("商家A", _pairs(Faker.provinces), "china")
        .set_global_opts(
            title_opts=opts.TitleOpts(title="Map-基本示例"),
            visualmap_opts=opts.VisualMapOpts(max_=200),
        )
    )


def province_map(name: str, cities: t.Sequence[str]) -> t.Callable[[], Map]:
    def build() -> Map:
        return (
            Map()
            .add("商家A", _pairs(cities), name)
            .set_global_opts(
                title_opts=opts.TitleOpts(title=f"Map-{name}地图"),
                visualmap_opts=opts.VisualMapOpts(max_=200),
            )
        )

    return build


def world_map() -> Map:
    return (
        Map()
        .add("商家A", _pairs(Faker.country), "world")
        .set_series_opts(label_opts=opts.LabelOpts(is_show=False))
        .set_global_opts(visualmap_opts=opts.VisualMapOpts(max_=200))
    )


def map3d() -> Map3D:
    return (
        Map3D()
        .add_schema(maptype="广东")
        .add("", _pairs(Faker.guangdong_city), maptype="广东")
        .set_global_opts(visualmap_opts=opts.VisualMapOpts(max_=200))
    )


def map_globe() -> MapGlobe:
    return (
        MapGlobe()
        .add_schema()
        .add(
            maptype="world",
            series_name="World",
            data_pair=_pairs(Faker.country),
            is_map_symbol_show=False,
            label_opts=opts.LabelOpts(is_show=False),
        )
        .set_global_opts(visualmap_opts=opts.VisualMapOpts(max_=200))
    )


def parallel() -> Parallel:
    data = [
        [1, 91, 45, 125, 0.82, 34],
        [2, 65, 27, 78, 0.86, 45],
        [3, 83, 60, 84, 1.09, 73],
    ]
    return (
        Parallel()
        .add_schema(
            [
                {"dim": i, "name": n}
                for i, n in enumerate(["日期", "AQI", "PM2.5", "PM10", "CO", "NO2"])
            ]
        )
        .add("parallel", data)
    )


def pictorial_bar() -> PictorialBar:
    return (
        PictorialBar()
        .add_xaxis(Faker.choose())
        .add_yaxis(
            "",
            Faker.values(),
            symbol=SymbolType.ROUND_RECT,
            symbol_size=18,
            is_symbol_clip=True,
            symbol_repeat="fixed",
        )
    )


def pie() -> Pie:
    return (
        Pie()
        .add("", _pairs(Faker.choose()))
        .set_global_opts(title_opts=opts.TitleOpts(title="Pie-基本示例"))
        .set_series_opts(label_opts=opts.LabelOpts(formatter="{b}: {c}"))
    )


def polar() -> Polar:
    data = [(i, random.randint(1, 100)) for i in range(101)]
    return Polar().add("", data, type_="effectScatter")


def radar() -> Radar:
    return (
        Radar()
        .add_schema(
            schema=[
                opts.RadarIndicatorItem(name=n, max_=6500)
                for n in ["销售", "管理", "信息技术", "客服", "研发", "市场"]
            ]
        )
        .add("预算分配", [[4300, 10000, 28000, 35000, 50000, 19000]])
    )


def sankey() -> Sankey:
    nodes = [{"name": n} for n in ["category1", "category2", "category3"]]
    links = [
        {"source": "category1", "target": "category2", "value": 10},
        {"source": "category2", "target": "category3", "value": 15},
    ]
    return Sankey().add("sankey", nodes, links)


def scatter() -> Scatter:
    return Scatter().add_xaxis(Faker.choose()).add_yaxis("商家A", Faker.values())


def scatter3d() -> Scatter3D:
    data = [[random.randint(0, 100) for _ in range(3)] for _ in range(80)]
    return (
        Scatter3D()
        .add("", data)
        .set_global_opts(
            visualmap_opts=opts.VisualMapOpts(range_color=Faker.visual_color)
        )
    )


def sunburst() -> Sunburst:
    data = [
        opts.SunburstItem(
            name="Grandpa",
            children=[
                opts.SunburstItem(name="Uncle Leo", value=15),
                opts.SunburstItem(name="Father", value=10),
            ],
        ),
        opts.SunburstItem(name="Nancy", value=20),
    ]
    return Sunburst().add("", data_pair=data, radius=[0, "90%"])


def surface3d() -> Surface3D:
    import math

    data = [
        [x / 10, y / 10, math.sin(x / 10) * math.cos(y / 10)]
        for x in range(-30, 31, 2)
        for y in range(-30, 31, 2)
    ]
    return Surface3D().add("", data, xaxis3d_opts=opts.Axis3DOpts(type_="value"))


def theme_river() -> ThemeRiver:
    data = [
        [f"2015/11/{d:02}", random.randint(1, 50), name]
        for name in ["DQ", "TY", "SS"]
        for d in range(8, 16)
    ]
    return ThemeRiver().add(
        ["DQ", "TY", "SS"], data, singleaxis_opts=opts.SingleAxisOpts(type_="time")
    )


def timeline() -> Timeline:
    tl = Timeline()
    for year in range(2015, 2018):
        tl.add(
            Bar()
            .add_xaxis(Faker.choose())
            .add_yaxis("商家A", Faker.values())
            .set_global_opts(title_opts=opts.TitleOpts(title=f"某商店{year}年营业额")),
            f"{year}年",
        )
    return tl


def tree() -> Tree:
    leaves = [{"name": f"{name}{i}"} for name in Faker.animal for i in range(2)]
    data = [
        {
            "name": "flare",
            "children": [
                {"name": "data", "children": leaves[: len(leaves) // 2]},
                {"name": "display", "children": leaves[len(leaves) // 2 :]},
            ],
        }
    ]
    return Tree().add("", data, symbol_size=14, is_expand_and_collapse=False)


def treemap() -> TreeMap:
    data = [
        {"value": 40, "name": "我是A"},
        {
            "value": 180,
            "name": "我是B",
            "children": [{"value": 76, "name": "我是B.children"}],
        },
    ]
    return TreeMap().add("演示数据", data)


def word_cloud() -> WordCloud:
    names = Faker.clothes + Faker.drinks + Faker.phones + Faker.fruits + Faker.dogs
    words = [(name, 100 - 3 * index) for index, name in enumerate(names)]
    return WordCloud().add("", words, word_size_range=[14, 48])


def table() -> Table:
    return (
        Table()
        .add(
            ["City name", "Area", "Population"],
            [
                ["Brisbane", 5905, 1857594],
                [XSS, 1295, 1158259],
                ["Darwin", 112, 120900],
            ],
        )
        .set_global_opts(
            title_opts=opts.ComponentTitleOpts(
                title="Table-基本示例", subtitle="副标题"
            )
        )
    )


def image() -> Image:
    return (
        Image()
        .add(
            src=PNG,
            style_opts={
                "width": "120px",
                "height": "120px",
                "style": "margin-top: 20px",
            },
        )
        .set_global_opts(title_opts=opts.ComponentTitleOpts(title="Image-基本示例"))
    )


def page() -> Page:
    return Page(layout=Page.SimplePageLayout).add(bar(), liquid(), table())


def tab() -> Tab:
    return Tab().add(bar(), "bar-example").add(pie(), "pie-example")


def themed_bar() -> Bar:
    return (
        Bar(init_opts=opts.InitOpts(theme=ThemeType.MACARONS))
        .add_xaxis(Faker.choose())
        .add_yaxis("A", Faker.values())
    )


#: name -> builder: every class of pyecharts.charts but the online maps, and
#: every component. Maps: china, three provinces, the world.
GALLERY: dict[str, t.Callable[[], t.Any]] = {
    "Bar": bar,
    "Bar3D": bar3d,
    "Boxplot": boxplot,
    "Calendar": calendar,
    "Candlestick": candlestick,
    "Chord": chord,
    "Custom": custom,
    "EffectScatter": effect_scatter,
    "Funnel": funnel,
    "Gauge": gauge,
    "Geo": geo,
    "Graph": graph,
    "GraphGL": graph_gl,
    "Grid": grid,
    "HeatMap": heatmap,
    "Kline": kline,
    "Line": line,
    "Line3D": line3d,
    "Lines3D": lines3d,
    "Liquid": liquid,
    "Map": china_map,
    "Map_guangdong": province_map("广东", Faker.guangdong_city),
    "Map_sichuan": province_map("四川", ["成都市", "绵阳市", "宜宾市"]),
    "Map_xinjiang": province_map("新疆", ["乌鲁木齐市", "克拉玛依市", "吐鲁番市"]),
    "Map_world": world_map,
    "Map3D": map3d,
    "MapGlobe": map_globe,
    "Page": page,
    "Parallel": parallel,
    "PictorialBar": pictorial_bar,
    "Pie": pie,
    "Polar": polar,
    "Radar": radar,
    "Sankey": sankey,
    "Scatter": scatter,
    "Scatter3D": scatter3d,
    "Sunburst": sunburst,
    "Surface3D": surface3d,
    "Tab": tab,
    "ThemeRiver": theme_river,
    "Timeline": timeline,
    "Tree": tree,
    "TreeMap": treemap,
    "WordCloud": word_cloud,
    "Table": table,
    "Image": image,
    "Bar_macarons": themed_bar,
}

#: The charts on a third-party online map (and its API key): never offline.
ONLINE_MAPS: dict[str, t.Callable[[], t.Any]] = {
    "AMap": lambda: AMap().add_schema(amap_ak="KEY", center=[120.1, 30.2]),
    "BMap": lambda: BMap().add_schema(baidu_ak="KEY", center=[120.1, 30.2]),
    "GMap": lambda: GMap().add_schema(gmap_ak="KEY", center=[120.1, 30.2]),
    "LMap": lambda: LMap().add_schema(center=[120.1, 30.2]),
}

#: The pyecharts chart classes the gallery covers (a test checks it is all).
COVERED = {
    name.split("_")[0] for name in GALLERY if name not in ("Table", "Image")
} | set(ONLINE_MAPS)
