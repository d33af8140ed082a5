"""The feed's publication schedule: a grid of the wall clock, just after the
instants option caches rebuild at."""

from __future__ import annotations

import random

import pytest

from flask_pyecharts.live.feed import REBUILD_LEAD, next_publication


def test_a_publication_on_the_grid_is_followed_by_the_next_tick():
    # five a second: ticks 50 ms after every 200 ms of the wall clock
    assert next_publication(10.0, 1000.05, 0.2) == pytest.approx(10.2)
    # woken 10 ms late: back on the grid
    assert next_publication(10.0, 1000.06, 0.2) == pytest.approx(10.19)


def test_a_rebuild_on_the_whole_second_goes_out_with_the_tick_after_it():
    # once a second, after a publication at wall 1000.3: the tick of 1001.05,
    # 50 ms after the rebuilds of charts refreshed every 1 or 2 s
    assert next_publication(10.0, 1000.3, 1.0) == pytest.approx(10.75)
    assert REBUILD_LEAD == 0.05


def test_publications_are_never_closer_than_half_an_interval():
    # off the grid (the first change after a quiet while went out at once)
    assert next_publication(10.0, 1000.0, 0.2) == pytest.approx(10.25)
    assert next_publication(10.0, 1000.99, 1.0) == pytest.approx(11.06)


@pytest.mark.parametrize("interval", [0.05, 0.2, 1.0, 2.5])
def test_every_publication_lands_on_the_grid(interval: float):
    lead = min(REBUILD_LEAD, interval / 2)
    chosen = random.Random(7)
    for _ in range(200):
        now, wall = chosen.uniform(0, 1e4), chosen.uniform(1.7e9, 1.8e9)
        delay = next_publication(now, wall, interval) - now
        assert interval / 2 <= delay < 1.5 * interval + 1e-6
        phase = (wall + delay - lead) % interval
        assert min(phase, interval - phase) < 1e-4
