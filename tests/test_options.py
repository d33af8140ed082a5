import datetime
import decimal

import orjson
import pytest
from pyecharts import options as opts
from pyecharts.charts import Bar, Map, Timeline

from flask_pyecharts import JsCode
from flask_pyecharts.options import _ECHARTS_DEFAULTS, OptionError, build_document

from .conftest import tutorial_bar


def test_compact_body_is_at_most_55_percent_of_dump_options_with_quotes():
    chart = tutorial_bar()
    document = build_document(chart)
    classic = chart.dump_options_with_quotes().encode()
    assert len(document.body) <= 0.55 * len(classic)
    assert orjson.loads(document.body) == without_defaults(orjson.loads(classic))


def without_defaults(value):
    """The classic option less the values equal to ECharts' defaults."""
    if isinstance(value, dict):
        return {
            key: without_defaults(item)
            for key, item in value.items()
            if not (
                key in _ECHARTS_DEFAULTS
                and item == _ECHARTS_DEFAULTS[key]
                and type(item) is type(_ECHARTS_DEFAULTS[key])
            )
        }
    if isinstance(value, list):
        return [without_defaults(item) for item in value]
    return value


def test_jscode_becomes_source_string_and_its_path_is_listed():
    chart = tutorial_bar().set_global_opts(
        yaxis_opts=opts.AxisOpts(
            axislabel_opts=opts.LabelOpts(
                formatter=JsCode("function (v) { return v + '元'; }")
            )
        )
    )
    document = build_document(chart)
    option = document.option()
    assert document.functions == [["yAxis", 0, "axisLabel", "formatter"]]
    assert (
        option["yAxis"][0]["axisLabel"]["formatter"]
        == "function (v) { return v + '元'; }"
    )


def test_function_looking_data_is_not_listed():
    document = build_document({"title": {"text": "function () { alert(1) }"}})
    assert document.functions == []


def test_dict_option_with_dates_decimals_and_nan():
    document = build_document(
        {
            "series": [{"data": [[datetime.date(2026, 1, 2), decimal.Decimal("1.5")]]}],
            "nan": float("nan"),
            "tuple": (1, 2),
        }
    )
    assert document.option() == {
        "series": [{"data": [["2026-01-02", 1.5]]}],
        "nan": None,
        "tuple": [1, 2],
    }


def test_etag_changes_with_the_option_and_is_strong():
    first = build_document(tutorial_bar())
    second = build_document(tutorial_bar().add_yaxis("商家C", [1, 2, 3, 4, 5, 6]))
    assert first.etag == build_document(tutorial_bar()).etag
    assert first.etag != second.etag
    assert first.etag.startswith('"') and not first.etag.startswith("W/")


def test_not_serializable_value_is_null_and_logged_once_with_its_path(caplog):
    caplog.set_level("WARNING", logger="flask_pyecharts")
    for _ in range(2):
        document = build_document({"series": [{"data": [object()]}]}, name="sales")
        assert document.option() == {"series": [{"data": [None]}]}
    warnings = [r.getMessage() for r in caplog.records if "sales" in r.getMessage()]
    assert len(warnings) == 1
    assert "object" in warnings[0] and "series/0/data/0" in warnings[0]


def test_gallery_gdp_map_with_a_class_as_label_show_is_served_as_pyecharts_does(
    caplog,
):
    """Two gallery GDP maps pass the class ``Timeline`` as ``label.show``;
    pyecharts writes ``null`` there."""
    caplog.set_level("WARNING", logger="flask_pyecharts")
    chart = Map().add(
        "GDP",
        [("广东", 10.8), ("江苏", 10.0)],
        "china",
        label_opts=opts.LabelOpts(is_show=Timeline),
    )
    option = build_document(chart, name="gdp_map").option()
    assert option["series"][0]["label"]["show"] is None
    assert (
        option["series"][0]["data"]
        == orjson.loads(chart.dump_options())["series"][0]["data"]
    )
    assert any(
        "gdp_map" in r.getMessage()
        and "Timeline" in r.getMessage()
        and "series/0/label/show" in r.getMessage()
        for r in caplog.records
    )


def test_builder_returning_something_else_is_refused():
    with pytest.raises(OptionError, match="returned list"):
        build_document([1, 2], name="sales")


def test_dependencies_and_theme_are_kept():
    chart = (
        Bar(init_opts=opts.InitOpts(theme="dark")).add_xaxis(["a"]).add_yaxis("s", [1])
    )
    document = build_document(chart)
    assert document.dependencies[0] == "echarts"
    assert document.theme == "dark"


def test_etag_changes_with_the_theme_alone():
    light = build_document(Bar().add_xaxis(["a"]).add_yaxis("s", [1]))
    dark = build_document(
        Bar(init_opts=opts.InitOpts(theme="dark")).add_xaxis(["a"]).add_yaxis("s", [1])
    )
    assert light.body == dark.body
    assert light.etag != dark.etag


def test_a_map_gets_a_name_map_for_full_province_names(caplog):
    """pyecharts' data names provinces in full, the bundled china map short."""
    caplog.set_level("WARNING", logger="flask_pyecharts")
    data = [("广东省", 1), ("新疆维吾尔自治区", 2), ("北京", 3), ("内蒙古自治区", 4)]
    chart = Map().add("v", data + [("火星", 5)], "china")
    series = build_document(chart, name="provinces").option()["series"][0]
    assert series["nameMap"] == {
        "广东": "广东省",
        "新疆": "新疆维吾尔自治区",
        "内蒙古": "内蒙古自治区",
    }
    assert [item["name"] for item in series["data"]][:2] == [
        "广东省",
        "新疆维吾尔自治区",
    ]
    build_document(chart, name="provinces")  # warned once, not at each build
    (warning,) = [
        r.getMessage() for r in caplog.records if "provinces" in r.getMessage()
    ]
    assert "'china' has no region named '火星'" in warning


def test_a_province_map_names_cities_in_full_and_a_given_name_map_wins():
    chart = Map().add(
        "v", [("广州", 1), ("深圳市", 2)], "广东", name_map={"广州市": "羊城"}
    )
    series = build_document(chart).option()["series"][0]
    assert series["nameMap"] == {"广州市": "羊城"}


def test_a_timeline_of_maps_gets_its_name_maps():
    timeline = Timeline()
    for year in (2019, 2020):
        timeline.add(Map().add("GDP", [("广东省", year)], "china"), str(year))
    option = build_document(timeline).option()
    assert [part["series"][0]["nameMap"] for part in option["options"]] == [
        {"广东": "广东省"}
    ] * 2


def test_add_js_funcs_travel_with_the_option_and_change_its_etag():
    from pyecharts.charts import Bar as _Bar

    from flask_pyecharts.options import build_document

    plain = _Bar().add_xaxis(["a"]).add_yaxis("s", [1])
    with_data = _Bar().add_xaxis(["a"]).add_yaxis("s", [1])
    with_data.add_js_funcs("var barData = [[1, 2]]")
    assert build_document(plain).js_functions == ()
    document = build_document(with_data)
    assert document.js_functions == ("var barData = [[1, 2]]",)
    assert document.body == build_document(plain).body  # not in the option
    assert document.etag != build_document(plain).etag
