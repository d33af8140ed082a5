"""Cursors: opaque, URL-safe positions in a stream (``<epoch>.<seq>``).

``epoch`` names one life of a store's data (a store that loses its data gets a
new one); ``seq`` is the sequence number of the last point a reader has seen,
``0`` when it has seen nothing. Cursors hold no comma, so several of them can
travel comma-joined in one query parameter or ``Last-Event-ID``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

#: The longest cursor accepted.
MAX_CURSOR_LENGTH = 64
#: The longest epoch accepted (:func:`new_epoch` makes 8 characters).
MAX_EPOCH_LENGTH = 32
_EPOCH = re.compile(r"[A-Za-z0-9_-]+")
_HINT = "use a cursor from the API, or leave 'since' out to get the whole window"


def new_epoch() -> str:
    """A fresh epoch token: a store that lost its data gets a new one."""
    return secrets.token_urlsafe(6)


@dataclass(frozen=True)
class Cursor:
    """The store's epoch and the sequence number of the last point seen."""

    #: The store's epoch when the cursor was made.
    epoch: str
    #: The sequence number of the last point seen; ``0`` when none was.
    seq: int

    def encode(self) -> str:
        """The cursor as sent to clients: ``"<epoch>.<seq>"``."""
        return f"{self.epoch}.{self.seq}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Parse a cursor made by :meth:`encode`.

        :raises ValueError: when ``text`` is not such a cursor; the message
            says what is wrong with it.
        """
        if not isinstance(text, str):
            raise ValueError(
                f"Malformed cursor: expected a string, got {type(text).__name__}."
            )
        if len(text) > MAX_CURSOR_LENGTH:
            raise ValueError(
                f"Malformed cursor: longer than {MAX_CURSOR_LENGTH} characters;"
                f" {_HINT}."
            )
        epoch, dot, seq = text.rpartition(".")
        if not dot or not epoch:
            raise ValueError(
                f"Malformed cursor {text!r}: expected '<epoch>.<seq>'; {_HINT}."
            )
        if len(epoch) > MAX_EPOCH_LENGTH or not _EPOCH.fullmatch(epoch):
            raise ValueError(
                f"Malformed cursor {text!r}: the epoch must be at most"
                f" {MAX_EPOCH_LENGTH} letters, digits, '-' or '_'; {_HINT}."
            )
        if seq.startswith("-"):
            raise ValueError(
                f"Malformed cursor {text!r}: the sequence number is negative; {_HINT}."
            )
        if not (seq.isascii() and seq.isdigit()):
            raise ValueError(
                f"Malformed cursor {text!r}: the sequence number must be digits;"
                f" {_HINT}."
            )
        return cls(epoch, int(seq))
