"""Caps per client address and per process: open event streams, and the new
variants (values of variables) a client makes the server build."""

from __future__ import annotations

import collections
import math
import socket
import threading
import time
import typing as t

from flask import request


def client_address() -> str:
    """The address of the current request's client, which per-client caps
    count by (behind a proxy, see ProxyFix in docs/security.md)."""
    return request.remote_addr or "unknown"


class LimitReached(RuntimeError):
    """A cap is reached; ``status`` is the HTTP answer, ``retry_after`` the
    seconds after which asking again can succeed (``None``: not known)."""

    def __init__(
        self, status: int, message: str, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class Slot:
    """One open event stream: its client, and the socket it writes to (when
    the server says which), so that a write nobody reads can be cut."""

    def __init__(self, client: str, sock: t.Any = None) -> None:
        self.client = client
        self.sock = sock
        #: Whether a chunk is handed to the server and not written yet.
        self.writing = False

    def cut(self) -> None:
        """Close the socket under a blocked write: the write fails, the
        stream ends (the browser reconnects elsewhere)."""
        if self.sock is None:
            return
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed


class StreamSlots:
    """Counts open event streams; refuses the one over a cap.

    :param total: the most streams this process serves at once (``503`` above).
    :param per_client: the most streams one client address holds (``429`` above).
    """

    def __init__(self, total: int, per_client: int) -> None:
        self.total = total
        self.per_client = per_client
        self._open: collections.Counter[str] = collections.Counter()
        self._slots: set[Slot] = set()
        self._lock = threading.Lock()

    def take(self, client: str, sock: t.Any = None) -> Slot:
        """Count a new stream of ``client`` (writing to ``sock``, if known).

        :raises LimitReached: ``429`` or ``503`` when a cap is reached.
        """
        with self._lock:
            if self._open[client] >= self.per_client:
                raise LimitReached(
                    429,
                    f"Too many event streams from this address (at most"
                    f" {self.per_client}); close some tabs or use polling.",
                )
            if len(self._slots) >= self.total:
                raise LimitReached(
                    503, "The server holds its maximum of event streams."
                )
            self._open[client] += 1
            slot = Slot(client, sock)
            self._slots.add(slot)
            return slot

    def give_back(self, slot: Slot) -> None:
        """The stream has ended."""
        with self._lock:
            if slot not in self._slots:
                return
            self._slots.discard(slot)
            self._open[slot.client] -= 1
            if self._open[slot.client] <= 0:
                del self._open[slot.client]

    def count(self) -> int:
        """How many event streams are open."""
        with self._lock:
            return len(self._slots)

    def cut_stuck(self) -> int:
        """Cut the streams blocked in a write (a reader that stopped reading
        would hold a stopping worker until its graceful timeout); how many."""
        with self._lock:
            stuck = [slot for slot in self._slots if slot.writing]
        for slot in stuck:
            slot.cut()
        return len(stuck)


class VariantBudget:
    """How many new variants each client address may cause: ``per_minute``,
    refilled evenly, and as many at once (a token bucket per address).

    A variant is built on its first request; without a budget one client
    could ask for endless values of a free variable (``top=1``, ``top=2``...),
    each a build, and push everyone's variants out of the cache. At most
    ``max_clients`` addresses are remembered: the least recently seen are
    forgotten first (and start again with a full budget).
    """

    def __init__(
        self,
        per_minute: int,
        clock: t.Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self._clock = clock
        self._max_clients = max_clients
        # address -> (tokens left, when counted); least recently seen first
        self._buckets: collections.OrderedDict[str, tuple[float, float]] = (
            collections.OrderedDict()
        )
        self._lock = threading.Lock()

    def take(self, client: str, count: int = 1) -> None:
        """Charge ``client`` for ``count`` new variants (at most a full budget:
        a page with more charts than that can still load, once a minute).

        :raises LimitReached: ``429`` when its budget does not cover them;
            nothing is charged then.
        """
        count = min(count, self.per_minute)
        with self._lock:
            now = self._clock()
            left, then = self._buckets.pop(client, (float(self.per_minute), now))
            left = min(float(self.per_minute), left + (now - then) * self._rate)
            if left < count:
                self._remember(client, left, now)
                wait = max(1, math.ceil((count - left) / self._rate))
                raise LimitReached(
                    429,
                    f"Too many new variable values from this address: at most"
                    f" {self.per_minute} new chart variants a minute. Try again in"
                    f" {wait} s.",
                    retry_after=wait,
                )
            self._remember(client, left - count, now)

    def _remember(self, client: str, left: float, now: float) -> None:
        self._buckets[client] = (left, now)
        while len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)

    def clients(self) -> int:
        """How many addresses are remembered."""
        with self._lock:
            return len(self._buckets)
