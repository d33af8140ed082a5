"""Every Python example of the READMEs runs as written.

A block that starts with ``from flask import Flask`` starts a program; the
blocks after it, until the next such one, go on in its namespace, as a reader
who types them in order. Each program then serves every chart it registered.
The one thing replaced is the reader's own database address, by the test
PostgreSQL (with the table the example reads).
"""

from __future__ import annotations

import re
import typing as t
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
READERS_DATABASE = "postgresql+psycopg://app@db/shop"
TEST_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def programs(name: str) -> list[str]:
    """The README's Python blocks, joined into programs."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / name).read_text(), re.S)
    found: list[str] = []
    for block in blocks:
        if block.startswith("from flask import Flask") or not found:
            found.append(block)
        else:
            found[-1] += "\n" + block
    return found


CASES = [
    pytest.param(name, index, id=f"{name}-{index}")
    for name in ("README.md", "README.zh-CN.md")
    for index in range(len(programs(name)))
]


@pytest.fixture
def shop() -> t.Iterator[str]:
    """A database URL whose ``orders`` table the SQL example reads: a schema
    of the test's own in the test PostgreSQL."""
    from sqlalchemy import create_engine, text

    schema = f"fpe_readme_{uuid.uuid4().hex[:12]}"
    engine = create_engine(TEST_DATABASE)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        connection.execute(
            text(
                f'CREATE TABLE "{schema}".orders (id SERIAL PRIMARY KEY,'
                " created_at TIMESTAMP NOT NULL DEFAULT now(),"
                " channel TEXT NOT NULL, amount NUMERIC NOT NULL)"
            )
        )
        connection.execute(
            text(
                f'INSERT INTO "{schema}".orders (channel, amount)'
                " VALUES ('App', 35.5), ('Web', 12)"
            )
        )
    yield f"{TEST_DATABASE}?options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.mark.parametrize(("name", "index"), CASES)
def test_the_readme_example_runs_as_written(
    name: str, index: int, shop: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # files an example writes stay here
    source = programs(name)[index].replace(READERS_DATABASE, shop)
    namespace: dict[str, t.Any] = {"__name__": f"readme_{index}"}
    exec(compile(source, f"{name} example {index + 1}", "exec"), namespace)
    app, charts = namespace["app"], namespace["charts"]
    try:
        client = app.test_client()
        for chart in charts.registry.charts:
            response = client.get(f"/charts/api/charts/{chart}")
            assert response.status_code == 200, (chart, response.get_json())
        for dashboard in charts.registry.dashboards:
            assert client.get(dashboard.rule).status_code == 200, dashboard.rule
    finally:
        charts.shutdown()
