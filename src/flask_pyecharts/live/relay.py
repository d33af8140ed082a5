"""The relay: event streams served by nginx's nchan, exactly once.

With ``PYECHARTS_NCHAN`` set (and the configuration of ``flask pyecharts
nginx --nchan``), each *group* of topics (the charts, with their variables,
that one event stream follows: a page's set of charts) is one nchan
*channel*, its id a hash of the group's topic keys (never text from a
request). One process of the deployment publishes each group (a lease in the
store): one message per publication of the feed that changed any of its
charts, an ``updates`` event whose data is the JSON array of the updates an
event stream of the app would write in one chunk, and a ``ping`` event every
half heartbeat when nothing else went out, which tells viewers that the
stream is alive and marks where its head is.

For each published message the publisher records, in the store, the tokens
(one per topic of the group) a viewer holds after it and nchan's id of it
(``time:tag``): the last ``KEEP`` of them, fewer than nchan keeps. An event
stream request whose tokens are recorded is handed to nchan
(``X-Accel-Redirect``) from there: nchan sends every message after that id,
the same updates in the same order as the app would, and nothing twice. Any
other request is served by the app as without nchan. A viewer subscribes to
one channel: nchan's subscriptions to several channels at once are never
used.

Publishing never blocks the feed: messages wait in a bounded queue for one
thread. A message that cannot be published (the queue full, nginx down) ends
the group's recorded run: nothing before the gap is handed off any more.
"""

from __future__ import annotations

import collections
import hashlib
import http.client
import logging
import re
import threading
import time
import typing as t
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .._json import dumps, loads
from ..nginx import NCHAN_BUFFER, NCHAN_MESSAGE_TIMEOUT

if t.TYPE_CHECKING:
    from ..registry import Topic
    from ..streams.stores import Lock, Store

__all__ = ["GROUPS", "Group", "Relay", "channel_of", "group_of", "is_message_id"]

logger = logging.getLogger("flask_pyecharts")

#: A group of topics as the relay knows it: sorted by key, each once.
Group: t.TypeAlias = "tuple[Topic, ...]"

_Found = t.TypeVar("_Found")

#: Recorded messages per group: well within nchan's buffer, so that a
#: message recorded is still there when a viewer subscribes after it.
KEEP = NCHAN_BUFFER // 2
#: Recorded messages older than this (seconds) are not used (nchan drops
#: messages after ``NCHAN_MESSAGE_TIMEOUT``).
MAX_AGE = NCHAN_MESSAGE_TIMEOUT / 2
#: The most messages waiting to be published, over all groups.
QUEUE = 10_000
#: The most groups one process publishes (or tries to): the viewers of
#: others are served by the app.
GROUPS = 1000
#: Seconds a publication may take; after a failure, seconds without trying.
TIMEOUT = 2.0
RETRY_AFTER = 1.0
#: Seconds a group stays published after its last viewer (in nchan or here).
LINGER = 30.0
#: Seconds a hand-over (or a ``Last-Event-ID``) waits for the record of the
#: message a viewer just got from nchan (nchan sends it before its publisher
#: records it), at most ``PENDING_TRIES`` times while one is being published.
PENDING_WAIT = 0.05
PENDING_TRIES = 10
#: The event of a message: the updates of one publication, as a JSON array.
UPDATES_EVENT = "updates"
#: nchan's message ids on one channel: ``time:tag``.
_MESSAGE_ID = re.compile(r"^([0-9]{1,12}):\[?(-?[0-9]{1,5})\]?$")


def group_of(topics: t.Iterable[Topic]) -> Group:
    """The group of ``topics``: whatever their order, one group."""
    return tuple(sorted(set(topics), key=lambda topic: topic.key))


def channel_of(group: Group) -> str:
    """The nchan channel id of a group: a hash of its topics' keys."""
    keys = dumps([topic.key for topic in group])
    return hashlib.blake2b(keys, digest_size=12).hexdigest()


def is_message_id(text: str) -> bool:
    """Whether ``text`` looks like an nchan message id (never one of our
    tokens: those hold no ``:``)."""
    return ":" in text and _MESSAGE_ID.match(text) is not None


def _order(topics: t.Sequence[Topic]) -> list[int]:
    """For each topic of the group of ``topics`` (in the group's order), its
    index in ``topics``."""
    return sorted(range(len(topics)), key=lambda index: topics[index].key)


@dataclass
class _Message:
    group: Group
    #: The tokens a viewer holds after this message (in the group's order).
    tokens: list[str]
    event: str
    payload: bytes
    #: The run of the channel it belongs to (see ``_Channel.generation``).
    generation: int


@dataclass
class _Channel:
    """A group this process publishes (it holds the lease)."""

    group: Group
    id: str
    lease: Lock
    renewed: float
    #: Recorded messages: (tokens after it, nchan time, nchan tag), oldest first.
    entries: collections.deque[tuple[list[str], int, int]] = field(
        default_factory=lambda: collections.deque(maxlen=KEEP)
    )
    #: Messages published in the current run (nchan's count must match).
    published: int = 0
    #: Bumped when a message is lost: the next one starts a new run.
    generation: int = 0
    run: int = 0
    #: Whether the run's first message (a ping at the head) was queued.
    started: bool = False
    last_queued: float = 0.0
    #: Subscribers nchan counted at the last publication, and when it last
    #: counted any.
    subscribers: int = 0
    followed_at: float = 0.0


class Relay:
    """Publishes this process's groups to nchan and hands viewers over.

    :param store: the deployment's store (leases and records).
    :param publisher: nchan's publisher, ``http://HOST:PORT``.
    :param heartbeat: seconds between the app's pings (``PYECHARTS_HEARTBEAT``).
    :param clock: monotonic seconds.
    :param wall_clock: seconds of the wall clock (nchan's message times).
    :param sleep: waits (a hand-over waits for a record being written).
    """

    def __init__(
        self,
        store: Store,
        publisher: str,
        heartbeat: float,
        clock: t.Callable[[], float] = time.monotonic,
        wall_clock: t.Callable[[], float] = time.time,
        sleep: t.Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self._sleep = sleep
        address = urlsplit(publisher)
        self._host = address.hostname or "127.0.0.1"
        self._port = address.port or 80
        self.heartbeat = heartbeat
        self._clock = clock
        self._wall = wall_clock
        #: A lease outlives a holder that stopped renewing it by this much.
        self.lease_ttl = 2 * heartbeat
        #: A record outlives its last publication by this much: a publisher
        #: that died is not handed viewers after it.
        self.record_ttl = 1.5 * heartbeat
        self._ping = dumps({"every": heartbeat})
        self._channels: dict[Group, _Channel] = {}
        self._tried: dict[Group, float] = {}
        self._queue: collections.deque[_Message] = collections.deque()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self._connection: http.client.HTTPConnection | None = None
        self._down_until = 0.0
        self._closed = False
        self.published = 0
        self.failed = 0
        self.handed = 0

    # -- the publisher's side (called by the feed's thread) ----------------------

    def hold(self, group: Group) -> bool:
        """Publish ``group`` from this process if no other one does (take or
        renew its lease); whether this process publishes it."""
        now = self._clock()
        channel = self._channels.get(group)
        if channel is None:
            if now < self._tried.get(group, 0.0) or len(self._channels) >= GROUPS:
                return False
            self._tried[group] = now + self.lease_ttl / 4
            ident = channel_of(group)
            lease = self.store.lock(f"relay:{ident}", ttl=self.lease_ttl)
            if not lease.acquire(blocking=False):
                return False
            self._tried.pop(group, None)
            self._channels[group] = _Channel(group, ident, lease, now, followed_at=now)
            return True
        if now - channel.renewed >= self.lease_ttl / 4:
            try:
                channel.lease.renew()
            except Exception:  # taken over: its new holder publishes
                self._forget(group, release=False)
                return False
            channel.renewed = now
        return True

    def tick(self, group: Group, tokens: t.Sequence[str]) -> None:
        """Queue a ping at ``tokens`` (the group's head, in its order) when one
        is due: the first one starts the channel's run."""
        channel = self._channels.get(group)
        if channel is None or not all(tokens):
            return
        now = self._clock()
        if channel.started and now - channel.last_queued < self.heartbeat / 2:
            return
        channel.started = True
        self._put(channel, _Message(group, list(tokens), "ping", self._ping, 0), now)

    def publish(
        self, group: Group, payloads: t.Sequence[bytes], tokens: t.Sequence[str]
    ) -> None:
        """Queue one message: the updates ``payloads`` of one publication, in
        order, after which a viewer holds ``tokens`` (in the group's order).
        Call in order, from one thread, after :meth:`tick` started the run."""
        channel = self._channels.get(group)
        if channel is not None and channel.started:
            payload = b"[" + b",".join(payloads) + b"]"
            message = _Message(group, list(tokens), UPDATES_EVENT, payload, 0)
            self._put(channel, message, self._clock())

    def followed(self, group: Group) -> bool:
        """Whether nchan counted subscribers of ``group`` lately."""
        channel = self._channels.get(group)
        if channel is None:
            return False
        return channel.subscribers > 0 or self._clock() - channel.followed_at < LINGER

    def drop(self, group: Group) -> None:
        """Stop publishing ``group`` (nobody follows it any more)."""
        self._tried.pop(group, None)
        if group in self._channels:
            self._forget(group, release=True)

    def close(self) -> None:
        """Stop publishing, give the leases back."""
        with self._ready:
            self._closed = True
            self._queue.clear()
            self._ready.notify_all()
        for group in list(self._channels):
            self._forget(group, release=True)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(TIMEOUT + 1)

    def stats(self) -> dict[str, int]:
        """What the relay does, for ``/api/stats``."""
        return {
            "published_groups": len(self._channels),
            "queued": len(self._queue),
            "published": self.published,
            "failed": self.failed,
            "handed_over": self.handed,
        }

    # -- the viewer's side (called by the API) ---------------------------------

    def handoff(self, topics: t.Sequence[Topic], tokens: t.Sequence[str]) -> str | None:
        """Hand a viewer at ``tokens`` over: :meth:`position`, counted. A
        viewer at the message being published (nchan sent it, its record is
        not written yet) waits for the record (:meth:`_once_recorded`)."""
        target = self._once_recorded(lambda: self._place(topics, tokens))
        if target is not None:
            self.handed += 1
        return target

    def position(
        self, topics: t.Sequence[Topic], tokens: t.Sequence[str]
    ) -> str | None:
        """Where nchan takes a viewer of ``topics`` at ``tokens`` (aligned with
        ``topics``) over: ``CHANNEL?start=TIME:TAG``, the group's channel and
        the id of the last message after which a viewer holds exactly
        ``tokens``; ``None`` when none is recorded (the app serves it)."""
        return self._place(topics, tokens)[0]

    def _place(
        self, topics: t.Sequence[Topic], tokens: t.Sequence[str]
    ) -> tuple[str | None, bool]:
        """:meth:`position`, and whether the viewer's tokens are those after
        a message being published."""
        if not topics or any(not token for token in tokens):
            return None, False
        group = group_of(topics)
        if len(group) != len(topics):
            return None, False
        wanted = [tokens[index] for index in _order(topics)]
        found = self._read_record(group)
        entries = found["entries"]
        for index in range(len(entries) - 1, -1, -1):
            if entries[index][0] == wanted:
                _, time_, tag = entries[index]
                if time_ < self._wall() - MAX_AGE:
                    return None, False
                return f"{channel_of(group)}?start={time_}:{tag}", False
        return None, found["pending"] == wanted

    def recorded(self, topics: t.Sequence[Topic]) -> list[list[str]]:
        """The tokens recorded for the group of ``topics``, oldest first, each
        aligned with ``topics``: positions nchan holds."""
        group = group_of(topics)
        if len(group) != len(topics):
            return []
        entries = self._read_record(group)["entries"]
        return [_aligned(topics, entry[0]) for entry in entries]

    def resolve(self, topics: t.Sequence[Topic], message_id: str) -> list[str]:
        """The tokens at nchan's message id ``message_id`` (a ``Last-Event-ID``
        from a stream nchan served), aligned with ``topics``.

        :raises ValueError: when it is malformed, or its position is no
            longer recorded for the group of ``topics``.
        """
        found = _MESSAGE_ID.match(message_id)
        if found is None:
            raise ValueError(f"Malformed nchan message id {message_id[:80]!r}.")
        time_, tag = int(found.group(1)), int(found.group(2))

        def lookup() -> tuple[list[str] | None, bool]:
            record = self._read_record(group_of(topics))
            for tokens, entry_time, entry_tag in record["entries"]:
                if entry_time == time_ and entry_tag == tag:
                    return _aligned(topics, tokens), False
            # A message being published may be the one the viewer last got.
            return None, bool(record["pending"])

        tokens = self._once_recorded(lookup)
        if tokens is not None:
            return tokens
        raise ValueError(
            f"The Last-Event-ID {message_id[:80]!r} is too old (or of other"
            " charts): reconnect with ?since= from the charts' documents."
        )

    def _once_recorded(
        self, lookup: t.Callable[[], tuple[_Found | None, bool]]
    ) -> _Found | None:
        """What ``lookup()`` finds in a group's record, asked again after
        ``PENDING_WAIT`` while it finds nothing and says that a message it may
        be waiting for is being published (at most ``PENDING_TRIES`` waits)."""
        for _ in range(PENDING_TRIES):
            found, pending = lookup()
            if found is not None or not pending:
                return found
            self._sleep(PENDING_WAIT)
        return lookup()[0]

    def _read_record(self, group: Group) -> dict[str, t.Any]:
        """The group's record in the store (none: no entries, none pending)."""
        record = self.store.get_blob(_record_key(group))
        return {"entries": [], "pending": []} if record is None else loads(record)

    # -- the publishing thread ---------------------------------------------------

    def _put(self, channel: _Channel, message: _Message, now: float) -> None:
        channel.last_queued = now
        with self._ready:
            if self._closed:
                return
            if len(self._queue) >= QUEUE:  # a gap: a new run after it
                channel.generation += 1
                self.failed += 1
                return
            message.generation = channel.generation
            self._queue.append(message)
            self._ready.notify()
        if self._thread is None:
            with self._ready:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="pyecharts-relay", daemon=True
                    )
                    self._thread.start()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                if self._closed:
                    break
                message = self._queue.popleft()
            channel = self._channels.get(message.group)
            if channel is None:
                continue
            try:
                self._publish(channel, message)
            except Exception as error:
                self.failed += 1
                channel.generation += 1
                channel.entries.clear()
                if self._clock() >= self._down_until:
                    logger.warning("nchan: a publication failed (%s)", error)
                self._down_until = self._clock() + RETRY_AFTER
                self._drop_connection()
                try:
                    self._record(channel)
                except Exception:
                    pass
        self._drop_connection()

    def _publish(self, channel: _Channel, message: _Message) -> None:
        """Publish one message: the record names it "pending" while nchan may
        have it and the record not, then holds it."""
        if message.generation != channel.run:  # a message was lost before it
            channel.run = message.generation
            channel.entries.clear()
            channel.published = 0
        if self._clock() < self._down_until:
            raise ConnectionError("nginx did not answer lately")
        self._record(channel, pending=message.tokens)
        answer = self._post(channel.id, message.event, message.payload)
        time_, _, tag = str(answer["last_message_id"]).partition(":")
        count = int(answer["messages"])
        channel.published += 1
        if count < min(channel.published, NCHAN_BUFFER):
            # nchan lost messages (restarted, or they expired): start again
            # from this one.
            channel.entries.clear()
            channel.published = 1
        channel.entries.append((message.tokens, int(time_), int(tag)))
        channel.subscribers = int(answer["subscribers"])
        if channel.subscribers:
            channel.followed_at = self._clock()
        self._record(channel)
        self.published += 1

    def _record(self, channel: _Channel, pending: list[str] | None = None) -> None:
        """Write the channel's record; ``pending``: the tokens after the
        message being published, if one is."""
        body = dumps({"entries": list(channel.entries), "pending": pending or []})
        self.store.set_blob(_record_key(channel.group), body, ttl=self.record_ttl)

    def _post(self, channel: str, event: str, payload: bytes) -> dict[str, t.Any]:
        connection = self._connection
        if connection is None:
            connection = http.client.HTTPConnection(
                self._host, self._port, timeout=TIMEOUT
            )
            self._connection = connection
        connection.request(
            "POST",
            f"/pub/{channel}",
            body=payload,
            headers={
                "Accept": "text/json",
                "Content-Type": "application/json",
                "X-EventSource-Event": event,
            },
        )
        response = connection.getresponse()
        body = response.read()
        if response.status not in (200, 201, 202):
            raise ConnectionError(f"nchan answered {response.status}")
        answer = loads(body)
        if not isinstance(answer, dict):
            raise ConnectionError("nchan's answer is not an object")
        return answer

    def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def _forget(self, group: Group, release: bool) -> None:
        channel = self._channels.pop(group, None)
        if channel is None:
            return
        if release:
            try:  # no record: nobody is handed over to a channel left alone
                self.store.set_blob(
                    _record_key(group),
                    dumps({"entries": [], "pending": []}),
                    ttl=self.record_ttl,
                )
            except Exception:
                pass
            channel.lease.release()


def _record_key(group: Group) -> str:
    return f"relay:{channel_of(group)}"


def _aligned(topics: t.Sequence[Topic], tokens: t.Sequence[str]) -> list[str]:
    """``tokens`` of the group of ``topics`` (in its order), in the order of
    ``topics``."""
    aligned = [""] * len(topics)
    for position, index in enumerate(_order(topics)):
        aligned[index] = str(tokens[position])
    return aligned
