"""nginx in front of a real server of the app, with the configuration that
``flask pyecharts nginx`` prints: polls answered once for every viewer that
asks the same, stream points on time, event streams exactly once, and
private answers never shared. One nginx for the whole module."""

from __future__ import annotations

import collections
import http.client
import json
import math
import threading
import time
import typing as t
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask, request
from pyecharts.charts import Line

from flask_pyecharts import Charts

from .conftest import LiveServer, tutorial_bar, wait_until
from .conftest_redis import RedisServer
from .gunicorn_server import Gunicorn
from .nginx_server import NGINX, Nginx, check_config, free_port, get
from .sse_client import read_events
from .test_scale_out import Deployment

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (scripts/setup.sh installs it)"
)


class Upstream:
    """The app behind nginx, counting the requests that reach it."""

    def __init__(self) -> None:
        self.app = Flask(__name__)
        self.app.config.update(TESTING=True)
        self.charts = charts = Charts(self.app)
        self.hits: collections.Counter[bytes] = collections.Counter()
        lock = threading.Lock()

        @self.app.before_request
        def count() -> None:
            with lock:
                self.hits[request.path.encode() + b"?" + request.query_string] += 1

        charts.variable("region", choices=["全国", "华东", "华北", "华南", "西南"])

        @charts.chart("sales", refresh=3)
        def sales(region: str) -> t.Any:
            return tutorial_bar()

        @charts.chart("secret")
        def secret() -> t.Any:
            return {"series": [{"type": "bar", "data": [42]}]}

        @charts.chart("ticks", window=1000)
        def ticks() -> Line:
            return Line().add_xaxis([]).add_yaxis("t", [])

        self.server = LiveServer(self.app)

    def hits_of(self, path: str) -> int:
        return self.hits[path.encode()]


class Front(t.NamedTuple):
    upstream: Upstream
    nginx: Nginx

    @property
    def port(self) -> int:
        return self.nginx.port

    def get(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, http.client.HTTPMessage]:
        return self.nginx.get(path, headers)


@pytest.fixture(scope="module")
def front() -> t.Iterator[Front]:
    upstream = Upstream()
    try:
        nginx = Nginx(upstream.app, upstream.server.server.server_port)
        try:
            yield Front(upstream, nginx)
        finally:
            nginx.stop()
    finally:
        upstream.server.stop()
        upstream.charts.shutdown()


def test_identical_polls_go_upstream_once(front: Front) -> None:
    path = "/charts/api/updates?charts=sales&since=&region=%E5%8D%8E%E4%B8%9C"
    # After a rebuild, as aligned pages poll: the answer then holds for most
    # of the interval. At the start of a second, as nginx's key changes each
    # second: the burst has the whole second to arrive.
    warm = get(front.upstream.server.server.server_port, path)
    assert warm[0] == 200
    second = math.ceil(time.time() + float(json.loads(warm[1])["next"]) + 0.05)
    wait_until(lambda: time.time() >= second)
    before = front.upstream.hits_of(path)
    start = threading.Barrier(20)

    def poll(_: int) -> tuple[int, bytes, str]:
        start.wait()
        status, body, headers = front.get(path)
        return status, body, headers.get("X-Cache-Status", "")

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(poll, range(20)))
    caches = sorted(cache for _, _, cache in answers)
    assert front.upstream.hits_of(path) - before == 1, caches
    assert {status for status, _, _ in answers} == {200}
    assert len({body for _, body, _ in answers}) == 1  # the same bytes
    assert caches.count("MISS") == 1


def burst(front: Front, path: str, count: int = 20) -> set[bytes]:
    """``count`` polls of ``path`` through nginx at once: their bodies."""
    start = threading.Barrier(count)

    def poll(_: int) -> bytes:
        start.wait()
        status, body, _ = front.get(path)
        assert status == 200
        return body

    with ThreadPoolExecutor(count) as pool:
        return set(pool.map(poll, range(count)))


def test_the_same_question_asked_again_later_goes_upstream_once(
    front: Front,
) -> None:
    """A stream without new points: its pages ask the same URL again and
    again. Each herd, in a later second, reaches the app once."""
    _, body, _ = front.get("/charts/api/updates?charts=ticks&since=")
    path = f"/charts/api/updates?charts=ticks&since={json.loads(body)['since']}"
    for _ in range(3):
        # At the start of a second, as aligned polls come just after a
        # rebuild: the answer holds to the end of it.
        second = int(time.time()) + 1
        wait_until(lambda: time.time() >= second)  # noqa: B023
        before = front.upstream.hits_of(path)
        assert len(burst(front, path)) == 1
        assert front.upstream.hits_of(path) - before == 1


def test_a_stream_point_reaches_a_poll_within_a_second(front: Front) -> None:
    status, body, _ = front.get("/charts/api/updates?charts=ticks&since=")
    assert status == 200
    cursor = json.loads(body)["since"]
    path = f"/charts/api/updates?charts=ticks&since={cursor}"
    first = front.get(path)
    again = front.get(path)
    assert again[1] == first[1]
    front.upstream.charts.append("ticks", ("12:00:00", 7.5))

    def seen() -> list[t.Any]:
        answer = json.loads(front.get(path)[1])
        return [update["points"] for update in answer["updates"]]

    # Until the shared answer expires (a second at most), then the point.
    points = wait_until(seen, 30, "the appended point never reached a poll")
    assert points == [[[0, ["12:00:00", 7.5]]]]


def test_event_streams_deliver_every_point_once_in_order(front: Front) -> None:
    charts = front.upstream.charts
    cursor = charts.append("ticks", ("start", -1.0))
    url = f"http://127.0.0.1:{front.port}/charts/api/events?charts=ticks&since={cursor}"
    values: list[float] = []

    def produce() -> None:
        for value in range(50):
            charts.append("ticks", (f"p{value}", float(value)))
            time.sleep(0.002)

    producer = threading.Thread(target=produce, daemon=True)

    def points_of(events: list[t.Any]) -> list[float]:
        found = []
        for event in events:
            assert event.event == "points", event
            found.extend(point[1][1] for point in event.data["points"])
        return found

    events, _ = read_events(
        url,
        opened=producer.start,
        until=lambda events: len(points_of(events)) >= 40,
    )
    values += points_of(events)
    # Cut after 40 points or more; 50 more come while no stream is open, and
    # the reconnect resumes from its Last-Event-ID, as a browser's does.
    producer.join()
    for value in range(50, 100):
        charts.append("ticks", (f"p{value}", float(value)))

    def complete(events: list[t.Any]) -> bool:
        return len(values) + len(points_of(events)) >= 100

    events, _ = read_events(url, last_event_id=events[-1].id, until=complete)
    values += points_of(events)
    assert values == [float(value) for value in range(100)]


def test_a_private_answer_is_never_given_to_another_viewer(
    front: Front, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An access check added after the configuration was printed (which
    caches polls): the app's answers say private, and nginx keeps none."""
    registry = front.upstream.charts.registry
    monkeypatch.setattr(
        registry, "_access", lambda name: request.cookies.get("viewer") == "boss"
    )
    path = "/charts/api/updates?charts=secret&since="
    before = front.upstream.hits_of(path)
    for _ in range(3):
        status, body, headers = front.get(path, {"Cookie": "viewer=boss"})
        assert status == 200 and b"42" in body
        assert headers["Cache-Control"] == "private, no-store"
        status, body, headers = front.get(path, {"Cookie": "viewer=guest"})
        assert status == 404 and b"42" not in body
        assert headers.get("X-Cache-Status") != "HIT"
    assert front.upstream.hits_of(path) - before == 6


def test_the_configuration_of_an_app_with_an_access_check_caches_nothing() -> None:
    app = Flask(__name__)
    charts = Charts(app)
    charts.access(lambda name: True)
    result = app.test_cli_runner().invoke(
        args=["pyecharts", "nginx", "--listen", "8080", "--upstream", "app:8000"]
    )
    assert result.exit_code == 0, result.output
    updates = result.output.split("location = /charts/api/updates {")[1]
    updates = updates.split("}")[0]
    assert "proxy_cache off;" in updates
    assert "proxy_cache_lock" not in updates
    charts.shutdown()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--listen", "eighty", "--upstream", "app:8000"], "--listen must be"),
        (["--listen", "8080", "--upstream", "app:99999"], "--upstream must be"),
        (["--listen", "8080", "--upstream", "app:8000", "--prefix", "a b"], "prefix"),
    ],
)
def test_bad_options_are_refused(args: list[str], message: str) -> None:
    app = Flask(__name__)
    charts = Charts(app)
    result = app.test_cli_runner().invoke(args=["pyecharts", "nginx", *args])
    assert result.exit_code == 2
    assert message in result.output
    charts.shutdown()


def test_a_gunicorn_gevent_stream_through_nginx_resumes_exactly() -> None:
    """The production shape: gunicorn's gevent worker, the configuration
    printed by the command line, a producer appending 20 points a second:
    every point once, in order, across a reconnect with Last-Event-ID."""
    server = Gunicorn("tests.apps.workers:create_app()")
    try:
        nginx = Nginx("tests.apps.workers:create_app()", server.port)
        try:
            url = f"{nginx.url}/charts/api/events?charts=ticks&since="
            numbers: list[int] = []

            def numbers_of(events: list[t.Any]) -> list[int]:
                found = []
                for event in events:
                    assert event.event in ("reset", "points"), event
                    found.extend(point[1][0] for point in event.data["points"])
                return found

            events, _ = read_events(url, until=lambda e: len(numbers_of(e)) >= 30)
            numbers += numbers_of(events)
            last = numbers[-1]
            # Away while the producer appends more, then back where it was.
            wait_until(
                lambda: (
                    json.loads(nginx.get("/charts/api/charts/ticks/points?since=")[1])[
                        "points"
                    ][-1][1][0]
                    > last + 10
                )
            )
            events, _ = read_events(
                url,
                last_event_id=events[-1].id,
                until=lambda e: len(numbers_of(e)) >= 30,
            )
            numbers += numbers_of(events)
            assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        finally:
            nginx.stop()
    finally:
        server.stop()


def test_streams_of_two_workers_on_redis_through_nginx_resume_exactly() -> None:
    """Two gevent workers on one Redis, event streams that end every half
    second: each reconnect through nginx (to either worker) resumes exactly
    where its Last-Event-ID says."""
    redis = RedisServer()
    redis.start()
    try:
        server = Deployment(redis.url, workers=2, env={"SCALED_STREAM_TIMEOUT": "0.5"})
        try:
            nginx = Nginx(
                "tests.apps.scaled:create_app()",
                server.port,
                env={"PYECHARTS_STORE": redis.url},
            )
            try:
                url = f"{nginx.url}/charts/api/events?charts=ticks&since="
                numbers: list[int] = []
                last_id = None
                for _ in range(6):  # each stream ends after 0.5 s
                    events, response = read_events(url, last_event_id=last_id)
                    assert response.status == 200
                    for event in events:
                        assert event.event in ("reset", "points"), event
                        numbers += [point[1][0] for point in event.data["points"]]
                    last_id = next(
                        (event.id for event in reversed(events) if event.id), last_id
                    )
                assert len(numbers) > 10
                assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
            finally:
                nginx.stop()
        finally:
            server.stop()
    finally:
        redis.cleanup()


def test_with_a_prefix_the_files_go_there_whatever_directory_nginx_is_given(
    tmp_path: Path,
) -> None:
    app = Flask(__name__)
    app.config["PYECHARTS_URL_PREFIX"] = "/dash/charts"
    charts = Charts(app)
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    result = app.test_cli_runner().invoke(
        args=[
            "pyecharts",
            "nginx",
            "--listen",
            str(free_port()),
            "--upstream",
            "127.0.0.1:8000",
            "--prefix",
            str(prefix),
        ]
    )
    charts.shutdown()
    assert result.exit_code == 0, result.output
    assert f"pid {prefix}/nginx.pid;" in result.output
    assert "location = /dash/charts/api/updates {" in result.output
    assert "location = /dash/charts/api/events {" in result.output
    config = tmp_path / "nginx.conf"
    config.write_text(result.output)
    other = tmp_path / "elsewhere"
    other.mkdir()
    check_config(config, other)
    assert (prefix / "proxy_temp").is_dir()
    assert list(other.iterdir()) == []
