"""Event streams through nginx and nchan: two gunicorn workers on one Redis,
nginx (as many workers as cores, two at least here) with the configuration
``flask pyecharts nginx --nchan`` prints. One nchan channel per page's set of
charts, one message per publication; every point once across reconnects
(handed over to nchan, or served by the app when nchan cannot take the
viewer exactly), variables and the access check kept, each frame published
once whatever the number of workers, and the app still serving when nginx is
gone."""

from __future__ import annotations

import collections
import concurrent.futures
import json
import os
import typing as t
from pathlib import Path

import pytest
from flask import Flask

from flask_pyecharts import Charts

from .conftest import wait_until
from .conftest_redis import RedisServer
from .gunicorn_server import Gunicorn
from .nginx_server import NGINX, Nginx, check_config, free_port, get
from .sse_client import Event, read_events

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (scripts/setup.sh installs it)"
)

APP = "tests.apps.relayed:create_app()"


class Front(t.NamedTuple):
    redis: RedisServer
    server: Gunicorn
    nginx: Nginx
    env: dict[str, str]

    def events(
        self,
        query: str,
        count: int,
        last_event_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[list[Event], t.Any]:
        """The first ``count`` events (pings too) of ``/charts/api/events?query``,
        nchan's messages :func:`unpacked`."""
        events, response = read_events(
            f"{self.nginx.url}/charts/api/events?{query}",
            last_event_id=last_event_id,
            until=lambda events: len(events) >= count,
            pings=True,
        )
        return unpacked(events), response


def unpacked(events: list[Event]) -> list[Event]:
    """nchan's ``updates`` events (one per publication, the updates of all of
    a page's charts) as the events the app writes for them, each with the
    message's id."""
    found = []
    for event in events:
        if event.event != "updates":
            found.append(event)
            continue
        assert isinstance(event.data, list) and event.data, event
        for update in event.data:
            name = "chart-error" if update["type"] == "error" else update["type"]
            found.append(Event(name, update, event.id))
    return found


def relayed_env(redis: RedisServer) -> dict[str, str]:
    """The app's settings behind nginx with nchan, on ``redis`` (heartbeats
    of a second: handovers and pings come quickly)."""
    return {
        "PYECHARTS_STORE": redis.url,
        "PYECHARTS_NCHAN": f"http://127.0.0.1:{free_port()}",
        "PYECHARTS_HEARTBEAT": "1",
    }


@pytest.fixture(scope="module")
def front() -> t.Iterator[Front]:
    redis = RedisServer()
    redis.start()
    env = relayed_env(redis)
    try:
        server = Gunicorn(APP, workers=2, env=env)
        try:
            nginx = Nginx(APP, server.port, env=env, options=["--nchan"])
            try:
                yield Front(redis, server, nginx, env)
            finally:
                nginx.stop()
        finally:
            server.stop()
    finally:
        redis.cleanup()


def test_nginx_runs_several_workers(front: Front) -> None:
    """The printed configuration runs a worker per core: the tests of this
    module (and the two nginx servers on Redis) run with several."""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: nginx runs one worker")
    pid = front.nginx.process.pid

    def workers() -> list[bytes]:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        names = [Path(f"/proc/{child}/cmdline").read_bytes() for child in children]
        return [name for name in names if name.startswith(b"nginx: worker process")]

    # The master answers once one worker listens; the others may still be forking.
    wait_until(lambda: len(workers()) >= 2, message="nginx runs one worker")


def window(front: Front) -> list[tuple[int, int]]:
    """The points of ``ticks`` the server holds now, as ``(n, pid)``."""
    body = json.loads(front.nginx.get("/charts/api/charts/ticks/points?since=")[1])
    return [(point[1][0], point[1][1]) for point in body["points"]]


def relayed(response: t.Any) -> bool:
    """Whether nchan served the stream (the header its location adds)."""
    return response.headers.get("X-Stream-Relay") == "nchan"


def follow(front: Front, since: str, streams: int, count: int = 8) -> tuple:
    """``streams`` event streams of ``ticks`` one after the other, each from
    where the last one stopped, as the page does: the points, the cursor
    chain's breaks, and which streams nchan served."""
    points: list[tuple[int, int]] = []
    breaks = 0
    served: list[bool] = []
    for _ in range(streams):
        # nchan's streams last: cut after `count` events (nchan's ids hold a
        # colon); the app's end after a second, at a position nchan holds,
        # with a ping that says so.
        events, response = read_events(
            f"{front.nginx.url}/charts/api/events?charts=ticks&since={since}",
            until=lambda e: len(e) >= count and ":" in (e[-1].id or ""),
            pings=True,
        )
        assert response.status == 200
        served.append(relayed(response))
        for event in unpacked(events):
            if event.event == "ping":
                assert event.data == {"every": 1} or (
                    not relayed(response)
                    and event is events[-1]
                    and event.data == {"every": 1, "reconnect": True}
                )
                continue
            assert event.event == "points" or event.event == "reset" and not since
            if event.event == "points" and event.data.get("from") != since:
                breaks += 1
            points += [(point[1][0], point[1][1]) for point in event.data["points"]]
            since = event.data["cursor"]
    return points, since, breaks, served


def assert_once(front: Front, points: list[tuple[int, int]]) -> None:
    """Every point once, none missing, each one the server holds."""
    numbers = [number for number, _ in points]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    held = collections.Counter(window(front))
    assert not collections.Counter(points) - held


def follow_once(
    front: Front, streams: int, handed: int, at_least: int
) -> tuple[str, list[tuple[int, int]]]:
    """:func:`follow` from the chart document's cursor: no break, the last
    stream and at least ``handed`` served by nchan, more than ``at_least``
    points, each once. The cursor and the points."""
    cursor = json.loads(front.nginx.get("/charts/api/charts/ticks")[1])["cursor"]
    points, _, breaks, served = follow(front, cursor, streams=streams)
    assert breaks == 0
    assert served[-1] and served.count(True) >= handed, served
    assert len(points) > at_least
    assert_once(front, points)
    return cursor, points


def test_reconnecting_viewers_are_handed_to_nchan_and_get_every_point_once(
    front: Front,
) -> None:
    follow_once(front, streams=6, handed=3, at_least=30)


def test_the_app_hands_a_new_viewer_over_as_soon_as_nchan_holds_its_position(
    front: Front,
) -> None:
    """A viewer at a position nchan does not hold (here: none, the whole
    window to catch up) is served by the app, whose stream (its timeout is
    600 s) ends about a second later with a ping that says so, at a position
    nchan holds: its next stream is nchan's."""
    url = f"{front.nginx.url}/charts/api/events?charts=ticks&since="
    events, response = read_events(
        url,
        until=lambda e: len(e) > 200 or e[-1].data.get("reconnect") is True,
        pings=True,
    )
    assert not relayed(response)
    assert events[-1].event == "ping"
    assert events[-1].data == {"every": 1, "reconnect": True}
    assert events[1].event == "reset"
    frames = [event.data for event in events if event.event == "points"]
    assert 0 < len(frames) < 100  # a second or two of frames, not ten
    since = frames[-1]["cursor"]
    # The last ping has the id: a stream that wrote no update resumes too.
    assert events[-1].id == since
    again, response = read_events(
        f"{front.nginx.url}/charts/api/events?charts=ticks&since={since}",
        until=lambda e: len(e) >= 3,
    )
    assert relayed(response)
    assert unpacked(again)[0].data["from"] == since


def test_nchan_ids_and_pings_reach_the_viewer(front: Front) -> None:
    _, since, _, _ = follow(front, "", streams=2)
    events, response = front.events(f"charts=ticks&since={since}", 30)
    assert relayed(response)
    for event in events:
        assert event.id is not None and ":" in event.id  # nchan's time:tag
    # A client that resumes with nchan's Last-Event-ID is understood.
    last = next(e for e in reversed(events) if e.event == "points")
    again, response = front.events("charts=ticks", 3, last_event_id=last.id)
    assert response.status == 200
    first = next(e for e in again if e.event == "points")
    assert first.data["from"] == last.data["cursor"]


class Page(t.NamedTuple):
    """What a page of ``sales`` (region a) and ``ticks`` got over streams."""

    points: list[tuple[int, int]]
    tokens: dict[str, str]
    served: list[bool]
    #: nchan's raw events (its messages and pings), stream by stream.
    messages: list[list[Event]]


PAGE = ("sales", "ticks")


def follow_page(
    front: Front,
    tokens: dict[str, str],
    streams: int,
    count: int = 12,
    last_event_id: str | None = None,
) -> Page:
    """``streams`` event streams of the page one after the other, each from
    where the last one stopped (the first with ``last_event_id``, if given),
    checking that each chart's updates follow on from the last one."""
    points: list[tuple[int, int]] = []
    served: list[bool] = []
    messages: list[list[Event]] = []
    for _ in range(streams):
        since = ",".join(tokens[name] for name in PAGE)
        events, response = read_events(
            f"{front.nginx.url}/charts/api/events?charts={','.join(PAGE)}"
            f"&since={since}&region=a",
            last_event_id=last_event_id,
            until=lambda e: len(e) >= count and ":" in (e[-1].id or ""),
            pings=True,
        )
        last_event_id = None
        assert response.status == 200, response.error
        served.append(relayed(response))
        if relayed(response):
            messages.append(events)
        for event in unpacked(events):
            if event.event == "ping":
                continue
            data = event.data
            if data["chart"] == "ticks":
                assert event.event == "points" and data["from"] == tokens["ticks"]
                points += [(point[1][0], point[1][1]) for point in data["points"]]
                tokens["ticks"] = data["cursor"]
            else:
                assert event.event == "option"
                assert data.get("base", tokens["sales"]) == tokens["sales"]
                tokens["sales"] = data["etag"]
    return Page(points, tokens, served, messages)


def page_tokens(front: Front) -> dict[str, str]:
    """The page's tokens from its charts' documents."""
    ticks = json.loads(front.nginx.get("/charts/api/charts/ticks")[1])
    sales = json.loads(front.nginx.get("/charts/api/charts/sales?region=a")[1])
    return {"ticks": ticks["cursor"], "sales": sales["etag"]}


def test_a_page_of_several_charts_gets_one_message_per_publication(
    front: Front,
) -> None:
    """nchan serves a page of two charts from one channel: one ``updates``
    message per publication with the updates of both (``sales`` rebuilt every
    second goes out with the ``ticks`` points of the same publication), each
    chart at most once in a message, ids of one channel (``time:tag``)."""
    page = follow_page(front, page_tokens(front), streams=4, count=30)
    assert page.served[-1], page.served
    assert_once(front, page.points)
    for events in page.messages:
        messages = [event for event in events if event.event != "ping"]
        assert messages and all(event.event == "updates" for event in messages)
        both = 0
        for message in messages:
            assert message.id is not None and "," not in message.id
            charts = [update["chart"] for update in message.data]
            assert len(charts) == len(set(charts)), charts
            both += set(charts) == set(PAGE)
    # Six seconds or so of a page on nchan: sales changed in several of them.
    assert both >= 1, [[u["chart"] for u in m.data] for m in messages]


def test_a_page_resumes_exactly_with_nchans_last_event_id(front: Front) -> None:
    """A page handed over, then reconnecting with nchan's ``Last-Event-ID``
    (the id of a message that carried both charts' positions): handed over
    again at that message, every point once, each chart's chain unbroken."""
    page = follow_page(front, page_tokens(front), streams=3)
    assert page.served[-1], page.served
    last = page.messages[-1][-1]
    assert last.id is not None and ":" in last.id
    again = follow_page(front, dict(page.tokens), streams=2, last_event_id=last.id)
    assert again.served == [True, True]
    assert_once(front, page.points + again.points)


def test_pages_handed_over_together_to_several_workers_get_every_point_once(
    front: Front,
) -> None:
    """Many pages at the same position, handed over at the same instants to
    nginx's workers (the case where nchan's multiplexed subscriptions, with
    several workers, skipped messages): each gets every point once."""
    tokens = page_tokens(front)
    with concurrent.futures.ThreadPoolExecutor(24) as pool:
        pages = list(
            pool.map(lambda _: follow_page(front, dict(tokens), streams=3), range(24))
        )
    for page in pages:
        assert page.served[-1], page.served
        assert_once(front, page.points)


def test_pings_reach_the_viewers_of_a_quiet_chart_through_nchan(front: Front) -> None:
    """A chart rebuilt every second, heartbeats of a second: nchan's viewers
    hear pings (the page takes a silent stream for a cut network)."""
    etag = json.loads(front.nginx.get("/charts/api/charts/sales?region=b")[1])["etag"]
    for _ in range(4):
        events, response = front.events(f"charts=sales&since={etag}&region=b", 6)
        etag = next(
            (e.data["etag"] for e in reversed(events) if e.event == "option"), etag
        )
        if relayed(response):
            break
    assert relayed(response)
    pings = [event for event in events if event.event == "ping"]
    assert pings and all(ping.data == {"every": 1} for ping in pings)


def test_an_unknown_nchan_id_answers_a_clear_400(front: Front) -> None:
    status, body, _ = get(
        front.nginx.port,
        "/charts/api/events?charts=ticks",
        {"Last-Event-ID": "1000:[3]"},
    )
    assert status == 400
    assert "too old" in json.loads(body)["error"]
    status, body, _ = get(
        front.nginx.port,
        "/charts/api/events?charts=ticks,sales",
        {"Last-Event-ID": "1000:3"},
    )
    assert status == 400 and "too old" in json.loads(body)["error"]


def test_a_viewer_away_longer_than_the_buffer_resumes_through_the_app(
    front: Front,
) -> None:
    """A cursor nchan no longer has (older than the app's record): the app
    serves the catch-up, then a later reconnect is handed over."""

    def head() -> str:
        return str(json.loads(front.nginx.get("/charts/api/charts/ticks")[1])["cursor"])

    wait_until(lambda: int(head().rsplit(".", 1)[1]) > 10)
    epoch, seq = head().rsplit(".", 1)
    old = f"{epoch}.{max(1, int(seq) - 400)}"  # up to 20 s of points ago
    events, response = front.events(f"charts=ticks&since={old}", 2)
    assert not relayed(response)
    assert events[1].data["from"] == old  # after the app's own ping
    points, _, breaks, served = follow(front, old, streams=3)
    assert breaks == 0 and not served[0] and served[-1], served
    assert_once(front, points)


def test_variables_choose_the_channel_and_refused_requests_never_reach_nchan(
    front: Front,
) -> None:
    etags = {}
    for region in ("a", "b"):
        document = json.loads(
            front.nginx.get(f"/charts/api/charts/sales?region={region}")[1]
        )
        etags[region] = document["etag"]
    for region in ("a", "b"):
        since = etags[region]
        for _ in range(8):  # app-served first, handed over later
            events, response = front.events(
                f"charts=sales&since={since}&region={region}", 2
            )
            options = [event for event in events if event.event == "option"]
            for option in options:
                assert option.data["chart"] == "sales"
                text = option.data.get("option", option.data.get("patch", {}))
                if "title" in text:
                    assert text["title"]["text"] in (region, [{"text": region}])
                since = option.data["etag"]
            if relayed(response):
                break
        assert relayed(response)
    refused = [
        ("charts=secret&since=", {}, 404),
        ("charts=sales&since=&region=c", {}, 400),
        ("charts=nothing&since=", {}, 404),
        ("charts=sales,secret&since=,", {}, 404),  # one chart refused: all are
    ]
    for query, headers, status in refused:
        answer = get(front.nginx.port, f"/charts/api/events?{query}", headers)
        assert answer[0] == status, answer
        assert answer[2].get("X-Stream-Relay") is None
        assert "error" in json.loads(answer[1])
    events, response = front.events("charts=secret&since=", 2, headers=None)
    assert response.status == 404


def test_each_frame_is_published_once_whatever_the_number_of_workers(
    front: Front,
) -> None:
    """Both workers follow ``ticks`` (app-served viewers on each, then
    viewers in nchan): nchan's channel holds one chain of frames, no frame
    twice, none missing."""
    direct = f"http://127.0.0.1:{front.server.port}/charts/api/events?charts=ticks"
    for _ in range(6):  # app-served viewers, on one worker or the other
        read_events(f"{direct}&since=", until=lambda e: len(e) >= 3)
    answered: set[int] = set()
    for _ in range(200):  # until both workers answered (the kernel chooses)
        answer = json.loads(front.server.get("/charts/api/stats")[1])
        assert "relay" in answer
        answered.add(answer["pid"])
        if len(answered) == 2:
            break
    assert len(answered) == 2
    _, since, _, _ = follow(front, "", streams=2)
    for _ in range(4):  # until nchan serves
        events, response = front.events(f"charts=ticks&since={since}", 40)
        since = events[-1].data.get("cursor", since)
        if relayed(response):
            break
    assert relayed(response)
    frames = [event.data for event in events if event.event == "points"]
    assert len(frames) > 20
    for before, after in zip(frames, frames[1:], strict=False):
        assert after["from"] == before["cursor"]


def test_without_nginx_the_app_serves_every_stream(front: Front) -> None:
    """nginx gone (the last test of the module): publications fail quickly,
    and the app serves every event stream itself, every point once."""
    front.nginx.stop()
    url = f"http://127.0.0.1:{front.server.port}/charts/api/events?charts=ticks"
    events, response = read_events(f"{url}&since=", until=lambda e: len(e) >= 10)
    assert response.status == 200 and not relayed(response)
    numbers = [point[1][0] for event in events for point in event.data["points"]]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))

    def failed() -> bool:
        stats = [json.loads(front.server.get("/charts/api/stats")[1]) for _ in range(4)]
        return any(answer["relay"]["failed"] > 0 for answer in stats)

    wait_until(failed, 10, "no publication failed without nginx")


def test_the_nchan_configuration_runs_as_printed_with_redis(tmp_path: Path) -> None:
    app = Flask(__name__)
    app.config["PYECHARTS_NCHAN"] = "http://127.0.0.1:8081"
    charts = Charts(app)
    runner = app.test_cli_runner()
    args = ["pyecharts", "nginx", "--listen", "8080", "--upstream", "127.0.0.1:8000"]
    result = runner.invoke(args=[*args, "--redis", "redis://127.0.0.1:6379/0"])
    assert result.exit_code == 0, result.output
    assert "nchan_redis_server redis://127.0.0.1:6379/0;" in result.output
    assert "listen 127.0.0.1:8081;" in result.output
    assert "load_module /usr/lib/nginx/modules/ngx_nchan_module.so;" in result.output
    # As many workers as cores: each viewer subscribes to one channel (nchan's
    # multiplexed subscriptions skipped messages with several, bench S8).
    assert "\nworker_processes auto;\n" in result.output
    config = tmp_path / "nginx.conf"
    config.write_text(result.output)
    check_config(config, tmp_path)
    bad = runner.invoke(args=[*args, "--redis", "redis://x; evil"])
    assert bad.exit_code == 2 and "--redis must be" in bad.output
    # Without nchan nothing of it is printed.
    plain = runner.invoke(args=args)
    assert plain.exit_code == 0
    assert "load_module" not in plain.output and "nchan_" not in plain.output
    assert "\nworker_processes auto;\n" in plain.output
    charts.shutdown()


def test_nchan_needs_its_publisher_address() -> None:
    app = Flask(__name__)
    charts = Charts(app)
    result = app.test_cli_runner().invoke(
        args=["pyecharts", "nginx", "--listen", "80", "--upstream", "a:1", "--nchan"]
    )
    assert result.exit_code == 2 and "PYECHARTS_NCHAN" in result.output
    charts.shutdown()
    bad = Flask(__name__)
    bad.config["PYECHARTS_NCHAN"] = "127.0.0.1:8081"
    with pytest.raises(ValueError, match="PYECHARTS_NCHAN must be"):
        Charts(bad)
