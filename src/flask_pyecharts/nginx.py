"""The nginx configuration ``flask pyecharts nginx`` prints.

nginx in front of the app answers the polls of many viewers once: pages that
follow the same charts ask the same URL at the same instants, and the app
says how long that answer holds (``Cache-Control: s-maxage`` and nginx's
``X-Accel-Expires``, see :mod:`flask_pyecharts.web.caching`). Event streams
and everything else pass through, unbuffered.
"""

from __future__ import annotations

import re

#: A port: ``8080``, or an address and a port: ``127.0.0.1:8080``, ``[::1]:8080``.
_ADDRESS = re.compile(r"^(?:(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):)?([0-9]{1,5})$")
#: A directory nginx can be given without quoting.
_DIRECTORY = re.compile(r"^[A-Za-z0-9_./@%+=,:~-]+$")
#: Seconds an idle event stream is kept open: well above the heartbeat.
STREAM_READ_TIMEOUT = "1h"


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


def nginx_config(
    listen: str,
    upstream: str,
    url_prefix: str,
    prefix: str | None = None,
    restricted: bool = False,
) -> str:
    """A complete nginx configuration: ``nginx -c FILE -p DIR`` runs it.

    :param listen: what nginx listens at (``PORT`` or ``HOST:PORT``).
    :param upstream: the app's server (gunicorn), ``HOST:PORT``.
    :param url_prefix: the app's ``PYECHARTS_URL_PREFIX`` (``/charts``).
    :param prefix: the directory of nginx's pid file, logs, temporary files
        and cache (``None``: nginx's ``-p`` directory, paths left relative).
    :param restricted: whether the app has an access check: its answers are
        private, so nothing is cached.
    """
    check_address(listen, "--listen")
    check_address(upstream, "--upstream")
    base = "" if prefix is None else check_directory(prefix).rstrip("/") + "/"
    api = url_prefix.rstrip("/") + "/api"
    return _TEMPLATE.format(
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
        # question goes upstream; the others wait for it (the lock, 0.3 s at
        # most: then they ask the app themselves) and get the same bytes.
        # Answers that depend on the viewer (an access check, credentials
        # from another origin) and errors say "no-store": never kept, never
        # given to another viewer.
        proxy_cache fpe_updates;
        proxy_cache_key "$uri$is_args$args $fpe_second";
        proxy_cache_lock on;
        proxy_cache_lock_timeout 300ms;
        add_header X-Cache-Status $upstream_cache_status always;"""

_RESTRICTED = """\
        # This app has an access check (charts.access): every answer depends on
        # the viewer (Cache-Control: private, no-store), so none is cached.
        proxy_cache off;"""

_TEMPLATE = """\
# nginx in front of Flask-PyEcharts, printed by `flask pyecharts nginx`.
#
#   {runs}
#
# (add -g 'daemon off;' to keep it in the foreground). Without nginx nothing
# changes: this only shares the answers of polls among viewers and passes the
# rest through. The pid file, logs, temporary files and the cache go to
# {where}.

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

        # Everything else (pages, chart documents, static files) as it is.
        location / {{
            proxy_pass http://flask_pyecharts;
        }}
    }}
}}
"""
