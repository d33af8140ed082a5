"""The feed: in each process, every change of a topic is encoded once and
shared by every viewer of that topic.

A *topic* is what viewers follow: a stream chart, or a full chart with one
value of its variables. For each topic followed in this process the feed
keeps its *head* (a stream's cursor, a full chart's option ETag, or an error
token) and a short ring of *frames*: the update from each recent head to the
next, encoded once (payload and event fields). A viewer at a head in the ring
takes the frames from there: its work is to concatenate shared bytes. A
viewer elsewhere (resuming, slow, new) is served from the store or the option
cache, bounded by the head, then joins the shared frames.

One thread per process (a greenlet under gevent) turns changes into frames:
appends arrive through the hub, rebuilds from the option caches. It publishes
at most ``max_fps`` times a second, so a viewer is woken, and writes, at most
that often, with everything that changed in between in one write. The same
thread rebuilds the full charts that someone follows when they fall due.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import math
import threading
import time
import typing as t

from .._json import dumps, loads
from ..registry import Topic
from ..streams.cursors import Cursor
from ..streams.stores import StoreError
from ..wire.documents import (
    Update,
    error_update,
    option_update,
    patch_update,
    points_update,
)
from ..wire.patches import option_patch, patch_functions
from ..wire.sse import encode_end
from .option_cache import BuildError
from .relay import GROUPS, group_of

if t.TYPE_CHECKING:
    from ..options import OptionDocument
    from ..registry import ChartSpec
    from ..streams.hub import Hub, Subscription
    from ..streams.stores import Store
    from .option_cache import OptionCache
    from .relay import Group, Relay

__all__ = ["Feed", "Viewer", "next_publication"]

logger = logging.getLogger("flask_pyecharts")

#: The frames kept per topic; a viewer further behind reads the store.
RING = 64
#: Seconds a topic nobody follows stays (for pollers) before it is dropped.
IDLE = 30.0
#: Fallback reads kept per topic head (viewers at one position share one).
MEMO = 32
#: The most event-stream writes a second one process aims at (about a third of
#: a core under gevent): past it, publications come less often than max_fps.
WRITES_PER_SECOND = 10_000
#: Seconds from the end of the slowest rebuild to the publication that sends
#: it (see :attr:`Feed.lead`); alone, the time a cheap builder needs.
REBUILD_LEAD = 0.05


class _State:
    """What the feed keeps for one topic."""

    def __init__(self, topic: Topic, spec: ChartSpec, cache: OptionCache | None):
        self.topic = topic
        self.spec = spec
        self.stream = spec.kind == "stream"
        #: The full chart's option cache (``None`` for streams).
        self.cache = cache
        #: The token of the latest change turned into a frame.
        self.head = ""
        #: head -> the update from it to the next head, oldest first.
        self.frames: collections.OrderedDict[str, Update] = collections.OrderedDict()
        #: The bytes of ``frames`` (payloads and event fields).
        self.frame_bytes = 0
        #: Full charts: the option at ``head``, and the update that sends it
        #: whole (or the error) to a viewer that holds anything else.
        self.document: OptionDocument | None = None
        self.whole: Update | None = None
        #: Fallback reads at this head: (token, limit) -> update.
        self.memo: dict[tuple[str, int | None, bool], Update | None] = {}
        #: The groups of viewers that follow this topic.
        self.groups: set[_Group] = set()
        self.last_seen = 0.0
        #: Full charts: seconds its latest scheduled rebuild took.
        self.build_seconds = 0.0
        #: How many frames were added, and how many its viewers were told of.
        self.version = 0
        self.notified = 0
        self.building = False
        self.lock = threading.Lock()
        #: Whether a group this process publishes to nchan holds the topic.
        self.relayed = False

    def advance(self, update: Update) -> None:
        """Add the frame from the current head to ``update.token``."""
        with self.lock:
            replaced = self.frames.get(self.head)
            if replaced is not None:
                self.frame_bytes -= _size(replaced)
            self.frames[self.head] = update
            self.frames.move_to_end(self.head)
            self.frame_bytes += _size(update)
            while len(self.frames) > RING:
                self.frame_bytes -= _size(self.frames.popitem(last=False)[1])
            self.head = update.token
            self.memo = {}
            self.version += 1

    def drop_frames(self) -> int:
        """Forget the frames (viewers behind the head read the store or the
        option cache instead); the bytes freed."""
        with self.lock:
            freed, self.frame_bytes = self.frame_bytes, 0
            self.frames = collections.OrderedDict()
        return freed


def _size(update: Update) -> int:
    """The bytes a frame holds: its payload, and its event fields (as many
    again, once a viewer has asked for them)."""
    return 2 * len(update.payload)


class _Group:
    """The event streams that follow the same topics, woken together: one
    wake-up per publication for all of them, whatever their number.

    Between two publications, viewers at the same tokens get the same bytes:
    the first one makes them, the others take them (``turn``'s memo).
    """

    def __init__(self, states: tuple[_State, ...]) -> None:
        self.states = states
        self.viewers = 0
        #: The wake-up of the next publication, and the memo of this turn.
        self.turn: tuple[threading.Event, dict[tuple[str, ...], _Catch]] = (
            threading.Event(),
            {},
        )

    def wake(self) -> None:
        event = self.turn[0]
        self.turn = (threading.Event(), {})
        event.set()


#: What a viewer at some tokens gets: the bytes to write, the tokens after.
_Catch = tuple[bytes | None, tuple[str, ...]]


class _Relayed:
    """A group of topics (in the relay's order) that this process publishes
    to nchan as one channel, or would if no other process did."""

    def __init__(self, group: Group) -> None:
        self.group = group
        #: Whether this process holds the group's lease and publishes it.
        self.held = False
        #: The tokens after the last message queued (in the group's order):
        #: the next message starts there.
        self.tokens: list[str] = []
        #: When this process last had event streams of the group.
        self.streamed_at = -math.inf


class Viewer:
    """One event stream's place in the feed: its topics and their tokens."""

    def __init__(self, group: _Group, tokens: list[str], limit: int | None):
        self.group = group
        self.states = group.states
        #: The viewer's token per topic, aligned with ``states``.
        self.tokens = tokens
        #: Points per read, when the viewer asked for fewer than a window.
        self.limit = limit
        self.closed = False
        #: The wake-up that follows the viewer's last look at the feed.
        self.ticket = group.turn[0]

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the next publication touching the viewer's topics, or
        the feed's periodic wake-up (see ``Feed.wake_every``)."""
        return self.ticket.wait(timeout)

    @property
    def since(self) -> str:
        """The viewer's tokens as ``since`` or ``Last-Event-ID`` carry them."""
        return ",".join(self.tokens)


class Feed:
    """Changes of this process's topics, encoded once, for every viewer.

    :param store: where the streams' points are.
    :param hub: wakes the feed when a stream moves.
    :param spec_of: the chart spec of a topic.
    :param cache_of: the option cache of a full chart's topic.
    :param scripts_of: the script URLs a document needs.
    :param max_fps: the most publications (and writes per viewer) a second.
    :param max_idle: the most topics kept that nobody follows (polled lately);
        beyond it the least recently seen are dropped at once.
    :param max_bytes: the most bytes of frames kept over all topics; beyond
        it, at the periodic wake-up, the frames of the least recently seen
        topics are dropped (their viewers then read the store); ``None``: no
        limit but the ring's length.
    :param tidy: called at each periodic wake-up too (the option caches
        trim themselves to their budget then).
    :param wake_every: seconds between two wake-ups of every event stream,
        changes or not (heartbeats and time-outs are checked then), which are
        also the feed's looks for idle topics.
    :param clock: monotonic seconds, the clock of the option caches.
    :param wall_clock: seconds of the wall clock, on whose grid processes
        publish (see :func:`next_publication`).
    :param relay: publishes to nchan the groups of topics (the charts one
        event stream follows) this process publishes (one process per group):
        a message per publication with the frames of the group's topics, as
        one of the process's own event streams would get them in one write;
        nchan then serves their viewers.
    """

    def __init__(
        self,
        *,
        store: Store,
        hub: Hub,
        spec_of: t.Callable[[Topic], ChartSpec],
        cache_of: t.Callable[[Topic], OptionCache],
        scripts_of: t.Callable[[OptionDocument], list[str]],
        max_fps: float,
        max_idle: int = 1000,
        max_bytes: int | None = None,
        tidy: t.Callable[[], None] | None = None,
        wake_every: float = 1.0,
        clock: t.Callable[[], float] = time.monotonic,
        wall_clock: t.Callable[[], float] = time.time,
        relay: Relay | None = None,
    ) -> None:
        self.store = store
        self.relay = relay
        self.hub = hub
        self._spec_of = spec_of
        self._cache_of = cache_of
        self._scripts_of = scripts_of
        self._interval = 1.0 / max_fps
        self._max_idle = max_idle
        self._max_bytes = max_bytes
        self._tidy = tidy
        self._viewers = 0
        self._clock = clock
        self._wall = wall_clock
        self._states: dict[Topic, _State] = {}
        self._groups: dict[tuple[Topic, ...], _Group] = {}
        #: The groups published to nchan (or to be, when no process does).
        self._relayed: dict[Group, _Relayed] = {}
        self.wake_every = wake_every
        self._next_wake_all = 0.0
        self._lock = threading.Lock()
        self._dirty: set[_State] = set()
        self._dirty_lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None
        self._subscription: Subscription | None = None
        self._followed: frozenset[str] = frozenset()
        self._next_publish = 0.0

    # -- viewers ------------------------------------------------------------

    def watch(
        self, topics: t.Sequence[Topic], tokens: t.Sequence[str], limit: int | None
    ) -> Viewer:
        """Follow ``topics`` for an event stream at ``tokens``; release it with
        :meth:`release`. The caller sends :meth:`catch_up` first."""
        states = tuple(self._state(topic) for topic in topics)
        with self._lock:
            group = self._groups.get(tuple(topics))
            if group is None:
                group = self._groups[tuple(topics)] = _Group(states)
                for state in states:
                    state.groups.add(group)
            group.viewers += 1
            self._viewers += 1
        viewer = Viewer(group, list(tokens), limit)
        for state in states:  # a topic only polled so far has no frames yet
            if state.stream:
                self._mark(state)
        self._follow_streams()
        self._start()
        self._wake.set()  # full charts may need a rebuild schedule
        return viewer

    def release(self, viewer: Viewer) -> None:
        """The event stream ended."""
        if viewer.closed:
            return
        viewer.closed = True
        now = self._clock()
        with self._lock:
            group = viewer.group
            group.viewers -= 1
            self._viewers -= 1
            for state in group.states:
                state.last_seen = now
            if not group.viewers:
                self._groups.pop(tuple(s.topic for s in group.states), None)
                for state in group.states:
                    state.groups.discard(group)

    def catch_up(self, viewer: Viewer) -> bytes | None:
        """Every update the viewer misses, as events with their ids; ``None``
        when it is up to date.

        :raises ValueError: for a malformed cursor.
        """
        # First the ticket: a publication from now on wakes the viewer again.
        viewer.ticket, memo = viewer.group.turn
        key = tuple(viewer.tokens)
        if viewer.limit is None and key in memo:
            chunk, after = memo[key]
            viewer.tokens = list(after)
            return chunk
        events: list[bytes] = []
        for index, state in enumerate(viewer.states):
            updates, viewer.tokens[index] = self._advance(
                state, viewer.tokens[index], viewer.limit, merged=False
            )
            events.extend(update.event for update in updates)
        # The shared events, then the viewer's id on the last one.
        chunk = b"\n".join(events) + encode_end(viewer.since) if events else None
        if viewer.limit is None and len(memo) < MEMO:
            memo[key] = (chunk, tuple(viewer.tokens))
        return chunk

    def align(self, viewer: Viewer) -> tuple[bytes | None, bool]:
        """Bring a viewer to a position nchan holds (the process that
        publishes its group makes its messages end elsewhere than this one's
        frames), so that it is handed over when it reconnects: the updates to
        send (or ``None``), and whether nchan takes it over exactly now. For
        the end of an event stream served here.

        The position is the newest one recorded for the viewer's group that
        the viewer reaches going forward: for each stream, points read from
        the store up to the recorded cursor; for each full chart, nothing
        (the same option) or the option of the recorded ETag, if it is this
        process's latest.
        """
        relay = self.relay
        if relay is None:
            return None, True
        topics = [state.topic for state in viewer.states]
        for target in reversed(relay.recorded(topics)):
            if not self._reaches(viewer, target):
                continue
            updates = self._to(viewer, target)
            if updates is None:
                continue
            viewer.tokens = list(target)
            events = [update.event for update in updates]
            chunk = b"\n".join(events) + encode_end(viewer.since) if events else None
            try:
                aligned = relay.position(topics, target) is not None
            except StoreError:  # the chunk is owed all the same
                aligned = False
            return chunk, aligned
        return None, False

    def _reaches(self, viewer: Viewer, target: t.Sequence[str]) -> bool:
        """Whether ``target`` (tokens aligned with the viewer's) lies ahead of
        the viewer, or at it, for every one of its topics."""
        steps = zip(viewer.states, viewer.tokens, target, strict=True)
        for state, token, goal in steps:
            if token == goal:
                continue
            if not token or not goal:
                return False
            if state.stream:
                here, there = Cursor.decode(token), Cursor.decode(goal)
                if here.epoch != there.epoch or there.seq < here.seq:
                    return False
            elif state.whole is None or state.whole.token != goal:
                return False
        return True

    def _to(self, viewer: Viewer, target: t.Sequence[str]) -> list[Update] | None:
        """The updates from the viewer's tokens to ``target`` (which it
        reaches), or ``None`` if the store no longer gives exactly them."""
        updates = []
        steps = zip(viewer.states, viewer.tokens, target, strict=True)
        for state, token, goal in steps:
            if token == goal:
                continue
            if state.stream:
                gap = Cursor.decode(goal).seq - Cursor.decode(token).seq
                page = self.store.since(state.topic.chart, token, gap)
                update = points_update(state.topic.chart, page, token)
            else:
                update = state.whole
            if update is None or update.token != goal:
                return None
            updates.append(update)
        return updates

    def updates(
        self, topics: t.Sequence[Topic], tokens: t.Sequence[str], limit: int | None
    ) -> tuple[list[Update], list[str]]:
        """What pollers at ``tokens`` miss: one update per topic at most, and
        the new tokens.

        :raises ValueError: for a malformed cursor.
        """
        found: list[Update] = []
        after = list(tokens)
        now = self._clock()
        known = len(self._states)
        for index, topic in enumerate(topics):
            state = self._state(topic)
            state.last_seen = now
            if state.cache is not None:
                self._refresh(state)
            updates, after[index] = self._advance(state, tokens[index], limit, True)
            found.extend(updates)
        if len(self._states) != known:  # new topics: follow them
            self._follow_streams()
            self._start()
        return found, after

    def next_poll(self, topics: t.Sequence[Topic]) -> float | None:
        """Seconds until the next rebuild of one of the full charts of ``topics``
        is due (0 when one is due now), or ``None`` when none will be."""
        dues = []
        for topic in topics:
            state = self._states.get(topic)
            due = state.cache.next_due() if state and state.cache else None
            if due is not None:
                dues.append(due)
        return max(0.0, min(dues) - self._clock()) if dues else None

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Stop the feed's thread and end every event stream."""
        self._closed = True
        self._wake.set()
        with self._lock:
            subscription, self._subscription = self._subscription, None
        self._wake_all()
        if subscription is not None:
            subscription.close()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(2.0)

    # -- topics -------------------------------------------------------------

    def topics(self) -> list[str]:
        """The keys of the topics this process keeps (followed or polled lately)."""
        return [topic.key for topic in list(self._states)]

    def poke(self) -> None:
        """Have the feed's thread look at its clock now (schedules, idle topics)."""
        self._wake.set()

    def _state(self, topic: Topic) -> _State:
        state = self._states.get(topic)
        if state is not None:
            return state
        spec = self._spec_of(topic)
        cache = None if spec.kind == "stream" else self._cache_of(topic)
        fresh = _State(topic, spec, cache)
        fresh.last_seen = self._clock()
        if fresh.stream:
            fresh.head = self.store.head(topic.chart)
        with self._lock:
            state = self._states.setdefault(topic, fresh)
            if state is fresh:
                self._bound_idle()
        if state is fresh and cache is not None:
            self._sync(state)
        return state

    def _bound_idle(self) -> None:
        """Drop the least recently seen topics nobody follows beyond
        ``max_idle`` (under ``self._lock``): many variants polled once each
        cannot fill the memory."""
        idle = [
            state
            for state in self._states.values()
            if not state.groups and not state.relayed
        ]
        if len(idle) <= self._max_idle:
            return
        idle.sort(key=lambda state: state.last_seen)
        for state in idle[: len(idle) - self._max_idle]:
            del self._states[state.topic]

    def _follow_streams(self) -> None:
        """Have the hub wake us for every stream topic we keep."""
        charts = frozenset(s.topic.chart for s in self._states.values() if s.stream)
        if charts == self._followed or self._closed:
            return
        with self._lock:
            if charts == self._followed:
                return
            old, self._followed = self._subscription, charts
            self._subscription = self.hub.subscribe(charts, notify=self._moved)
        if old is not None:
            old.close()

    def _moved(self, charts: t.Collection[str]) -> None:
        """The hub saw these stream charts move (in the hub's reader, or in
        the thread that appended to a MemoryStore)."""
        for chart in charts:
            self._changed(self._states.get(Topic(chart)))

    def changed(self, topic: Topic) -> None:
        """A full chart's option cache has a new outcome (any thread)."""
        self._changed(self._states.get(topic))

    def _changed(self, state: _State | None) -> None:
        """Frames are made for event streams; pollers read for themselves, so
        for a topic only polled, forgetting the reads made so far is enough."""
        if state is None:
            return
        if state.groups or state.relayed:
            self._mark(state)
        else:
            state.memo = {}

    def _mark(self, state: _State | None) -> None:
        """Have the next publication look at ``state``. Only the first change
        after a publication wakes the feed's thread: it then sleeps until the
        publication is due, however many changes come meanwhile."""
        if state is not None:
            with self._dirty_lock:
                first = not self._dirty
                self._dirty.add(state)
            if first:
                self._wake.set()

    # -- the way from a token to the head -------------------------------------

    def _advance(
        self, state: _State, token: str, limit: int | None, merged: bool
    ) -> tuple[list[Update], str]:
        """The updates from ``token`` to the head, and the token after them.

        For event streams, the shared frames while the token is in the ring,
        then one read bounded by the head (so the viewer joins the frames).
        For pollers (``merged``), one update: a stream's points up to the
        store's own head, read once for every poller at the same token.
        """
        if not state.head and state.cache is not None:
            self._refresh(state)  # never built yet
        head = state.head
        updates: list[Update] = []
        if not merged and limit is None:
            while token != head:
                frame = state.frames.get(token)
                if frame is None:
                    break
                updates.append(frame)
                token = frame.token
        if token == head and not (merged and state.stream):
            return updates, token
        update = self._read(state, token, None if merged else head, limit)
        if update is not None:
            updates.append(update)
            token = update.token
        return updates, token

    def _read(
        self, state: _State, token: str, head: str | None, limit: int | None
    ) -> Update | None:
        """One update from ``token`` (to ``head`` at most, if given), shared by
        the readers at the same token until the head moves."""
        key = (token, limit, head is None)
        memo = state.memo
        if key in memo:
            return memo[key]
        current = state.head
        if state.stream:
            update = self._read_points(state, token, head, limit)
        else:
            update = state.whole
        if state.head == current and len(memo) < MEMO:
            memo[key] = update
        return update

    def _read_points(
        self, state: _State, token: str, head: str | None, limit: int | None
    ) -> Update | None:
        position = Cursor.decode(token) if token else None
        bound = limit
        if head is not None and position is not None:
            end = Cursor.decode(head)
            if position.epoch == end.epoch:
                if position.seq >= end.seq:  # ahead of the feed: wait for it
                    return None
                gap = end.seq - position.seq
                bound = gap if bound is None else min(bound, gap)
        page = self.store.since(state.topic.chart, token or None, bound)
        return points_update(state.topic.chart, page, token)

    # -- full charts ----------------------------------------------------------

    def _refresh(self, state: _State) -> None:
        """Rebuild a full chart if it is due (waiting for a build under way)."""
        assert state.cache is not None
        # The app's cache of the topic: the one this state holds may have been
        # dropped from the bounded caches since, and one topic has one cache.
        state.cache = self._cache_of(state.topic)
        try:
            state.cache.get()
        except BuildError:
            pass
        self._sync(state)

    def _sync(self, state: _State) -> None:
        """Make the cache's latest outcome the head, with its frame."""
        assert state.cache is not None
        entry = state.cache.entry
        if entry is None or entry.token == state.head:
            return
        with state.lock:
            if entry.token == state.head:
                return
            chart = state.topic.chart
            previous = state.document
            error = None if entry.error is None else str(entry.error)
            scripts: list[str] = []
            if entry.document is not None:
                try:
                    scripts = self._scripts_of(entry.document)
                except BuildError as unservable:  # a map that is not bundled...
                    error = str(unservable)
            if error is not None:
                token = entry.token if entry.error else _error_token(error)
                if token == state.head:
                    return
                failed = entry.error
                error_id = failed.error_id if failed is not None else None
                whole = frame = error_update(chart, error, token, error_id)
            else:
                document = entry.document
                assert document is not None
                whole = option_update(
                    chart,
                    document.etag,
                    document.body,
                    document.functions,
                    scripts,
                    document.theme,
                    document.composite,
                    document.js_functions,
                )
                # Patches go from one option to the next; after an error the
                # viewers' options are unknown, so they get the whole one.
                good = state.head and not state.head.startswith("!")
                frame = (_patch(chart, previous, document) if good else None) or whole
                state.document = document
            state.whole = whole
        if state.head:
            state.advance(frame)
        else:
            with state.lock:
                state.head = frame.token
                state.memo = {}

    # -- the feed's thread ------------------------------------------------------

    def _start(self) -> None:
        if self._thread is not None or self._closed:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="pyecharts-feed", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        failures = 0
        while not self._closed:
            self._wake.wait(self._sleep_time())
            self._wake.clear()
            if self._closed:
                break
            try:
                now = self._clock()
                self._schedule(now)
                if self._dirty and now >= self._next_publish:
                    self._publish()
                    self._next_publish = next_publication(
                        now, self._wall(), self._publish_interval(), self.lead
                    )
                if now >= self._next_wake_all:
                    self._wake_all()
                    self._tend_relay(now)
                    self._drop_idle(now)
                    self._bound_bytes()
                    if self._tidy is not None:
                        self._tidy()
                    self._next_wake_all = now + self.wake_every
            except Exception:
                failures += 1
                if failures == 1:
                    logger.exception("The feed failed; retrying")
                time.sleep(min(1.0, 0.05 * failures))
                continue
            if failures:
                logger.info("The feed works again")
                failures = 0

    def _publish_interval(self) -> float:
        """At most ``max_fps`` publications a second, and fewer when this
        process holds so many event streams that their writes would pass
        ``WRITES_PER_SECOND``: every stream writes once per publication."""
        return max(self._interval, self._viewers / WRITES_PER_SECOND)

    @property
    def lead(self) -> float:
        """Seconds from the instants option caches rebuild at to the
        publications: ``REBUILD_LEAD`` after the slowest latest rebuild of the
        full charts event streams follow, so that their new options go out
        together, in the first publication after they exist."""
        slowest = max(
            (s.build_seconds for s in list(self._states.values()) if s.groups),
            default=0.0,
        )
        return REBUILD_LEAD + slowest

    def _sleep_time(self) -> float:
        now = self._clock()
        wake = self._next_wake_all
        if self._dirty:
            wake = min(wake, self._next_publish)
        for state in list(self._states.values()):
            if (
                state.cache is not None
                and not state.building
                and self._wanted(state, now)
            ):
                due = state.cache.next_due()
                if due is not None:
                    wake = min(wake, due)
        return max(0.0, wake - now)

    def _wanted(self, state: _State, now: float) -> bool:
        """Whether someone follows the topic (or polled it lately)."""
        if state.groups or state.relayed:
            return True
        refresh = state.spec.refresh or 0.0
        return now - state.last_seen < max(IDLE, 3 * refresh)

    def _schedule(self, now: float) -> None:
        """Start the rebuilds that fell due, each in its own thread."""
        for state in list(self._states.values()):
            cache = state.cache
            if cache is None or state.building or not self._wanted(state, now):
                continue
            due = cache.next_due()
            if due is not None and due <= now:
                state.building = True
                threading.Thread(
                    target=self._rebuild,
                    args=(state,),
                    name=f"pyecharts-rebuild-{state.topic.chart}",
                    daemon=True,
                ).start()

    def _rebuild(self, state: _State) -> None:
        started = self._clock()
        try:
            self._refresh(state)
        except Exception:
            logger.exception("Chart %r: the rebuild failed", state.topic.key)
        finally:
            state.build_seconds = max(0.0, self._clock() - started)
            state.building = False
            self._mark(state)

    def _tend_relay(self, now: float) -> None:
        """Publish to nchan the groups followed here or there (as long as
        nchan counts subscribers of them, or shortly after their last event
        stream here), when no other process does (at most ``GROUPS``); a ping
        at the head of each when one is due."""
        relay = self.relay
        if relay is None or self._closed:
            return
        with self._lock:
            streamed = {group_of(key) for key in self._groups}
        for group in streamed:
            entry = self._relayed.get(group)
            if entry is None:
                if len(self._relayed) >= GROUPS:
                    continue
                entry = self._relayed[group] = _Relayed(group)
            entry.streamed_at = now
        relayed: set[Topic] = set()
        known = len(self._states)
        for group, entry in list(self._relayed.items()):
            wanted = (
                group in streamed
                or relay.followed(group)
                or now - entry.streamed_at < IDLE
            )
            if not (wanted and relay.hold(group)):
                if entry.held or not wanted:
                    entry.held = False
                    relay.drop(group)
                if not wanted:
                    del self._relayed[group]
                continue
            relayed.update(group)
            states = [self._state(topic) for topic in group]
            for state in states:
                state.relayed = True
            if not entry.held:  # a new run, from the heads
                heads = [state.head for state in states]
                if not all(heads):  # a full chart not built yet
                    continue
                entry.held = True
                entry.tokens = heads
                for state in states:
                    if state.stream:  # frames from its head (none if only polled)
                        self._mark(state)
            relay.tick(group, entry.tokens)
        for state in list(self._states.values()):
            state.relayed = state.topic in relayed
        if len(self._states) != known:  # topics back for a group: follow them
            self._follow_streams()

    def _relay_messages(self) -> None:
        """One message to nchan per group this process publishes that
        changed: the updates from the group's last message to the heads,
        as one of this process's event streams at those tokens gets them."""
        relay = self.relay
        if relay is None:
            return
        for group, entry in list(self._relayed.items()):
            if not entry.held:
                continue
            found = [self._states.get(topic) for topic in group]
            states = [state for state in found if state is not None]
            if len(states) != len(group) or all(
                state.head == token
                for state, token in zip(states, entry.tokens, strict=True)
            ):
                continue  # (a topic dropped meanwhile comes back at the next tend)
            payloads: list[bytes] = []
            tokens = list(entry.tokens)
            try:
                for index, state in enumerate(states):
                    updates, tokens[index] = self._advance(
                        state, tokens[index], None, merged=False
                    )
                    payloads.extend(update.payload for update in updates)
            except (StoreError, ValueError):  # a new run, when the store is back
                entry.held = False
                relay.drop(group)
                continue
            if payloads:
                relay.publish(group, payloads, tokens)
            entry.tokens = tokens

    def _publish(self) -> None:
        """Turn every pending change into a frame and wake its viewers."""
        with self._dirty_lock:
            dirty, self._dirty = self._dirty, set()
        woken: set[_Group] = set()
        for state in dirty:
            if state.stream:
                page = self.store.since(state.topic.chart, state.head or None)
                update = points_update(state.topic.chart, page, state.head)
                if update is not None:
                    state.advance(update)
            else:
                self._sync(state)
            if state.version != state.notified:  # frames also come from pollers
                state.notified = state.version
                woken.update(state.groups)
        for group in woken:
            group.wake()
        self._relay_messages()

    def _wake_all(self) -> None:
        """Wake every event stream (heartbeats, time-outs, closing)."""
        with self._lock:
            groups = list(self._groups.values())
        for group in groups:
            group.wake()

    def _bound_bytes(self) -> None:
        """Keep the frames within ``max_bytes``: those of topics nobody
        follows go first, then those of the least recently seen."""
        if self._max_bytes is None:
            return
        states = list(self._states.values())
        total = sum(state.frame_bytes for state in states)
        if total <= self._max_bytes:
            return
        states.sort(key=lambda state: (bool(state.groups), state.last_seen))
        for state in states:
            total -= state.drop_frames()
            if total <= self._max_bytes:
                break

    def stats(self) -> dict[str, t.Any]:
        """What the feed holds, for ``flask pyecharts stats``."""
        states = list(self._states.values())
        return {
            "topics": len(states),
            "followed": sum(1 for state in states if state.groups),
            "viewers": self._viewers,
            "frames": sum(len(state.frames) for state in states),
            "frame_bytes": sum(state.frame_bytes for state in states),
            "max_frame_bytes": self._max_bytes,
        }

    def _drop_idle(self, now: float) -> None:
        with self._lock:
            idle = [
                topic
                for topic, state in self._states.items()
                if not state.groups and not self._wanted(state, now)
            ]
            for topic in idle:
                del self._states[topic]
        if idle:
            self._follow_streams()


def next_publication(
    now: float, wall: float, interval: float, lead: float = REBUILD_LEAD
) -> float:
    """When to publish next, on the clock of ``now``, after a publication at
    ``now`` (``wall`` on the wall clock): ``interval`` apart, at least half an
    interval away.

    Publications fall on a grid of the wall clock, the same in every process,
    ``lead`` seconds (modulo the interval) after the grid on which option
    caches rebuild (:meth:`OptionCache._expiry
    <.option_cache.OptionCache._expiry>`): a full chart's new option goes out
    with the first publication after its rebuild ends, not up to an interval
    later.
    """
    phase = lead % interval
    tick = now + interval - (wall - phase) % interval
    return tick if tick - now >= interval / 2 else tick + interval


def _error_token(message: str) -> str:
    """The ``since`` token of an error the option cache does not know of."""
    return "!" + hashlib.blake2b(message.encode(), digest_size=6).hexdigest()


def _patch(
    chart: str, previous: OptionDocument | None, document: OptionDocument
) -> Update | None:
    """The patch from ``previous`` to ``document``, if merging can give it."""
    if (
        previous is None
        or previous.composite
        or document.composite
        or previous.functions != document.functions
        or previous.dependencies != document.dependencies
        or previous.theme != document.theme
        or previous.js_functions != document.js_functions
    ):
        return None
    patch = option_patch(loads(previous.body), loads(document.body))
    if patch is None:
        return None
    return patch_update(
        chart,
        previous.etag,
        document.etag,
        dumps(patch),
        patch_functions(patch, document.functions),
    )
