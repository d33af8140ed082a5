"""A small Server-Sent Events reader for tests, over a real HTTP connection."""

from __future__ import annotations

import http.client
import json
import typing as t
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Event:
    event: str
    data: t.Any
    id: str | None


def read_events(
    url: str,
    last_event_id: str | None = None,
    timeout: float = 10.0,
    until: t.Callable[[list[Event]], bool] | None = None,
    opened: t.Callable[[], object] | None = None,
    pings: bool = False,
) -> tuple[list[Event], http.client.HTTPResponse]:
    """Read events until the server closes the stream or ``until(events)`` holds.

    ``opened()`` is called once the response has begun: the server then
    follows the stream's charts, and whatever happens next reaches it.
    ``ping`` events (heartbeats) are left out unless ``pings``.
    """
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    headers = {"Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    connection.request("GET", f"{parts.path}?{parts.query}", headers=headers)
    response = connection.getresponse()
    if response.status != 200:
        # An error is a JSON body, not a stream: keep it for the assertion.
        response.error = response.read().decode()  # type: ignore[attr-defined]
        connection.close()
        return [], response
    if opened is not None:
        opened()
    events: list[Event] = []
    fields: dict[str, str] = {}
    data: list[str] = []
    try:
        while True:
            line = response.readline()
            if not line:
                break
            text = line.decode().rstrip("\n")
            if text == "":
                if data and (pings or fields.get("event") != "ping"):
                    events.append(
                        Event(
                            fields.get("event", "message"),
                            json.loads("\n".join(data)),
                            fields.get("id"),
                        )
                    )
                    if until and until(events):
                        break
                fields, data = {}, []
            elif text.startswith(":"):
                continue
            else:
                name, _, value = text.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "data":
                    data.append(value)
                else:
                    fields[name] = value
    finally:
        connection.close()
    return events, response
