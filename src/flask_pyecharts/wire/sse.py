"""The Server-Sent Events wire format, isolated so it can be tested byte for byte.

An event is its fields (``event:``, ``data:``) then an end (an optional
``id:`` line and a blank line). They are made apart so that the fields of an
event can be encoded once and shared by every viewer, each adding its own
``id`` (:func:`encode_end`).

Data lines are split on CR, LF and CRLF only, the line ends of the
EventSource parser: U+2028, U+2029 and U+0085 stay inside their line.
"""

from __future__ import annotations

import re

__all__ = [
    "encode_comment",
    "encode_end",
    "encode_event",
    "encode_fields",
    "encode_retry",
]

_LINE_END = re.compile(rb"\r\n|\r|\n")
_FORBIDDEN = re.compile(rb"[\r\n\0]")


def _clean(value: str) -> bytes:
    """A field value that cannot start another field or event."""
    return _FORBIDDEN.sub(b"", value.encode())


def encode_fields(data: bytes | str, event: str | None = None) -> bytes:
    """The ``event:`` line (if any) and the ``data:`` lines of one event."""
    raw = data.encode() if isinstance(data, str) else data
    head = b"event: " + _clean(event) + b"\n" if event else b""
    return head + b"".join(b"data: " + line + b"\n" for line in _LINE_END.split(raw))


def encode_end(id: str | None = None) -> bytes:
    """The end of an event: its ``id:`` line, if any, and the blank line."""
    return b"\n" if id is None else b"id: " + _clean(id) + b"\n\n"


def encode_event(
    data: bytes | str, event: str | None = None, id: str | None = None
) -> bytes:
    """One whole event: :func:`encode_fields` then :func:`encode_end`."""
    return encode_fields(data, event) + encode_end(id)


def encode_comment(text: str = "") -> bytes:
    """A comment line: a heartbeat that keeps proxies from closing the stream."""
    return b": " + _clean(text) + b"\n\n"


def encode_retry(milliseconds: int) -> bytes:
    """Tell the browser how long to wait before reconnecting."""
    return b"retry: %d\n\n" % int(milliseconds)
