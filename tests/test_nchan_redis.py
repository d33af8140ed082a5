"""nchan on Redis (``flask pyecharts nginx --nchan --redis URL``): two nginx
servers in front of one deployment share its channels. The app publishes to
one of them; a viewer of the other is handed over to nchan there and gets
every point once, from messages that reached it through Redis."""

from __future__ import annotations

import typing as t

import pytest

from .conftest_redis import RedisServer
from .gunicorn_server import Gunicorn
from .nginx_server import NGINX, Nginx, free_port
from .test_nchan import APP, Front, follow, follow_once, relayed_env

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (scripts/setup.sh installs it)"
)


@pytest.fixture(scope="module")
def fronts() -> t.Iterator[tuple[Front, Front]]:
    redis = RedisServer()
    redis.start()
    env = relayed_env(redis)
    # The second nginx's own publisher address (nobody publishes there).
    other = {**env, "PYECHARTS_NCHAN": f"http://127.0.0.1:{free_port()}"}
    options = ["--nchan", "--redis", redis.url]
    try:
        server = Gunicorn(APP, workers=2, env=env)
        try:
            first = Nginx(APP, server.port, env=env, options=options)
            try:
                second = Nginx(APP, server.port, env=other, options=options)
                try:
                    yield (
                        Front(redis, server, first, env),
                        Front(redis, server, second, other),
                    )
                finally:
                    second.stop()
            finally:
                first.stop()
        finally:
            server.stop()
    finally:
        redis.cleanup()


def test_the_viewers_of_another_nginx_get_every_point_through_redis(
    fronts: tuple[Front, Front],
) -> None:
    publisher, other = fronts
    assert "nchan_redis_pass" in other.nginx.file.read_text()
    cursor, points = follow_once(other, streams=5, handed=2, at_least=20)
    # The same position through the publishing nginx: the same points.
    again, _, breaks, _ = follow(publisher, cursor, streams=2)
    assert breaks == 0 and again[: len(points)] == points[: len(again)]
