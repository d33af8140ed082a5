"""The blueprint: the JSON API, the event stream and the static files."""

from __future__ import annotations

import time
import typing as t
from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    request,
    send_from_directory,
    stream_with_context,
)
from werkzeug.exceptions import HTTPException, NotFound

from .errors import APIError, bad_request, json_error, not_found
from .events import encode_comment, encode_event, encode_retry
from .openapi import openapi_document
from .option_cache import BuildError
from .options import dumps
from .runtime import ChartRuntime, UnknownChart, Update
from .stores import StoreError

if t.TYPE_CHECKING:
    from .extension import ChartSpec
    from .hub import Subscription

STATIC_DIR = Path(__file__).parent / "static"
#: The longest ``since`` list or ``Last-Event-ID`` header accepted.
MAX_SINCE_LENGTH = 8192
#: The largest ``limit`` a request may ask for.
MAX_LIMIT = 100_000
#: Event names by update type (``error`` is the browser's own event name).
EVENT_NAMES = {"error": "chart-error"}


def make_blueprint(url_prefix: str) -> Blueprint:
    """The blueprint serving the API and static files under ``url_prefix``."""
    bp = Blueprint("pyecharts", __name__, template_folder="templates")
    bp.add_url_rule("/static/<path:filename>", "static", serve_static)
    bp.add_url_rule("/api/charts", "list_charts", list_charts)
    bp.add_url_rule("/api/charts/<name>", "chart", get_chart)
    bp.add_url_rule("/api/charts/<name>/points", "points", get_points)
    bp.add_url_rule("/api/updates", "updates", get_updates)
    bp.add_url_rule("/api/events", "events", get_events)
    bp.add_url_rule("/api/openapi.json", "openapi", get_openapi)
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(StoreError, _store_error)
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


def _runtime() -> ChartRuntime:
    return t.cast(ChartRuntime, current_app.extensions["pyecharts"])


def _http_error(error: HTTPException) -> Response:
    if isinstance(error, APIError):
        return error.get_response()
    headers = {
        key: value for key, value in error.get_headers() if key != "Content-Type"
    }  # keeps Allow on 405, as RFC 9110 asks
    return json_error(error.code or 500, error.description or error.name, headers)


def _store_error(error: StoreError) -> Response:
    current_app.logger.warning("%s", error)
    return json_error(503, str(error), {"Retry-After": "2"})


def _cors(response: Response) -> Response:
    origin = request.headers.get("Origin")
    allowed = current_app.config["PYECHARTS_CORS_ORIGINS"]
    if origin and (origin in allowed or "*" in allowed):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "ETag"
        response.vary.add("Origin")
    return response


def _json(body: bytes, status: int = 200) -> Response:
    response = Response(body, status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"
    return response


def serve_static(filename: str) -> Response:
    """The runtime, its CSS and the vendored ECharts files."""
    for folder in (STATIC_DIR, STATIC_DIR / "vendor"):
        try:
            return send_from_directory(folder, filename, max_age=3600)
        except NotFound:
            continue
    raise not_found(f"No static file named {filename!r}.")


def list_charts() -> Response:
    """``GET /api/charts``: every registered chart."""
    specs = _runtime().charts.specs.values()
    items = [
        {
            "name": spec.name,
            "kind": spec.kind,
            "refresh": spec.refresh,
            "window": spec.window,
            "title": spec.title or spec.name,
        }
        for spec in specs
    ]
    return _json(dumps({"charts": items}))


def get_openapi() -> Response:
    """``GET /api/openapi.json``: the OpenAPI description of this API."""
    prefix = current_app.config["PYECHARTS_URL_PREFIX"]
    return _json(dumps(openapi_document(request.script_root + prefix)))


def _spec(name: str) -> ChartSpec:
    runtime = _runtime()
    try:
        spec = runtime.spec(name)
    except UnknownChart:
        raise not_found(f"No chart named {name[:64]!r}.") from None
    if not runtime.charts.allows(name):
        raise APIError(403, f"Not allowed to view chart {name!r}.")
    return spec


def get_chart(name: str) -> Response:
    """``GET /api/charts/<name>``: the chart document, with ETag and 304."""
    spec = _spec(name)
    try:
        document = _runtime().document(spec)
    except BuildError as error:
        raise APIError(503, str(error)) from None
    if request.if_none_match.contains(document.etag.strip('"')):
        response = Response(status=304)
    else:
        response = _json(document.body)
    response.headers["ETag"] = document.etag
    response.headers["Cache-Control"] = "no-cache"
    return response


def get_points(name: str) -> Response:
    """``GET /api/charts/<name>/points?since=C&limit=L``."""
    spec = _spec(name)
    if spec.kind != "stream":
        raise bad_request(f"Chart {name!r} is not a stream; it has no points.")
    since = request.args.get("since") or None
    limit = _limit(spec)
    try:
        page = _runtime().points(spec, since, limit)
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
    specs, tokens = _subscription()
    limit = _limit(None)
    try:
        updates = _runtime().updates(specs, tokens, limit)
    except ValueError as error:
        raise bad_request(str(error)) from None
    tokens = _advance(specs, tokens, updates)
    body = (
        b'{"updates":['
        + b",".join(update.payload for update in updates)
        + b'],"since":'
        + dumps(",".join(tokens))
        + b"}"
    )
    return _json(body)


def get_events() -> Response:
    """``GET /api/events?charts=a,b&since=Sa,Sb``: Server-Sent Events."""
    specs, tokens = _subscription(request.headers.get("Last-Event-ID"))
    limit = _limit(None)
    runtime = _runtime()
    config = current_app.config
    client = request.remote_addr or "unknown"
    runtime.stream_slots.take(client)
    # Subscribe before the first read, so no append can fall between the two.
    subscription = runtime.hub.subscribe(
        [spec.name for spec in specs if spec.kind == "stream"]
    )
    try:
        first = runtime.updates(specs, tokens, limit)
    except BaseException as error:
        subscription.close()
        runtime.stream_slots.give_back(client)
        if isinstance(error, ValueError):  # a malformed cursor
            raise bad_request(str(error)) from None
        raise
    stream = _event_stream(
        runtime,
        _Follower(specs, tokens, subscription, client),
        first,
        limit,
        heartbeat=float(config["PYECHARTS_HEARTBEAT"]),
        deadline=time.monotonic() + float(config["PYECHARTS_STREAM_TIMEOUT"]),
    )
    response = Response(stream_with_context(stream), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response


@dataclass
class _Follower:
    """One event stream's state: its charts, their tokens, its subscription."""

    specs: list[ChartSpec]
    tokens: list[str]
    subscription: Subscription
    client: str


def _event_stream(
    runtime: ChartRuntime,
    follower: _Follower,
    updates: list[Update],
    limit: int,
    heartbeat: float,
    deadline: float,
) -> t.Iterator[bytes]:
    """Events until ``deadline``; the browser then reconnects with Last-Event-ID,
    which spreads long-lived connections over the workers."""
    specs, tokens = follower.specs, follower.tokens
    positions = {spec.name: index for index, spec in enumerate(specs)}
    try:
        yield encode_retry(2000)
        last_write = time.monotonic()
        while time.monotonic() < deadline and not runtime.hub.closed:
            events = []
            for update in updates:
                tokens[positions[update.chart]] = update.token
                name = EVENT_NAMES.get(update.type, update.type)
                events.append(encode_event(update.payload, name, ",".join(tokens)))
            if events:  # one write for all the events of one wake-up
                yield b"".join(events)
                last_write = time.monotonic()
            elif time.monotonic() - last_write >= heartbeat:
                yield encode_comment("ping")
                last_write = time.monotonic()
            wake = min(last_write + heartbeat, deadline)
            changed = follower.subscription.wait(_wait_time(runtime, specs, wake))
            # Only what may have changed: the woken charts, and the full charts
            # due for a rebuild or rebuilt (by another viewer) since we looked.
            now = time.monotonic()
            wanted = [
                index
                for index, spec in enumerate(specs)
                if spec.name in changed
                or (
                    spec.kind == "full"
                    and (
                        _due(runtime, spec, now)
                        or runtime.option_moved(spec, tokens[index])
                    )
                )
            ]
            updates = runtime.updates(
                [specs[i] for i in wanted], [tokens[i] for i in wanted], limit
            )
    finally:  # however it ends, closed by the client too
        follower.subscription.close()
        runtime.stream_slots.give_back(follower.client)


def _due(runtime: ChartRuntime, spec: ChartSpec, now: float) -> bool:
    """Whether a full chart's option may have been rebuilt by now."""
    due = runtime.next_refresh(spec)
    return due is not None and due <= now


def _wait_time(runtime: ChartRuntime, specs: list[ChartSpec], deadline: float) -> float:
    """Sleep until the next heartbeat or the next full-chart rebuild."""
    for spec in specs:
        due = runtime.next_refresh(spec) if spec.kind == "full" else None
        if due is not None:
            deadline = min(deadline, due)
    return max(0.0, deadline - time.monotonic())


def _subscription(
    last_event_id: str | None = None,
) -> tuple[list[ChartSpec], list[str]]:
    """Parse ``charts`` and ``since`` (or ``Last-Event-ID``)."""
    names = [name for name in request.args.get("charts", "").split(",") if name]
    if not names:
        raise bad_request("Give the charts to follow: ?charts=name1,name2.")
    most = current_app.config["PYECHARTS_MAX_CHARTS_PER_REQUEST"]
    if len(names) > most:
        raise bad_request(f"Too many charts: {len(names)} given, at most {most}.")
    if len(set(names)) != len(names):
        raise bad_request("A chart is named twice in 'charts'.")
    specs = [_spec(name) for name in names]
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
    return specs, tokens


def _advance(
    specs: list[ChartSpec], tokens: list[str], updates: list[Update]
) -> list[str]:
    positions = {spec.name: index for index, spec in enumerate(specs)}
    tokens = list(tokens)
    for update in updates:
        tokens[positions[update.chart]] = update.token
    return tokens


def _limit(spec: ChartSpec | None) -> int:
    """The ``limit`` query parameter: 1 to the window (or ``MAX_LIMIT``)."""
    ceiling = spec.window if spec and spec.window else MAX_LIMIT
    text = request.args.get("limit")
    if text is None:
        return ceiling
    if not text.isdigit() or len(text) > 9 or int(text) < 1:
        raise bad_request(f"'limit' must be a whole number from 1 to {ceiling}.")
    return min(int(text), ceiling)
