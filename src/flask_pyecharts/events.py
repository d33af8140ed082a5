"""The Server-Sent Events wire format, isolated so it can be tested byte for byte."""

from __future__ import annotations

_FORBIDDEN = str.maketrans("", "", "\r\n\0")


def encode_event(
    data: bytes | str, event: str | None = None, id: str | None = None
) -> bytes:
    """One event: optional ``event:`` and ``id:`` lines, then ``data:`` lines.

    Newlines are stripped from ``event`` and ``id`` so a value can never inject
    a field; multi-line ``data`` is split into several ``data:`` lines.
    """
    text = data.decode() if isinstance(data, bytes) else data
    lines = []
    if event:
        lines.append(f"event: {event.translate(_FORBIDDEN)}")
    if id is not None:
        lines.append(f"id: {id.translate(_FORBIDDEN)}")
    lines.extend(f"data: {line}" for line in text.splitlines() or [""])
    return ("\n".join(lines) + "\n\n").encode()


def encode_comment(text: str = "") -> bytes:
    """A comment line: a heartbeat that keeps proxies from closing the stream."""
    return f": {text.translate(_FORBIDDEN)}\n\n".encode()


def encode_retry(milliseconds: int) -> bytes:
    """Tell the browser how long to wait before reconnecting."""
    return f"retry: {int(milliseconds)}\n\n".encode()
