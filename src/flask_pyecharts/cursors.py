"""Cursors: opaque, URL-safe positions in a stream (``<epoch>.<seq>``)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

#: The longest cursor accepted.
MAX_CURSOR_LENGTH = 64
_CURSOR = re.compile(r"([A-Za-z0-9_-]{1,32})\.([0-9]{1,19})")


def new_epoch() -> str:
    """A fresh epoch token: a store that lost its data gets a new one."""
    return secrets.token_urlsafe(6)


@dataclass(frozen=True)
class Cursor:
    """The store's epoch and the sequence number of the last point seen."""

    epoch: str
    seq: int

    def encode(self) -> str:
        return f"{self.epoch}.{self.seq}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Parse a cursor.

        :raises ValueError: when ``text`` is not a cursor this library made.
        """
        if len(text) > MAX_CURSOR_LENGTH:
            raise ValueError(f"Malformed cursor: longer than {MAX_CURSOR_LENGTH}.")
        match = _CURSOR.fullmatch(text)
        if match is None:
            raise ValueError(
                f"Malformed cursor {text[:MAX_CURSOR_LENGTH]!r}: use a cursor from"
                " the API, or leave 'since' out to get the whole window."
            )
        return cls(match.group(1), int(match.group(2)))
