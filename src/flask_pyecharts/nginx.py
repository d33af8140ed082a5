"""The nginx configuration ``flask pyecharts nginx`` prints.

nginx in front of the app answers the polls of many viewers once: pages that
follow the same charts ask the same URL at the same instants, and the app
says how long that answer holds (``Cache-Control: s-maxage`` and nginx's
``X-Accel-Expires``, see :mod:`flask_pyecharts.web.caching`). Event streams
and everything else pass through, unbuffered.

With nchan (``--nchan``, Debian's ``libnginx-mod-nchan``), the app publishes
each frame once to nchan and hands event streams over to it
(:mod:`flask_pyecharts.live.relay`); with ``--redis`` several nginx servers
share nchan's channels through Redis.
"""

from __future__ import annotations

import re

#: A port: ``8080``, or an address and a port: ``127.0.0.1:8080``, ``[::1]:8080``.
_ADDRESS = re.compile(r"^(?:(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):)?([0-9]{1,5})$")
#: A Redis URL nginx can be given in quotes.
_REDIS = re.compile(r"^rediss?://[A-Za-z0-9._~:@%/+-]+$")
#: Where Debian's libnginx-mod-nchan puts the module.
NCHAN_MODULE = "/usr/lib/nginx/modules/ngx_nchan_module.so"
#: nchan's channel group of the app's channels.
NCHAN_GROUP = "flask_pyecharts"
#: A directory nginx can be given without quoting.
_DIRECTORY = re.compile(r"^[A-Za-z0-9_./@%+=,:~-]+$")
#: Seconds an idle event stream is kept open: well above the heartbeat.
STREAM_READ_TIMEOUT = "1h"
#: Messages nchan keeps per channel, and for how long (seconds): a viewer
#: handed over to nchan resumes from them (the app records half as many).
NCHAN_BUFFER = 100
NCHAN_MESSAGE_TIMEOUT = 3600


def check_address(text: str, what: str) -> str:
    """``text`` if it is ``PORT`` or ``HOST:PORT`` with a port from 1 to 65535.

    :raises ValueError: naming ``what`` otherwise.
    """
    found = _ADDRESS.match(text)
    if not found or not 0 < int(found.group(1)) < 65536:
        raise ValueError(
            f"{what} must be PORT or HOST:PORT (such as 8080 or 127.0.0.1:8000),"
            f" not {text[:80]!r}."
        )
    return text


def check_directory(text: str) -> str:
    """``text`` if nginx can take it as a path without quoting.

    :raises ValueError: otherwise.
    """
    if not _DIRECTORY.match(text):
        raise ValueError(
            "The prefix must be a path of letters, digits and ./_-@%+=,:~,"
            f" not {text[:80]!r}."
        )
    return text.rstrip("/") or "/"


def check_redis(text: str) -> str:
    """``text`` if it is a Redis URL nginx can take.

    :raises ValueError: otherwise.
    """
    if not _REDIS.match(text):
        raise ValueError(
            "--redis must be a Redis URL such as redis://127.0.0.1:6379/0,"
            f" not {text[:80]!r}."
        )
    return text


def nginx_config(
    listen: str,
    upstream: str,
    url_prefix: str,
    prefix: str | None = None,
    restricted: bool = False,
    nchan: str | None = None,
    redis: str | None = None,
    nchan_module: str = NCHAN_MODULE,
) -> str:
    """A complete nginx configuration: ``nginx -c FILE -p DIR`` runs it.

    :param listen: what nginx listens at (``PORT`` or ``HOST:PORT``).
    :param upstream: the app's server (gunicorn), ``HOST:PORT``.
    :param url_prefix: the app's ``PYECHARTS_URL_PREFIX`` (``/charts``).
    :param prefix: the directory of nginx's pid file, logs, temporary files
        and cache (``None``: nginx's ``-p`` directory, paths left relative).
    :param restricted: whether the app has an access check: its answers are
        private, so nothing is cached.
    :param nchan: where nchan takes the app's publications (``HOST:PORT`` of
        ``PYECHARTS_NCHAN``), or ``None``: the app serves event streams.
    :param redis: nchan's Redis (channels shared by several nginx servers).
    :param nchan_module: the path of nchan's dynamic module.
    """
    check_address(listen, "--listen")
    check_address(upstream, "--upstream")
    base = "" if prefix is None else check_directory(prefix).rstrip("/") + "/"
    api = url_prefix.rstrip("/") + "/api"
    module = publisher = subscriber = ""
    if nchan is not None:
        check_address(nchan, "PYECHARTS_NCHAN")
        uses = ""
        if redis is not None:
            uses = "\n            nchan_redis_pass flask_pyecharts_redis;"
        module = _NCHAN_MODULE.format(module=check_directory(nchan_module))
        publisher = _NCHAN_PUBLISHER.format(
            nchan=nchan,
            group=NCHAN_GROUP,
            buffer=NCHAN_BUFFER,
            timeout=NCHAN_MESSAGE_TIMEOUT,
            redis=uses,
            upstream=_NCHAN_REDIS.format(redis=check_redis(redis)) if redis else "",
        )
        subscriber = _NCHAN_SUBSCRIBER.format(api=api, group=NCHAN_GROUP, redis=uses)
    return _TEMPLATE.format(
        module=module,
        publisher=publisher,
        subscriber=subscriber,
        listen=listen,
        upstream=upstream,
        base=base,
        api=api,
        updates=_RESTRICTED if restricted else _SHARED,
        runs=f"nginx -c FILE -p {prefix}" if prefix else "nginx -c FILE -p DIR",
        where=prefix or "the directory given with -p",
        stream_timeout=STREAM_READ_TIMEOUT,
    )


_SHARED = """\
        # Viewers of the same charts with the same variables ask the same URL
        # (the page sorts its charts) at the same instants (just after each
        # rebuild). The app says how long its answer holds: until the next
        # rebuild of the request's charts, a second at most when they include
        # streams (appended points do not wait longer). One request per
        # question goes upstream; the others wait for it (the lock, a second
        # at most: then they ask the app themselves) and get the same bytes.
        # A slow app is when sharing matters most: it is not asked again.
        # Answers that depend on the viewer (an access check, credentials
        # from another origin) and errors say "no-store": never kept, never
        # given to another viewer.
        proxy_cache fpe_updates;
        proxy_cache_key "$uri$is_args$args $fpe_second";
        proxy_cache_lock on;
        proxy_cache_lock_timeout 1s;
        add_header X-Cache-Status $upstream_cache_status always;"""

_RESTRICTED = """\
        # This app has an access check (charts.access): every answer depends on
        # the viewer (Cache-Control: private, no-store), so none is cached.
        proxy_cache off;"""

_NCHAN_MODULE = """
# nchan (Debian: apt install libnginx-mod-nchan) serves the event streams
# the app hands over to it.
load_module {module};
"""

_NCHAN_REDIS = """
    # nchan keeps its channels in Redis: every nginx server configured so
    # serves the same channels (give them synchronised clocks).
    upstream flask_pyecharts_redis {{
        nchan_redis_server {redis};
    }}
"""

_NCHAN_PUBLISHER = """{upstream}
    # Where the app publishes once what changed in each publication
    # (PYECHARTS_NCHAN = "http://{nchan}"): keep it where only the app
    # reaches it. One channel per set of charts (and values of their
    # variables) that pages follow, named by a hash; one message per
    # publication with the updates of all of them.
    server {{
        listen {nchan};

        location ~ "^/pub/([0-9a-f]{{24}})$" {{
            nchan_publisher http;
            nchan_channel_group {group};
            nchan_channel_id $1;
            # The app hands a viewer over at a message nchan still keeps: it
            # counts on these two (the last {buffer} messages of an hour).
            nchan_message_buffer_length {buffer};
            nchan_message_timeout {timeout}s;
            # A message holds the updates of a page's charts (whole options
            # at times).
            client_max_body_size 16m;{redis}
        }}

        location / {{
            return 404;
        }}
    }}
"""

_NCHAN_SUBSCRIBER = """
        # Event streams handed over by the app (X-Accel-Redirect, once it
        # checked the request: charts, variables, access): the channel of the
        # page's charts, every message after the viewer's position (an
        # "updates" event: the updates of one publication), and the app's
        # ping events (every half PYECHARTS_HEARTBEAT), which tell pages the
        # stream is alive. Reachable only that way (internal).
        location ~ "^{api}/events/nchan/([0-9a-f]{{24}})$" {{
            internal;
            nchan_subscriber eventsource;
            nchan_channel_group {group};
            nchan_channel_id $1;
            nchan_subscriber_last_message_id $arg_start;{redis}
            add_header X-Stream-Relay nchan always;
        }}
"""

_TEMPLATE = """\
# nginx in front of Flask-PyEcharts, printed by `flask pyecharts nginx`.
#
#   {runs}
#
# (add -g 'daemon off;' to keep it in the foreground). Without nginx nothing
# changes: this shares the answers of polls among viewers (and hands event
# streams to nchan, if printed with --nchan) and passes the
# rest through. The pid file, logs, temporary files and the cache go to
# {where}.
{module}
worker_processes auto;
pid {base}nginx.pid;
error_log {base}error.log warn;

events {{
    # Each viewer's event stream holds one connection to the viewer and one
    # to the app.
    worker_connections 10240;
}}

http {{
    log_format fpe '$remote_addr [$time_local] "$request" $status'
                   ' $body_bytes_sent $request_time cache=$upstream_cache_status';
    access_log {base}access.log fpe;

    client_body_temp_path {base}client_body_temp;
    proxy_temp_path {base}proxy_temp;
    fastcgi_temp_path {base}fastcgi_temp;
    uwsgi_temp_path {base}uwsgi_temp;
    scgi_temp_path {base}scgi_temp;

    # The shared answers of /api/updates: small, and each served in the
    # second it was made in only (the key ends with that second). The herd
    # of aligned polls comes within that second; a question asked again
    # later (pages ask the same URL when nothing changed) is then a new
    # entry, asked for once (the lock), where nginx would let every request
    # through to refresh an expired entry. Entries unused for a second go.
    map $msec $fpe_second {{
        "~^(?<second>[0-9]+)[.]" $second;
    }}
    proxy_cache_path {base}cache levels=1:2 keys_zone=fpe_updates:10m
                     max_size=256m inactive=1s use_temp_path=off;

    upstream flask_pyecharts {{
        server {upstream};
        keepalive 32;
    }}

    server {{
        listen {listen};

        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        # The app counts its per-client caps by address: wrap it with
        # werkzeug's ProxyFix (x_for=1) to count viewers, not this proxy.
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;

        # Polling (PYECHARTS_TRANSPORT = "poll", or a page whose event stream
        # cannot get through).
        location = {api}/updates {{
            proxy_pass http://flask_pyecharts;
{updates}
        }}

        # Event streams: every event as soon as the app writes it. The app
        # sends a ping every PYECHARTS_HEARTBEAT (15 s) and ends each stream
        # after PYECHARTS_STREAM_TIMEOUT (600 s); browsers resume with
        # Last-Event-ID, exactly where they were.
        location = {api}/events {{
            proxy_pass http://flask_pyecharts;
            proxy_buffering off;
            proxy_cache off;
            proxy_read_timeout {stream_timeout};
            proxy_send_timeout {stream_timeout};
        }}
{subscriber}
        # Everything else (pages, chart documents, static files) as it is.
        location / {{
            proxy_pass http://flask_pyecharts;
        }}
    }}
{publisher}}}
"""
