"""Page, Tab, Table, Image (and MapGlobe) as composite documents."""

from __future__ import annotations

import json
import re
import time
import typing as t

import pytest
from flask import Flask, render_template_string
from pyecharts import options as opts
from pyecharts.charts import Bar, BMap, Liquid, MapGlobe, Page, Pie, Tab, Timeline
from pyecharts.components import Image, Table
from pyecharts.globals import ThemeType

from flask_pyecharts import Charts, JsCode
from flask_pyecharts.components import safe_image_src
from flask_pyecharts.export import export_dashboard
from flask_pyecharts.live.option_cache import BuildError
from flask_pyecharts.options import OptionError, build_document

XSS = '<img src=x onerror="alert(1)">'


def bar(theme: str = ThemeType.WHITE) -> Bar:
    return (
        Bar(init_opts=opts.InitOpts(theme=theme, width="600px", height="300px"))
        .add_xaxis(["a", "b"])
        .add_yaxis("n", [1, 2])
        .set_series_opts(label_opts=opts.LabelOpts(formatter=JsCode("(p) => p.value")))
    )


def table() -> Table:
    return (
        Table()
        .add(["城市", "人口"], [["北京", 2189], [XSS, "a\nb"]])
        .set_global_opts(opts.ComponentTitleOpts(title="表格", subtitle="副标题"))
    )


def page() -> Page:
    return Page(layout=Page.SimplePageLayout).add(
        bar(ThemeType.CHALK), Liquid().add("l", [0.5]), table()
    )


def composite(chart: t.Any) -> dict[str, t.Any]:
    document = build_document(chart, "c")
    assert document.composite
    return t.cast(dict[str, t.Any], json.loads(document.body))


def test_a_page_is_its_parts_with_their_layout_sizes_and_scripts() -> None:
    document = build_document(page(), "c")
    assert document.dependencies == ("echarts", "chalk", "echarts-liquidfill")
    shape = json.loads(document.body)
    assert shape["type"] == "page"
    assert shape["layout"] == {
        "justify-content": "center",
        "display": "flex",
        "flex-wrap": "wrap",
    }
    chart, liquid, cells = shape["parts"]
    assert chart["type"] == "chart" and chart["theme"] == "chalk"
    assert (chart["width"], chart["height"]) == ("600px", "300px")
    assert chart["functions"] == [["series", 0, "label", "formatter"]]
    assert chart["option"]["series"][0]["label"]["formatter"] == "(p) => p.value"
    assert liquid["option"]["series"][0]["type"] == "liquidFill"
    assert cells == {
        "type": "table",
        "title": "表格",
        "subtitle": "副标题",
        "headers": ["城市", "人口"],
        "rows": [["北京", "2189"], [XSS, "a\nb"]],  # text, as the data said
    }


def test_a_default_page_stacks_and_a_draggable_one_flows() -> None:
    assert composite(Page().add(bar()))["layout"] == {}
    draggable = Page(layout=Page.DraggablePageLayout).add(bar())
    assert composite(draggable)["layout"]["display"] == "flex"


def test_a_tab_names_its_parts() -> None:
    tab = Tab().add(bar(), "柱状图").add(Pie().add("p", [("a", 1)]), "饼图")
    shape = composite(tab)
    assert shape["type"] == "tab"
    assert [part["tab"] for part in shape["parts"]] == ["柱状图", "饼图"]


def test_lone_components_are_pages_of_one_part() -> None:
    assert composite(table())["parts"][0]["type"] == "table"
    image = Image().add("/static/logo.png", {"width": "120px", "height": 80})
    image.set_global_opts(opts.ComponentTitleOpts(title="标志"))
    assert composite(image)["parts"] == [
        {
            "type": "image",
            "title": "标志",
            "src": "/static/logo.png",
            "alt": "标志",
            "width": "120px",
            "height": "80px",
        }
    ]


@pytest.mark.parametrize(
    "src",
    [
        "/static/a.png",
        "img/a.png",
        "./a.png",
        "https://example.com/a.png?x=1&y=2",
        "http://example.com/a.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "DATA:image/svg+xml,<svg/>",
    ],
)
def test_image_urls_that_are_shown(src: str) -> None:
    assert safe_image_src(src) == src


@pytest.mark.parametrize(
    "src",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        " javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:,hello",
        "file:///etc/passwd",
        "//evil.example/a.png",
        "\\\\evil.example\\a.png",
        "https://",
        "",
    ],
)
def test_image_urls_that_are_refused(src: str) -> None:
    assert safe_image_src(src) is None
    with pytest.raises(OptionError, match="Image src .* is not allowed"):
        build_document(Image().add(src), "c")


def test_nested_composites_and_strangers_are_refused_with_a_hint() -> None:
    with pytest.raises(OptionError, match="add its charts to the outer one"):
        build_document(Page().add(Page().add(bar())), "c")
    with pytest.raises(OptionError, match="Page, Tab, Table or Image"):
        build_document(object(), "c")


def test_a_map_globe_is_a_globe_textured_with_its_map() -> None:
    globe = (
        MapGlobe()
        .add_schema()
        .add(maptype="world", series_name="w", data_pair=[("China", 1)])
    )
    (part,) = composite(globe)["parts"]
    assert part["option"]["globe"]["show"] is True
    assert part["texture"]["option"]["series"][0]["type"] == "map"


def test_timeline_stays_one_chart() -> None:
    timeline = Timeline()
    for year in (2020, 2021):
        timeline.add(bar(), str(year))
    document = build_document(timeline, "c")
    assert not document.composite
    option = json.loads(document.body)
    assert option["baseOption"]["timeline"]["data"] == ["2020", "2021"]
    assert len(option["options"]) == 2


def make_app() -> tuple[Flask, Charts, dict[str, int]]:
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app)
    builds = {"page": 0}

    @charts.chart("page", refresh=0.05)
    def live_page() -> Page:
        builds["page"] += 1
        return Page().add(bar(), table().add(["n"], [[builds["page"]]]))

    @charts.chart("stream_page", window=10)
    def stream_page() -> Page:
        return page()

    @charts.chart("bmap")
    def bmap() -> BMap:
        return BMap().add_schema(baidu_ak="KEY", center=[120.1, 30.2])

    charts.dashboard("/", ["page"], title="Composites")

    @app.route("/embed")
    def embed() -> str:
        return render_template_string("{{ charts.embed(page) }}", page=page())

    return app, charts, builds


def test_a_registered_page_is_a_composite_document_sent_whole() -> None:
    app, charts, _ = make_app()
    client = app.test_client()
    first = client.get("/charts/api/charts/page")
    body = first.get_json()
    assert "option" not in body and body["composite"]["type"] == "page"
    assert body["functions"] == [] and body["etag"] == first.headers["ETag"]
    again = client.get(
        "/charts/api/charts/page", headers={"If-None-Match": body["etag"]}
    )
    assert again.status_code in (200, 304)
    # A rebuild (another table) comes as a whole composite, never as a patch.
    deadline = time.monotonic() + 5
    found: list[dict[str, t.Any]] = []
    while not found and time.monotonic() < deadline:  # the next rebuild
        time.sleep(0.02)
        updates = client.get(f"/charts/api/updates?charts=page&since={body['etag']}")
        found = updates.get_json()["updates"]
    (update,) = found
    assert update["type"] == "option" and "patch" not in update
    assert update["composite"]["parts"][1]["type"] == "table"
    assert update["etag"] != body["etag"]
    charts.shutdown()


def test_a_stream_cannot_be_a_page() -> None:
    app, charts, _ = make_app()
    answer = app.test_client().get("/charts/api/charts/stream_page")
    assert answer.status_code == 503
    assert "must return one chart" in answer.get_json()["error"]
    charts.shutdown()


def test_an_embedded_page_is_script_safe_json() -> None:
    app, charts, _ = make_app()
    html = app.test_client().get("/embed").get_data(as_text=True)
    (payload,) = re.findall(r'class="fpe-initial">(.*?)</script>', html)
    assert "<img" not in payload and "\\u003cimg" in payload
    document = json.loads(payload)
    assert document["kind"] == "static" and document["composite"]["type"] == "page"
    assert document["scripts"] == [
        "/charts/static/themes/chalk.js",
        "/charts/static/echarts-liquidfill.min.js",
    ]
    charts.shutdown()


def test_an_exported_dashboard_keeps_its_composites() -> None:
    app, charts, _ = make_app()
    exported = export_dashboard(app)
    assert exported.charts == ["page"] and exported.problems == []
    (payload,) = re.findall(r'class="fpe-initial">(.*?)</script>', exported.html)
    assert json.loads(payload)["composite"]["parts"][1]["type"] == "table"
    charts.shutdown()


def test_online_maps_fail_with_a_message_that_says_why() -> None:
    app, charts, _ = make_app()
    answer = app.test_client().get("/charts/api/charts/bmap")
    assert answer.status_code == 503
    message = answer.get_json()["error"]
    assert "BMap draws on Baidu Maps" in message and "cannot work offline" in message
    with app.test_request_context(), pytest.raises(BuildError, match="online map"):
        charts.embed(BMap().add_schema(baidu_ak="KEY", center=[120.1, 30.2]))
    charts.shutdown()
