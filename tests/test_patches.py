"""Option patches: what a data-only rebuild sends, and when the whole option goes."""

import pytest

from flask_pyecharts.wire.patches import option_patch, patch_functions

BASE = {
    "title": [{"text": "销量", "subtext": "T=1"}],
    "xAxis": [{"type": "category", "data": ["a", "b"]}],
    "yAxis": [{"type": "value"}],
    "series": [{"type": "bar", "name": "s", "data": [1, 2], "label": {"show": False}}],
    "color": ["#5470c6"],
}


def changed(**parts):
    option = {
        key: [dict(item) for item in value] if key != "color" else value
        for key, value in BASE.items()
    }
    for path, value in parts.items():
        key, index, field = path.split("__")
        option[key][int(index)][field] = value
    return option


@pytest.mark.parametrize(
    ("new", "patch"),
    [
        (BASE, {}),
        (changed(series__0__data=[3, 4]), {"series": [{"data": [3, 4]}]}),
        (
            changed(xAxis__0__data=["c"], series__0__data=[5]),
            {"xAxis": [{"data": ["c"]}], "series": [{"data": [5]}]},
        ),
        (changed(title__0__subtext="T=2"), {"title": [{"subtext": "T=2"}]}),
        # not data: a style, an identity, the palette, a key more or less
        (changed(series__0__label={"show": True}), None),
        (changed(series__0__name="t"), None),
        (changed(series__0__type="line"), None),
        ({**BASE, "color": ["#e6734f"]}, None),
        ({**BASE, "legend": [{"show": True}]}, None),
        ({key: value for key, value in BASE.items() if key != "color"}, None),
        ({**BASE, "series": BASE["series"] * 2}, None),
        (changed(yAxis__0__min=0), None),
    ],
)
def test_a_data_only_rebuild_is_a_patch_anything_else_the_whole_option(new, patch):
    assert option_patch(BASE, new) == patch


def test_a_visual_maps_bounds_follow_the_data():
    old = {"visualMap": [{"min": 0, "max": 10}], "series": [{"data": [1]}]}
    new = {"visualMap": [{"min": 0, "max": 20}], "series": [{"data": [20]}]}
    assert option_patch(old, new) == {
        "visualMap": [{"max": 20}],
        "series": [{"data": [20]}],
    }


def test_the_patch_carries_the_functions_of_its_own_paths():
    functions = [["series", 0, "data", 1, "label", "formatter"], ["tooltip", "x"]]
    patch = {"series": [{"data": [1, {"label": {"formatter": "function () {}"}}]}]}
    assert patch_functions(patch, functions) == [functions[0]]
