"""Caps on open event streams: per client address and per process."""

from __future__ import annotations

import collections
import threading


class LimitReached(RuntimeError):
    """A cap on event streams is reached; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class StreamSlots:
    """Counts open event streams; refuses the one over a cap.

    :param total: the most streams this process serves at once (``503`` above).
    :param per_client: the most streams one client address holds (``429`` above).
    """

    def __init__(self, total: int, per_client: int) -> None:
        self.total = total
        self.per_client = per_client
        self._open: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()

    def take(self, client: str) -> None:
        """Count a new stream of ``client``.

        :raises LimitReached: ``429`` or ``503`` when a cap is reached.
        """
        with self._lock:
            if self._open[client] >= self.per_client:
                raise LimitReached(
                    429,
                    f"Too many event streams from this address (at most"
                    f" {self.per_client}); close some tabs or use polling.",
                )
            if sum(self._open.values()) >= self.total:
                raise LimitReached(
                    503, "The server holds its maximum of event streams."
                )
            self._open[client] += 1

    def give_back(self, client: str) -> None:
        """The stream of ``client`` has ended."""
        with self._lock:
            self._open[client] -= 1
            if self._open[client] <= 0:
                del self._open[client]

    def count(self) -> int:
        """How many event streams are open."""
        with self._lock:
            return sum(self._open.values())
