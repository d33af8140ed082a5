"""The feed's publication schedule: a grid of the wall clock, just after the
instants option caches rebuild at, and after their builds end."""

from __future__ import annotations

import random
import typing as t

import pytest
from flask import Flask

from flask_pyecharts import Charts
from flask_pyecharts.live.feed import REBUILD_LEAD, next_publication

from .conftest import wait_until


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


def test_slow_rebuilds_move_the_grid_after_them():
    # rebuilds that take 0.3 s: once a second, at 0.35 past the second
    assert next_publication(10.0, 1000.5, 1.0, lead=0.35) == pytest.approx(10.85)
    # five a second: 0.35 s is one interval and 0.15 s
    assert next_publication(10.0, 1000.0, 0.2, lead=0.35) == pytest.approx(10.15)


@pytest.mark.parametrize("interval", [0.05, 0.2, 1.0, 2.5])
@pytest.mark.parametrize("lead", [REBUILD_LEAD, 0.13, 0.71, 3.2])
def test_every_publication_lands_on_the_grid(interval: float, lead: float):
    chosen = random.Random(7)
    for _ in range(200):
        now, wall = chosen.uniform(0, 1e4), chosen.uniform(1.7e9, 1.8e9)
        delay = next_publication(now, wall, interval, lead) - now
        assert interval / 2 <= delay < 1.5 * interval + 1e-6
        phase = (wall + delay - lead) % interval
        assert min(phase, interval - phase) < 1e-4


def test_the_lead_follows_the_slowest_rebuild_event_streams_follow(clock):
    app = Flask(__name__)
    app.config.update(TESTING=True)
    charts = Charts(app, clock=clock)
    took = {"fast": 0.0, "slow": 0.0}  # on one clock: no two slow builders

    def builder(name: str) -> t.Callable[[], dict]:
        def build() -> dict:
            clock.advance(took[name])  # the builder's time, on the test's clock
            return {"series": [{"type": "bar", "data": [clock.now]}]}

        return build

    for name in took:
        charts.chart(name, refresh=2.0)(builder(name))
    runtime = charts.runtime(app)
    feed = runtime.feed
    topics = [runtime.topic(runtime.registry.chart(name)) for name in took]
    for topic in topics:  # built before the feed looks: no rebuild due yet
        runtime.cache(topic).get()
    viewer = feed.watch(topics, ["", ""], None)
    try:
        feed.catch_up(viewer)
        assert feed.lead == REBUILD_LEAD  # no scheduled rebuild yet
        took["slow"] = 0.3
        clock.now = max(runtime.cache(topic).next_due() or 0 for topic in topics)
        feed.poke()  # both rebuild, each in its own thread
        wait_until(lambda: feed.lead != REBUILD_LEAD)
        assert feed.lead == pytest.approx(REBUILD_LEAD + 0.3)
    finally:
        feed.release(viewer)
    assert feed.lead == REBUILD_LEAD  # nobody follows them
    charts.shutdown()
