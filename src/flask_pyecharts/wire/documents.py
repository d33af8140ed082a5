"""The wire shapes: chart documents, updates and their event-stream frames.

Everything the API sends about a chart is made here, as bytes, once: the
option bodies are spliced in as they are (never parsed again), and an
update's event fields are encoded once and shared by every viewer. See
docs/protocol.md for the shapes.
"""

from __future__ import annotations

import functools
import typing as t
from dataclasses import dataclass

from .._json import dumps
from .sse import encode_fields

if t.TYPE_CHECKING:
    from ..streams.stores import Page

__all__ = [
    "ChartDocument",
    "Update",
    "chart_document",
    "error_update",
    "option_update",
    "patch_update",
    "points_update",
    "updates_body",
]

#: Event names by update type (``error`` is the browser's own event name).
EVENT_NAMES = {"error": "chart-error"}


@dataclass(frozen=True)
class ChartDocument:
    """What ``GET /api/charts/<name>`` answers."""

    body: bytes
    etag: str


@dataclass(frozen=True, eq=False)
class Update:
    """One change of one chart, as sent to viewers: an entry of
    ``/api/updates`` or one event of ``/api/events``."""

    #: ``option``, ``points``, ``reset`` or ``error``.
    type: str
    chart: str
    #: The JSON object sent to the client.
    payload: bytes
    #: The chart's ``since`` token after this update.
    token: str

    @functools.cached_property
    def event(self) -> bytes:
        """The event's fields (no ``id``, no end), encoded once."""
        return encode_fields(self.payload, EVENT_NAMES.get(self.type, self.type))


def body_key(composite: bool) -> str:
    """Where a document's body goes: ``option``, or ``composite`` for a Page,
    a Tab or a component (see docs/protocol.md)."""
    return "composite" if composite else "option"


def _splice(head: dict[str, t.Any], key: str, body: bytes) -> bytes:
    """``head`` as JSON with ``key`` set to the JSON ``body``, without parsing it."""
    return dumps(head)[:-1] + b',"' + key.encode() + b'":' + body + b"}"


def _optional(**fields: t.Any) -> dict[str, t.Any]:
    """The fields that differ from their default (empty or ``None``): less to send."""
    return {key: value for key, value in fields.items() if value}


def chart_document(
    *,
    name: str,
    kind: str,
    option: bytes,
    etag: str,
    functions: list[t.Any],
    cursor: str | None,
    refresh: float | None,
    window: int | None,
    scripts: list[str],
    theme: str | None,
    fit_labels: bool = True,
    variables: dict[str, str] | None = None,
    on_click: dict[str, str] | None = None,
    composite: bool = False,
    js_functions: list[str] | None = None,
) -> ChartDocument:
    """A chart document around the option JSON ``option`` (or the composite
    JSON, when ``composite``).

    ``variables``: the values (canonical texts) it was built for, one per
    variable it uses; ``on_click``: the variables a click sets, and from what;
    ``js_functions``: pyecharts ``add_js_funcs`` sources, run first.
    """
    head: dict[str, t.Any] = {
        "name": name,
        "kind": kind,
        "functions": functions,
        "cursor": cursor,
        "refresh": refresh,
        "window": window,
        "etag": etag,
        **_optional(
            scripts=scripts,
            theme=theme,
            variables=variables,
            on_click=on_click,
            js_functions=js_functions,
        ),
    }
    if not fit_labels:
        head["fit_labels"] = False
    return ChartDocument(_splice(head, body_key(composite), option), etag)


def option_update(
    chart: str,
    etag: str,
    option: bytes,
    functions: list[t.Any],
    scripts: list[str],
    theme: str | None,
    composite: bool = False,
    js_functions: t.Sequence[str] = (),
) -> Update:
    """A whole new option (or composite): the client replaces what it shows."""
    head = {
        "type": "option",
        "chart": chart,
        "etag": etag,
        "functions": functions,
        **_optional(scripts=scripts, theme=theme, js_functions=list(js_functions)),
    }
    body = _splice(head, body_key(composite), option)
    return Update("option", chart, body, etag)


def patch_update(
    chart: str, base: str, etag: str, patch: bytes, functions: list[t.Any]
) -> Update:
    """The change from option ``base`` to option ``etag``, for ECharts to merge."""
    head = {
        "type": "option",
        "chart": chart,
        "etag": etag,
        "base": base,
        "functions": functions,
    }
    return Update("option", chart, _splice(head, "patch", patch), etag)


def points_update(chart: str, page: Page, start: str | None) -> Update | None:
    """New points of a stream (``reset``: instead of what the viewer has).

    :param start: the cursor the points follow (``from``), so that a client
        can tell a repeated or missing update from the next one.
    """
    if not page.points and not page.reset:
        return None
    kind = "reset" if page.reset else "points"
    head = {"type": kind, "chart": chart, "cursor": page.cursor}
    if start and not page.reset:
        head["from"] = start
    return Update(kind, chart, _splice(head, "points", dumps(page.points)), page.cursor)


def error_update(
    chart: str, message: str, token: str, error_id: str | None = None
) -> Update:
    """The chart's builder failed: keep showing the last option, as stale.

    ``error_id``: the id the server log shows the failure with, when the
    message (outside debug mode) says no more; pages say it in their language.
    """
    fields = {"type": "error", "chart": chart, "error": message}
    payload = dumps({**fields, "error_id": error_id} if error_id else fields)
    return Update("error", chart, payload, token)


def updates_body(
    updates: t.Iterable[Update], since: t.Sequence[str], next_poll: float | None
) -> bytes:
    """The answer of ``/api/updates``: the updates, the new ``since`` and, when
    a full chart is due for a rebuild, in how many seconds to ask again."""
    tail: dict[str, t.Any] = {"since": ",".join(since)}
    if next_poll is not None:
        tail["next"] = round(next_poll, 3)
    return (
        b'{"updates":['
        + b",".join(update.payload for update in updates)
        + b"],"
        + dumps(tail)[1:]
    )
