"""Each example serves its page and its chart."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load(name: str):
    spec = importlib.util.spec_from_file_location(
        f"example_{name}", EXAMPLES / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # Flask finds templates and static from it
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("name", "chart"),
    [
        ("mixed_mode", "bar"),
        ("separated_mode", "bar"),
        ("full_refresh", "bar"),
        ("incremental_refresh", "line"),
        ("filters", "by_category"),
        ("number_cards", "sales"),
        ("live_tables", "orders"),
    ],
)
def test_example_serves_page_and_chart(name, chart):
    module = load(name)
    client = module.app.test_client()
    page = client.get("/")
    assert page.status_code == 200
    assert b"flask-pyecharts.js" in page.data or b"fpe-chart" in page.data
    assert b"cdn" not in page.data.lower()
    document = client.get(f"/charts/api/charts/{chart}").json
    assert document["option"]["series"]
    module.charts.shutdown()
    page.close()


def test_the_filters_example_serves_each_variant():
    module = load("filters")
    client = module.app.test_client()
    page = client.get("/?region=华南&days=7").get_data(as_text=True)
    assert '<option value="华南" selected>华南</option>' in page
    document = client.get("/charts/api/charts/by_category?region=华南&days=7").json
    assert document["variables"] == {"days": "7", "region": "华南"}
    assert document["option"]["series"][0]["name"] == "华南 · 近 7 天"
    refused = client.get("/charts/api/charts/by_category?region=火星")
    assert refused.status_code == 400
    module.charts.shutdown()
