"""Stream charts start with their builder's data, seeded once per deployment."""

from __future__ import annotations

import threading
import typing as t
import uuid
from pathlib import Path

import pytest
from flask import Flask
from pyecharts import options as opts
from pyecharts.charts import Bar, Line

from flask_pyecharts import Charts
from flask_pyecharts.options import merge_points, seed_points


def tutorial_line() -> Line:
    """The tutorial's incremental chart: 10 points, then appends add more."""
    return (
        Line()
        .add_xaxis([str(i) for i in range(10)])
        .add_yaxis("", [50 + i for i in range(10)], is_smooth=True)
        .set_global_opts(xaxis_opts=opts.AxisOpts(type_="value"))
    )


def two_bars() -> Bar:
    return (
        Bar()
        .add_xaxis(["a", "b", "c"])
        .add_yaxis("x", [1, 2, 3])
        .add_yaxis("y", [4, 5])
    )


class Process(Charts):
    """One process of a deployment: an app (held here) with its charts."""

    app: Flask


def make(
    name: str, builder: t.Callable[[], t.Any], window: int = 100, **config: t.Any
) -> Process:
    """An app (one process) with the stream ``name``."""
    app = Flask(__name__)
    app.config.update(TESTING=True, **config)
    charts = Process(app)
    charts.app = app  # Charts holds its apps weakly
    charts.chart(name, window=window)(builder)
    return charts


def document(charts: Process, name: str) -> dict[str, t.Any]:
    with charts.app.test_client() as client:
        response = client.get(f"/charts/api/charts/{name}")
        assert response.status_code == 200, response.get_json()
        return t.cast(dict[str, t.Any], response.get_json())


def test_seed_points_zip_categories_and_interleave_series() -> None:
    option = {
        "xAxis": [{"data": ["a", "b", "c"]}],
        "series": [{"data": [1, {"value": 2, "name": "n"}, 3]}, {"data": [4, 5]}],
    }
    assert seed_points(option) == [
        (0, ["a", 1]),
        (1, ["a", 4]),
        (0, {"value": ["b", 2], "name": "n"}),
        (1, ["b", 5]),
        (0, ["c", 3]),
    ]


def test_seed_points_of_a_horizontal_bar_and_of_pairs() -> None:
    horizontal = {
        "xAxis": [{"type": "value"}],
        "yAxis": [{"type": "category", "data": ["a", "b"]}],
        "series": [{"data": [7, 8]}],
    }
    assert seed_points(horizontal) == [(0, [7, "a"]), (0, [8, "b"])]
    pairs = {"xAxis": [{"type": "time"}], "series": [{"data": [["2024-01-01", 3]]}]}
    assert seed_points(pairs) == [(0, ["2024-01-01", 3])]
    assert seed_points({"series": [{"type": "pie"}]}) == []


def test_merged_window_sets_the_categories_it_shows() -> None:
    option = {"xAxis": [{"data": ["a", "b", "c"]}], "series": [{"data": []}]}
    merged = merge_points(option, [(0, ["b", 2]), (0, ["d", 4])])
    assert merged["xAxis"][0]["data"] == ["b", "d"]
    assert merged["series"][0]["data"] == [["b", 2], ["d", 4]]


def test_the_tutorial_stream_starts_with_its_ten_points() -> None:
    charts = make("line", tutorial_line)
    first = document(charts, "line")
    data = first["option"]["series"][0]["data"]
    assert data == [[str(i), 50 + i] for i in range(10)]
    assert first["cursor"].endswith(".10")
    charts.append("line", ("10", 99))
    after = document(charts, "line")["option"]["series"][0]["data"]
    assert after == [*data, ["10", 99]]  # appended after the builder's, never again
    charts.shutdown()


def test_an_append_before_any_viewer_comes_after_the_builder_data() -> None:
    charts = make("bars", two_bars)
    charts.append("bars", ("d", 9))
    option = document(charts, "bars")["option"]
    assert option["series"][0]["data"] == [["a", 1], ["b", 2], ["c", 3], ["d", 9]]
    assert option["series"][1]["data"] == [["a", 4], ["b", 5]]
    assert option["xAxis"][0]["data"] == ["a", "b", "c", "d"]
    charts.shutdown()


def test_a_producer_appends_after_the_builder_data() -> None:
    charts = make("line", tutorial_line)
    produced = threading.Event()

    @charts.producer("line", every=0.05)
    def more(cursor: int | None) -> tuple[list[t.Any], int]:
        produced.set()
        return ([("10", 1)], 1) if cursor is None else ([], cursor)

    assert produced.wait(5)
    option = document(charts, "line")["option"]
    for _ in range(100):
        if len(option["series"][0]["data"]) == 11:
            break
        produced.clear()
        produced.wait(1)
        option = document(charts, "line")["option"]
    assert option["series"][0]["data"][0] == ["0", 50]
    assert option["series"][0]["data"][-1] == ["10", 1]
    charts.shutdown()


def test_a_builder_without_data_seeds_nothing() -> None:
    charts = make("empty", lambda: Line().add_xaxis([]).add_yaxis("v", []))
    assert document(charts, "empty")["option"]["series"][0]["data"] == []
    charts.append("empty", ("a", 1))
    assert document(charts, "empty")["option"]["series"][0]["data"] == [["a", 1]]
    charts.shutdown()


@pytest.fixture(params=["sqlite", "redis"])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a store that outlives a process: one SQLite file, or Redis."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/streams.db"
    return t.cast(str, request.getfixturevalue("redis_url"))


def test_a_restart_on_a_shared_store_never_seeds_again(shared_store: str) -> None:
    name = f"line-{uuid.uuid4().hex[:8]}"
    first = make(name, tutorial_line, PYECHARTS_STORE=shared_store)
    assert len(document(first, name)["option"]["series"][0]["data"]) == 10
    first.append(name, ("10", 99))
    first.shutdown()
    # A restart, and a second process, both on the same store.
    restarted = make(name, tutorial_line, PYECHARTS_STORE=shared_store)
    other = make(name, tutorial_line, PYECHARTS_STORE=shared_store)
    for charts in (restarted, other):
        data = document(charts, name)["option"]["series"][0]["data"]
        assert len(data) == 11 and data[-1] == ["10", 99]
        charts.shutdown()


def test_processes_starting_together_seed_once(shared_store: str) -> None:
    name = f"line-{uuid.uuid4().hex[:8]}"
    processes = [
        make(name, tutorial_line, PYECHARTS_STORE=shared_store) for _ in range(4)
    ]
    barrier = threading.Barrier(len(processes))
    cursors: list[str] = []

    def view(charts: Process) -> None:
        barrier.wait()
        cursors.append(document(charts, name)["cursor"])

    threads = [threading.Thread(target=view, args=(c,)) for c in processes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(cursors) == 4 and all(cursor.endswith(".10") for cursor in cursors)
    for charts in processes:
        charts.shutdown()


@pytest.mark.parametrize("window", [3])
def test_a_window_smaller_than_the_data_keeps_the_last_points(window: int) -> None:
    charts = make("line", tutorial_line, window=window)
    data = document(charts, "line")["option"]["series"][0]["data"]
    assert data == [["7", 57], ["8", 58], ["9", 59]]
    charts.shutdown()
