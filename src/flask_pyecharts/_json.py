"""The package's one JSON encoder (orjson): compact bytes, NaN as ``null``.

Every module that writes JSON goes through :func:`dumps`, so the wire format
has one definition. :func:`script_safe` makes JSON safe to inline in HTML.
"""

from __future__ import annotations

import typing as t

import orjson

__all__ = [
    "INT_MAX",
    "INT_MIN",
    "JSONDecodeError",
    "dumps",
    "int_text",
    "loads",
    "script_safe",
]

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS

#: Raised by :func:`loads` for malformed input (a ``ValueError``).
JSONDecodeError = orjson.JSONDecodeError

#: The integers :func:`dumps` can write: signed and unsigned 64 bits.
INT_MIN, INT_MAX = -(2**63), 2**64 - 1

# "<", ">" and "&" could close or confuse the <script> element; U+2028 and
# U+2029 end a line in older JavaScript parsers and in some framings.
_SCRIPT_UNSAFE = (
    (b"<", b"\\u003c"),
    (b">", b"\\u003e"),
    (b"&", b"\\u0026"),
    ("\u2028".encode(), b"\\u2028"),
    ("\u2029".encode(), b"\\u2029"),
)


def dumps(value: t.Any) -> bytes:
    """Compact JSON bytes; NaN and infinities become ``null``.

    :raises TypeError: for a value JSON cannot carry (an integer beyond 64
        bits, an unknown type).
    """
    return orjson.dumps(value, option=_OPTIONS)


def loads(data: bytes | str) -> t.Any:
    """Parse JSON.

    :raises JSONDecodeError: for malformed input.
    """
    return orjson.loads(data)


def script_safe(body: bytes) -> str:
    """JSON text that is safe inside ``<script type="application/json">``."""
    for character, replacement in _SCRIPT_UNSAFE:
        body = body.replace(character, replacement)
    return body.decode()


def int_text(value: int) -> str:
    """An integer for an error message (Python refuses to print huge ones)."""
    return str(value) if value.bit_length() <= 256 else f"of {value.bit_length()} bits"
