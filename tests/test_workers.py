"""Several gunicorn workers on the memory store: each would have its own
streams, and a viewer's requests would alternate between them."""

from __future__ import annotations

import pytest

from .gunicorn_server import Gunicorn

WARNING = "PYECHARTS_STORE is 'memory://'"


@pytest.mark.parametrize(
    ("workers", "args", "warned"),
    [(2, [], True), (2, ["--preload"], True), (1, [], False)],
    ids=["two-workers", "two-workers-preloaded", "one-worker"],
)
def test_a_second_worker_on_the_memory_store_is_warned_of_at_start_up(
    workers: int, args: list[str], warned: bool
) -> None:
    server = Gunicorn(
        "tests.apps.workers:create_app()", "gthread", workers=workers, args=args
    )
    server.stop()
    output = server.output()
    assert (WARNING in output) is warned, output
    if warned:
        assert f"gunicorn runs {workers} workers" in output
        assert "redis://" in output
