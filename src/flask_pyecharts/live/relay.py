"""The relay: event streams served by nginx's nchan, exactly once.

With ``PYECHARTS_NCHAN`` set (and the configuration of ``flask pyecharts
nginx --nchan``), each topic is an nchan *channel* (its id a hash of the
topic's key, never text from a request). One process of the deployment
publishes each topic (a lease in the store): every frame the feed makes, in
order, and a ``ping`` event every half heartbeat, which tells viewers that the
stream is alive and marks where its head is.

For each published message the publisher records, in the store, the token a
viewer holds after it and nchan's id of it (``time:tag``): the last
``KEEP`` of them, fewer than nchan keeps. An event stream request whose tokens
are all recorded (and exactly expressible as one nchan id, see
:meth:`Relay.handoff`) is handed to nchan (``X-Accel-Redirect``) from there:
nchan sends every message after those ids, the same frames in the same order
as the app would, and nothing twice. Any other request is served by the app
as without nchan.

Publishing never blocks the feed: messages wait in a bounded queue for one
thread. A message that cannot be published (the queue full, nginx down) ends
the topic's recorded run: nothing before the gap is handed off any more.
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
from ..wire.documents import EVENT_NAMES

if t.TYPE_CHECKING:
    from ..registry import Topic
    from ..streams.stores import Lock, Store
    from ..wire.documents import Update

__all__ = ["Relay", "channel_of", "is_message_id"]

logger = logging.getLogger("flask_pyecharts")

#: Recorded messages per topic: well within nchan's buffer, so that a
#: message recorded is still there when a viewer subscribes after it.
KEEP = NCHAN_BUFFER // 2
#: Recorded messages older than this (seconds) are not used (nchan drops
#: messages after ``NCHAN_MESSAGE_TIMEOUT``).
MAX_AGE = NCHAN_MESSAGE_TIMEOUT / 2
#: The most messages waiting to be published, over all topics.
QUEUE = 10_000
#: Seconds a publication may take; after a failure, seconds without trying.
TIMEOUT = 2.0
RETRY_AFTER = 1.0
#: Seconds a topic stays published after its last viewer (in nchan or here).
LINGER = 30.0
#: Seconds a hand-over waits, once, for the record of the message a viewer
#: just got from nchan (nchan sends it before its publisher records it).
PENDING_WAIT = 0.05
#: nchan's message ids: ``time:tag`` or, multiplexed, ``time:tag,[tag],-``.
_MESSAGE_ID = re.compile(
    r"^([0-9]{1,12}):((?:\[?-?[0-9]{0,5}\]?,){0,254}\[?-?[0-9]{0,5}\]?)$"
)


def channel_of(topic: Topic) -> str:
    """The nchan channel id of a topic: a hash of its key."""
    return hashlib.blake2b(topic.key.encode(), digest_size=12).hexdigest()


def is_message_id(text: str) -> bool:
    """Whether ``text`` looks like an nchan message id (never one of our
    tokens: those hold no ``:``)."""
    return ":" in text and _MESSAGE_ID.match(text) is not None


@dataclass
class _Message:
    topic: Topic
    #: The token a viewer holds after this message.
    token: str
    event: str
    payload: bytes
    #: The run of the channel it belongs to (see ``_Channel.generation``).
    generation: int


@dataclass
class _Channel:
    """A topic this process publishes (it holds the lease)."""

    topic: Topic
    id: str
    lease: Lock
    renewed: float
    #: Recorded messages: (token after it, nchan time, nchan tag), oldest first.
    entries: collections.deque[tuple[str, int, int]] = field(
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
    """Publishes this process's topics to nchan and hands viewers over.

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
        self._channels: dict[Topic, _Channel] = {}
        self._tried: dict[Topic, float] = {}
        self._queue: collections.deque[_Message] = collections.deque()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self._connection: http.client.HTTPConnection | None = None
        self._down_until = 0.0
        self._closed = False
        self.published = 0
        self.failed = 0
        self.handed = 0

    # -- the publisher's side (called by the feed) ------------------------------

    def hold(self, topic: Topic) -> bool:
        """Publish ``topic`` from this process if no other one does (take or
        renew its lease); whether this process publishes it."""
        now = self._clock()
        channel = self._channels.get(topic)
        if channel is None:
            if now < self._tried.get(topic, 0.0):
                return False
            self._tried[topic] = now + self.lease_ttl / 4
            ident = channel_of(topic)
            lease = self.store.lock(f"relay:{ident}", ttl=self.lease_ttl)
            if not lease.acquire(blocking=False):
                return False
            self._tried.pop(topic, None)
            self._channels[topic] = _Channel(topic, ident, lease, now, followed_at=now)
            return True
        if now - channel.renewed >= self.lease_ttl / 4:
            try:
                channel.lease.renew()
            except Exception:  # taken over: its new holder publishes
                self._forget(topic, release=False)
                return False
            channel.renewed = now
        return True

    def tick(self, topic: Topic, head: str) -> None:
        """Queue a ping at ``head`` when one is due (the first one starts the
        channel's run). Call with the topic's frames held still (its lock)."""
        channel = self._channels.get(topic)
        if channel is None or not head:
            return
        now = self._clock()
        if channel.started and now - channel.last_queued < self.heartbeat / 2:
            return
        channel.started = True
        self._put(channel, _Message(topic, head, "ping", self._ping, 0), now)

    def frame(self, topic: Topic, update: Update) -> None:
        """Queue the feed's next frame of ``topic`` (in order: call with the
        topic's frames held still)."""
        channel = self._channels.get(topic)
        if channel is not None and channel.started:
            event = EVENT_NAMES.get(update.type, update.type)
            message = _Message(topic, update.token, event, update.payload, 0)
            self._put(channel, message, self._clock())

    def followed(self, topic: Topic) -> bool:
        """Whether nchan counted subscribers of ``topic`` lately."""
        channel = self._channels.get(topic)
        if channel is None:
            return False
        return channel.subscribers > 0 or self._clock() - channel.followed_at < LINGER

    def drop(self, topic: Topic) -> None:
        """Stop publishing ``topic`` (nobody follows it any more)."""
        self._tried.pop(topic, None)
        if topic in self._channels:
            self._forget(topic, release=True)

    def close(self) -> None:
        """Stop publishing, give the leases back."""
        with self._ready:
            self._closed = True
            self._queue.clear()
            self._ready.notify_all()
        for topic in list(self._channels):
            self._forget(topic, release=True)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(TIMEOUT + 1)

    def stats(self) -> dict[str, int]:
        """What the relay does, for ``/api/stats``."""
        return {
            "published_topics": len(self._channels),
            "queued": len(self._queue),
            "published": self.published,
            "failed": self.failed,
            "handed_over": self.handed,
        }

    # -- the viewer's side (called by the API) ---------------------------------

    def handoff(self, topics: t.Sequence[Topic], tokens: t.Sequence[str]) -> str | None:
        """Hand a viewer at ``tokens`` over: :meth:`position`, counted. A
        viewer at the message being published (nchan sent it, its record is
        not written yet) is looked at again after ``PENDING_WAIT``."""
        target, pending = self._place(topics, tokens)
        if target is None and pending:
            self._sleep(PENDING_WAIT)
            target, _ = self._place(topics, tokens)
        if target is not None:
            self.handed += 1
        return target

    def position(
        self, topics: t.Sequence[Topic], tokens: t.Sequence[str]
    ) -> str | None:
        """Where nchan takes a viewer at ``tokens`` over: ``CHANNELS?start=ID``
        (channel ids comma-joined, the message id to start after), or
        ``None`` when it cannot take it over exactly (the app serves it).

        The records of every topic are read at one instant. nchan's id of a
        multiplexed position has one time ``T`` and a tag per channel: a
        channel's own ``T:tag``, or ``-`` for "everything before second T".
        So with ``T`` the latest time among the viewer's messages, a channel
        whose message is older is expressible only if its next message (the
        next record, or any message published after the read) comes at ``T``
        or later. While a message is being published (``pending``) it may
        already be in nchan, unrecorded: only the channel's own ``T:tag``
        holds then.
        """
        return self._place(topics, tokens)[0]

    def _place(
        self, topics: t.Sequence[Topic], tokens: t.Sequence[str]
    ) -> tuple[str | None, bool]:
        """:meth:`position`, and whether a viewer's token is that of a
        message being published."""
        if not topics or any(not token for token in tokens):
            return None, False
        records = self.store.get_blobs([_record_key(topic) for topic in topics])
        oldest = self._wall() - MAX_AGE
        places: list[tuple[int, int, int | None]] = []
        for record, token in zip(records, tokens, strict=True):
            if record is None:
                return None, False
            found = loads(record)
            entries = found["entries"]
            index = _last_index(entries, token)
            if index is None:
                return None, found["pending"] == token
            if entries[index][1] < oldest:
                return None, False
            following = entries[index + 1] if index + 1 < len(entries) else None
            if following is not None:
                after: int | None = following[1]
            else:  # the last one: the next comes later, if not under way
                after = 0 if found["pending"] else None
            places.append((entries[index][1], entries[index][2], after))
        latest = max(time_ for time_, _, _ in places)
        tags = []
        for time_, tag, after in places:
            if time_ == latest:
                tags.append(str(tag))
            elif after is None or after >= latest:
                tags.append("-")
            else:  # a message of this channel lies before second `latest`
                return None, False
        tags[0] = f"[{tags[0]}]"
        channels = ",".join(channel_of(topic) for topic in topics)
        return f"{channels}?start={latest}:{','.join(tags)}", False

    def recorded(self, topics: t.Sequence[Topic]) -> list[list[str]]:
        """The tokens recorded for each topic, oldest first: positions nchan
        holds."""
        records = self.store.get_blobs([_record_key(topic) for topic in topics])
        return [
            []
            if record is None
            else [str(entry[0]) for entry in loads(record)["entries"]]
            for record in records
        ]

    def resolve(self, topics: t.Sequence[Topic], message_id: str) -> list[str]:
        """The tokens at nchan's message id ``message_id`` (a ``Last-Event-ID``
        from a stream nchan served), one per topic.

        :raises ValueError: when it names other channels, or positions no
            longer recorded.
        """
        found = _MESSAGE_ID.match(message_id)
        if found is None:
            raise ValueError(f"Malformed nchan message id {message_id[:80]!r}.")
        latest = int(found.group(1))
        tags = found.group(2).replace("[", "").replace("]", "").split(",")
        if len(tags) != len(topics):
            raise ValueError(
                f"The Last-Event-ID {message_id[:80]!r} has {len(tags)} positions"
                f" for {len(topics)} charts."
            )
        records = self.store.get_blobs([_record_key(topic) for topic in topics])
        tokens = []
        for record, tag in zip(records, tags, strict=True):
            entries = [] if record is None else loads(record)["entries"]
            token = _token_at(entries, latest, None if tag in ("-", "-1") else tag)
            if token is None:
                raise ValueError(
                    f"The Last-Event-ID {message_id[:80]!r} is too old: reconnect"
                    " with ?since= from the charts' documents."
                )
            tokens.append(token)
        return tokens

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
            channel = self._channels.get(message.topic)
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
        self._record(channel, pending=message.token)
        answer = self._post(channel.id, message.event, message.payload)
        time_, _, tag = str(answer["last_message_id"]).partition(":")
        count = int(answer["messages"])
        channel.published += 1
        if count < min(channel.published, NCHAN_BUFFER):
            # nchan lost messages (restarted, or they expired): start again
            # from this one.
            channel.entries.clear()
            channel.published = 1
        channel.entries.append((message.token, int(time_), int(tag)))
        channel.subscribers = int(answer["subscribers"])
        if channel.subscribers:
            channel.followed_at = self._clock()
        self._record(channel)
        self.published += 1

    def _record(self, channel: _Channel, pending: str = "") -> None:
        """Write the channel's record; ``pending``: the token after the message
        being published, if one is."""
        body = dumps({"entries": list(channel.entries), "pending": pending})
        self.store.set_blob(_record_key(channel.topic), body, ttl=self.record_ttl)

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

    def _forget(self, topic: Topic, release: bool) -> None:
        channel = self._channels.pop(topic, None)
        if channel is None:
            return
        if release:
            try:  # no record: nobody is handed over to a channel left alone
                self.store.set_blob(
                    _record_key(topic),
                    dumps({"entries": [], "pending": ""}),
                    ttl=self.record_ttl,
                )
            except Exception:
                pass
            channel.lease.release()


def _record_key(topic: Topic) -> str:
    return f"relay:{channel_of(topic)}"


def _last_index(entries: list[list[t.Any]], token: str) -> int | None:
    """The index of the last record of ``token``."""
    for index in range(len(entries) - 1, -1, -1):
        if entries[index][0] == token:
            return index
    return None


def _token_at(entries: list[list[t.Any]], latest: int, tag: str | None) -> str | None:
    """The token of the record at ``latest:tag``, or (``tag`` None) of the last
    record before second ``latest`` when it is known to be the last one."""
    if tag is not None:
        for token, time_, number in entries:
            if time_ == latest and str(number) == tag:
                return str(token)
        return None
    for index in range(len(entries) - 1, -1, -1):
        if entries[index][1] < latest:
            return str(entries[index][0])
    return None
