"""The blueprint: the JSON API, the event stream and the static files.

HTTP only: views parse and validate the request, ask the runtime, and frame
the answer; what a chart document, an update or an event is lies in
:mod:`flask_pyecharts.wire`.
"""

from __future__ import annotations

import math
import time
import typing as t
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    request,
    send_from_directory,
)
from werkzeug.exceptions import HTTPException, NotFound

from .._json import dumps
from ..live.limits import LimitReached, Slot, client_address
from ..live.option_cache import BuildError, failure_lifetime
from ..live.relay import is_message_id
from ..live.runtime import current_runtime
from ..live.shutdown import install as stop_streams_at_worker_exit
from ..registry import UnknownChart
from ..streams.stores import StoreError
from ..variables import (
    ChoicesError,
    VariableError,
    check_query,
    parent_value,
    read_query,
)
from ..wire.documents import updates_body
from ..wire.sse import encode_event, encode_retry
from .caching import PRIVATE, shared_headers
from .errors import APIError, bad_request, json_error, not_found
from .openapi import openapi_document

if t.TYPE_CHECKING:
    from ..live.feed import Viewer
    from ..live.runtime import Runtime
    from ..registry import ChartSpec, Topic

STATIC_DIR = Path(__file__).parent / "static"
#: The longest ``since`` list or ``Last-Event-ID`` header accepted.
MAX_SINCE_LENGTH = 8192
#: The largest ``limit`` a request may ask for.
MAX_LIMIT = 100_000
#: The longest query string accepted (charts, cursors and variables).
MAX_QUERY_LENGTH = 16_384
#: The query parameters of each route besides variables.
STREAM_PARAMS = ("charts", "since", "limit")
POINTS_PARAMS = ("since", "limit")
#: Milliseconds a browser waits before reconnecting an event stream.
RETRY_MS = 2000
#: Seconds an event stream the app serves runs before it checks whether nchan
#: can take it over (a new viewer: the app sent its catch-up meanwhile).
HAND_OVER_AFTER = 1.0
#: Request headers a cross-origin page may send (CORS preflight).
CORS_HEADERS = "If-None-Match, Last-Event-ID, Cache-Control"


def make_blueprint() -> Blueprint:
    """The blueprint serving the API and static files."""
    bp = Blueprint("pyecharts", __name__, template_folder="templates")
    bp.add_url_rule("/static/<path:filename>", "static", serve_static)
    bp.add_url_rule("/api/charts", "list_charts", list_charts)
    bp.add_url_rule("/api/charts/<name>", "chart", get_chart)
    bp.add_url_rule("/api/charts/<name>/points", "points", get_points)
    bp.add_url_rule("/api/updates", "updates", get_updates)
    bp.add_url_rule("/api/events", "events", get_events)
    bp.add_url_rule("/api/openapi.json", "openapi", get_openapi)
    bp.add_url_rule("/api/stats", "stats", get_stats)
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(UnknownChart, _unknown_chart)
    bp.register_error_handler(BuildError, _build_error)
    bp.register_error_handler(StoreError, _store_error)
    bp.register_error_handler(LimitReached, _limit_reached)
    bp.register_error_handler(VariableError, _variable_error)
    bp.register_error_handler(ChoicesError, _choices_error)
    bp.before_request(_bounded_query)
    bp.after_request(_cors)
    return bp


def register_error_handler(app: Flask, url_prefix: str) -> None:
    """Answer routing errors under ``url_prefix`` (404, 405) as JSON too.

    Blueprint handlers never see them: routing fails before the blueprint is
    known. Errors elsewhere go to the app's previous handler, if any.
    """
    previous = app.error_handler_spec[None][None].get(HTTPException)
    prefix = url_prefix.rstrip("/") + "/"

    def handle(error: HTTPException) -> t.Any:
        if request.path.startswith(prefix):
            return _http_error(error)
        return previous(error) if previous else error

    app.register_error_handler(HTTPException, handle)


def _runtime() -> Runtime:
    runtime = current_runtime()
    assert runtime is not None  # the blueprint is registered with it
    return runtime


# -- errors and headers ----------------------------------------------------


def _http_error(error: HTTPException) -> Response:
    if isinstance(error, APIError):
        return error.get_response()
    headers = {
        key: value for key, value in error.get_headers() if key != "Content-Type"
    }  # keeps Allow on 405, as RFC 9110 asks
    return json_error(error.code or 500, error.description or error.name, headers)


def _unknown_chart(error: UnknownChart) -> Response:
    return json_error(404, str(error))


def _build_error(error: BuildError) -> Response:
    """503, to be asked again when the chart is built again (its refresh
    interval): sooner would only get the same error."""
    try:
        refresh = _runtime().registry.chart(error.chart).refresh
    except UnknownChart:
        refresh = None
    retry_after = math.ceil(failure_lifetime(refresh))
    return json_error(
        503, str(error), {"Retry-After": str(retry_after)}, error.error_id
    )


def _store_error(error: StoreError) -> Response:
    current_app.logger.warning("%s", error)
    return json_error(503, str(error), {"Retry-After": "2"})


def _limit_reached(error: LimitReached) -> Response:
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return json_error(error.status, str(error), headers)


def _variable_error(error: VariableError) -> Response:
    return json_error(400, str(error))


def _choices_error(error: ChoicesError) -> Response:
    current_app.logger.error("%s", error)
    return json_error(503, str(error), {"Retry-After": "2"})


def _bounded_query() -> None:
    if len(request.query_string) > MAX_QUERY_LENGTH:
        raise APIError(414, f"The query string is longer than {MAX_QUERY_LENGTH}.")
    check_query(request.query_string)


def _cors(response: Response) -> Response:
    origin = request.headers.get("Origin")
    allowed = _runtime().settings.cors_origins
    if origin and (origin in allowed or "*" in allowed):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"
        if request.method == "OPTIONS":  # the preflight of a conditional GET
            response.headers["Access-Control-Allow-Methods"] = "GET"
            response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
    if allowed:  # a shared cache keeps one answer per origin
        response.vary.add("Origin")
    return response


def _credentialed_cors() -> bool:
    """Whether the request comes from another origin with credentials."""
    headers = request.headers
    return "Origin" in headers and ("Cookie" in headers or "Authorization" in headers)


def _json(body: bytes, status: int = 200) -> Response:
    response = Response(body, status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"
    return response


# -- views -----------------------------------------------------------------


def serve_static(filename: str) -> Response:
    """The runtime, its CSS and the vendored ECharts files."""
    for folder in (STATIC_DIR, STATIC_DIR / "vendor"):
        try:
            return send_from_directory(folder, filename, max_age=3600)
        except NotFound:
            continue
    raise not_found(f"No static file named {filename[:200]!r}.")


def list_charts() -> Response:
    """``GET /api/charts``: every chart this viewer may see, and the variables
    they use."""
    registry = _runtime().registry
    specs = registry.visible_charts()
    items = [
        {
            "name": spec.name,
            "kind": spec.kind,
            "display": spec.display,
            "refresh": spec.refresh,
            "window": spec.window,
            "title": spec.label,
            "variables": list(spec.variables),
            "on_click": dict(spec.on_click),
        }
        for spec in specs
    ]
    given = _variables()
    variables = [
        variable.describe(parent_value(variable, given))
        for variable in registry.variables_of(specs)
    ]
    return _json(dumps({"charts": items, "variables": variables}))


def get_openapi() -> Response:
    """``GET /api/openapi.json``: the OpenAPI description of this API."""
    runtime = _runtime()
    registry = runtime.registry
    variables = registry.variables_of(registry.visible_charts())
    document = openapi_document(
        request.script_root + runtime.settings.url_prefix,
        [variable.describe() for variable in variables],
    )
    return _json(dumps(document))


def get_stats() -> Response:
    """``GET /api/stats``: what this process holds against its budgets (counts
    and bytes only: no chart names, no values). The JSON twin of ``flask
    pyecharts stats``."""
    return _json(dumps(_runtime().stats()))


def get_chart(name: str) -> Response:
    """``GET /api/charts/<name>``: the chart document, with ETag and 304."""
    runtime = _runtime()
    spec = runtime.registry.visible(name)
    topic = runtime.topic(spec, _variables())
    runtime.admit([topic])
    document = runtime.document(spec, topic)
    # Weak comparison (RFC 9110): a proxy that compresses makes the ETag weak.
    if request.if_none_match.contains_weak(document.etag.strip('"')):
        response = Response(status=304)
    else:
        response = _json(document.body)
    response.headers["ETag"] = document.etag
    response.headers["Cache-Control"] = "no-cache"
    return response


def get_points(name: str) -> Response:
    """``GET /api/charts/<name>/points?since=C&limit=L``."""
    runtime = _runtime()
    spec = runtime.registry.visible(name)
    if spec.kind != "stream":
        raise bad_request(f"Chart {name!r} is not a stream; it has no points.")
    _variables(POINTS_PARAMS)  # checked, though streams use none
    since = request.args.get("since") or None
    limit = _limit(spec) or t.cast(int, spec.window)
    try:
        page = runtime.points(spec, since, limit)
    except ValueError as error:
        raise bad_request(str(error)) from None
    body = {
        "chart": name,
        "cursor": page.cursor,
        "points": page.points,
        "reset": page.reset,
    }
    return _json(dumps(body))


def get_updates() -> Response:
    """``GET /api/updates?charts=a,b&since=Sa,Sb``: batched polling."""
    runtime = _runtime()
    topics, tokens = _subscription()
    try:
        updates, after = runtime.feed.updates(topics, tokens, _limit(None))
    except ValueError as error:
        raise bad_request(str(error)) from None
    next_poll = runtime.feed.next_poll(topics)
    response = Response(
        updates_body(updates, after, next_poll), mimetype="application/json"
    )
    if runtime.registry.restricted or _credentialed_cors():
        response.headers.update(PRIVATE)
    else:  # one answer for every viewer: a shared cache may keep it (nginx)
        streams = any(
            runtime.registry.chart(topic.chart).kind == "stream" for topic in topics
        )
        response.headers.update(shared_headers(next_poll, streams, time.time()))
    return response


def get_events() -> Response:
    """``GET /api/events?charts=a,b&since=Sa,Sb``: Server-Sent Events, from
    the app or, behind nginx with nchan, handed over to nchan."""
    runtime = _runtime()
    last_event_id = request.headers.get("Last-Event-ID")
    relayed = last_event_id if last_event_id and is_message_id(last_event_id) else None
    topics, tokens = _subscription(None if relayed else last_event_id)
    if relayed is not None:  # nchan's id, from a stream nchan served
        tokens = _resolve(runtime, topics, relayed)
    limit = _limit(None)
    relayed_here = _may_hand_over(runtime, limit)
    target = _handoff(runtime, topics, tokens) if relayed_here else None
    if target is not None:
        # Nothing here: nginx sends the viewer to nchan instead, which sends
        # every message after the viewer's tokens.
        response = Response(b"", mimetype="text/event-stream")
        response.headers["X-Accel-Redirect"] = (
            f"{runtime.settings.url_prefix}/api/events/nchan/{target}"
        )
        response.headers["X-Accel-Buffering"] = "no"
        response.headers["Cache-Control"] = "no-cache"
        return response
    # gunicorn --preload: the worker reset its signal handlers after the fork.
    stop_streams_at_worker_exit()
    environ = request.environ
    slot = runtime.stream_slots.take(
        client_address(),
        environ.get("gunicorn.socket") or environ.get("werkzeug.socket"),
    )
    viewer = runtime.feed.watch(topics, tokens, limit)
    try:
        first = runtime.feed.catch_up(viewer)
    except BaseException as error:
        runtime.feed.release(viewer)
        runtime.stream_slots.give_back(slot)
        if isinstance(error, ValueError):  # a malformed cursor
            raise bad_request(str(error)) from None
        raise
    settings = runtime.settings
    stream = _event_stream(
        runtime,
        viewer,
        first,
        slot,
        heartbeat=settings.heartbeat,
        deadline=time.monotonic() + settings.stream_timeout,
        hand_over=relayed_here,
    )
    # Passed through as it is: the stream needs no request context, and each
    # layer of wrapping would cost every write of every viewer.
    response = Response(stream, mimetype="text/event-stream", direct_passthrough=True)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response


def _resolve(runtime: Runtime, topics: list[Topic], message_id: str) -> list[str]:
    """The tokens at nchan's message id ``message_id`` (400 if unknown)."""
    if runtime.relay is None:
        raise bad_request(
            f"Last-Event-ID {message_id[:80]!r} is an nchan message id, and this app"
            " does not hand event streams to nchan (PYECHARTS_NCHAN)."
        )
    try:
        return runtime.relay.resolve(topics, message_id)
    except ValueError as error:
        raise bad_request(str(error)) from None


def _may_hand_over(runtime: Runtime, limit: int | None) -> bool:
    """Whether nchan may take this event stream over. Never for a request
    nchan would answer otherwise than the app: with a ``limit``, from another
    origin (the app's CORS rules), or with the conditional headers nchan reads
    positions from."""
    if runtime.relay is None or limit is not None:
        return False
    headers = request.headers
    origin = headers.get("Origin")
    if origin is not None and origin != request.host_url.rstrip("/"):
        return False
    return "If-None-Match" not in headers and "If-Modified-Since" not in headers


def _handoff(runtime: Runtime, topics: list[Topic], tokens: list[str]) -> str | None:
    """Where nchan takes this event stream over (see :meth:`.Relay.handoff`),
    or ``None``: the app serves it."""
    assert runtime.relay is not None
    try:
        return runtime.relay.handoff(topics, tokens)
    except StoreError:
        return None


def _event_stream(
    runtime: Runtime,
    viewer: Viewer,
    first: bytes | None,
    slot: Slot,
    heartbeat: float,
    deadline: float,
    hand_over: bool = False,
) -> t.Iterator[bytes]:
    """Events until ``deadline``; the browser then reconnects with Last-Event-ID,
    which spreads long-lived connections over the workers. One write per
    publication of the feed, whatever changed in between, and a ``ping``
    event (with the heartbeat's period) first and after ``heartbeat`` seconds
    without a write.

    With ``hand_over`` (nchan may take the viewer over), the stream ends as
    soon as nchan holds the viewer's position exactly: checked
    ``HAND_OVER_AFTER`` seconds after it opened, then less and less often (up
    to a heartbeat apart) until it is. Its last event is then a ``ping`` with
    ``"reconnect": true``: the page reconnects at once, and is handed over."""
    feed = runtime.feed
    # A real event, not a comment: a page cannot see comments, and it takes a
    # stream silent for longer than a few of these for a cut network.
    ping = encode_event(dumps({"every": heartbeat}), "ping")
    started = time.monotonic()
    wait = HAND_OVER_AFTER
    check = started + wait if hand_over else deadline
    try:
        slot.writing = True  # until the server asks for the next chunk
        yield encode_retry(RETRY_MS) + ping + (first or b"")
        slot.writing = False
        last_write = started
        while not (runtime.stopped or viewer.closed):
            viewer.wait()  # a publication, or the feed's periodic wake-up
            now = time.monotonic()
            if runtime.stopped:
                break
            if now >= check or now >= deadline:
                # End where nchan holds the viewer's position, so that it is
                # handed over when it reconnects (a heartbeat more at most).
                try:
                    tail, aligned = feed.align(viewer)
                    handed = aligned and hand_over
                except (StoreError, ValueError):
                    tail, aligned, handed = None, now >= deadline, False
                if handed:  # not a failure: the page reconnects at once
                    # With the id: a stream that wrote none (the viewer came
                    # at a position nchan holds just after it asked) resumes
                    # with Last-Event-ID all the same.
                    tail = (tail or b"") + encode_event(
                        dumps({"every": heartbeat, "reconnect": True}),
                        "ping",
                        viewer.since,
                    )
                if tail:
                    slot.writing = True
                    yield tail
                    slot.writing = False
                    last_write = now
                if aligned or now >= deadline + heartbeat:
                    break
                wait = min(2 * wait, heartbeat)
                check = now + wait if hand_over else deadline
            try:
                chunk = feed.catch_up(viewer)
            except StoreError:
                break  # the browser reconnects once the store is back
            if not chunk and now - last_write >= heartbeat:
                chunk = ping
            if chunk:
                slot.writing = True
                yield chunk
                slot.writing = False
                last_write = now
    finally:  # however it ends, closed by the client too
        feed.release(viewer)
        runtime.stream_slots.give_back(slot)


# -- query parameters --------------------------------------------------------


def _variables(route: t.Collection[str] = ()) -> dict[str, str]:
    """The variables of the query string (canonical texts); ``route``: the
    route's own parameters. Unknown names and values not allowed answer 400."""
    variables = _runtime().registry.visible_variables()
    return read_query(variables, request.args.to_dict(False), route)


def _subscription(
    last_event_id: str | None = None,
) -> tuple[list[Topic], list[str]]:
    """Parse ``charts`` and ``since`` (or ``Last-Event-ID``)."""
    runtime = _runtime()
    names = [name for name in request.args.get("charts", "").split(",") if name]
    if not names:
        raise bad_request("Give the charts to follow: ?charts=name1,name2.")
    most = runtime.settings.max_charts_per_request
    if len(names) > most:
        raise bad_request(f"Too many charts: {len(names)} given, at most {most}.")
    if len(set(names)) != len(names):
        raise bad_request("A chart is named twice in 'charts'.")
    specs: list[ChartSpec] = [runtime.registry.visible(name) for name in names]
    values = _variables(STREAM_PARAMS)
    since = last_event_id if last_event_id else request.args.get("since", "")
    if len(since) > MAX_SINCE_LENGTH:
        raise bad_request(
            f"'since' or Last-Event-ID is longer than {MAX_SINCE_LENGTH}."
        )
    tokens = since.split(",") if since else [""] * len(names)
    if len(tokens) != len(names):
        raise bad_request(
            f"'since' has {len(tokens)} values for {len(names)} charts; give one per"
            " chart, in the same order (empty for none)."
        )
    topics = [runtime.topic(spec, values) for spec in specs]
    runtime.admit(topics)
    return topics, tokens


def _limit(spec: ChartSpec | None) -> int | None:
    """The ``limit`` query parameter, from 1 to the window (or ``MAX_LIMIT``);
    ``None`` when absent."""
    ceiling = spec.window if spec and spec.window else MAX_LIMIT
    text = request.args.get("limit")
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 9 or int(text) < 1:
        raise bad_request(f"'limit' must be a whole number from 1 to {ceiling}.")
    return min(int(text), ceiling)
