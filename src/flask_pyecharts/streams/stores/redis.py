"""RedisStore: streams shared by every process and host of a deployment.

Keys, under a prefix (``fpe:`` by default):

- ``epoch``: the epoch token. When Redis loses its data (a restart without
  persistence, ``FLUSHALL``) the key is gone; the next command that needs it
  sets a new token, and every reader with an old cursor gets a reset instead
  of a silent gap;
- ``run``: the ``run_id`` of the Redis server process that made the epoch.
  A server that restarted (it may have booted from an older snapshot: the
  data went back in time and the epoch key came back with it) or a replica
  that took over has another ``run_id``, and gets a new epoch: every reader
  resets;
- ``h:<chart>``: the chart's head, the last sequence number handed out;
- ``s:<chart>``: a Redis Stream whose entry ids are ``<seq>-1``, so a cursor's
  sequence number is its stream id; each entry holds the point as JSON bytes
  in the field ``p``. ``XADD ... MAXLEN ~ window`` trims it (keeping a little
  more than the window, never less);
- ``b:<key>``: blobs; ``l:<name>``: locks;
- ``w:<token>``: a stream of this store object's own, read with the charts'
  streams in ``XREAD BLOCK`` so that :meth:`RedisStore.interrupt` can end it.

Appends and reads are Lua scripts, so each one is atomic and one round trip.
Appends and :meth:`RedisStore.wait` compare the server's ``run_id`` (``INFO
server``, read inside the script: no extra round trip, about 5 µs of Redis
time) with ``run``. Reads need not: on data that went back, a cursor ahead of
the head resets anyway and one behind it reads points the server still has,
so the epoch only has to change before an append reuses a sequence number.
"""

from __future__ import annotations

import typing as t

from ..._json import dumps, loads
from ..cursors import Cursor, new_epoch
from .base import (
    ANY_STATE,
    DEFAULT_MAX_WINDOW,
    AnyState,
    Page,
    Point,
    Store,
    StoreError,
    _check_expect,
    _check_limit,
    _check_window,
    _conflict,
)

if t.TYPE_CHECKING:
    import redis

# The server's run_id, '' when its INFO hides it (only a lost epoch key is
# seen then). It changes with every start, and differs on a replica.
_RUN = """
local function server_run()
  local info = redis.pcall('INFO', 'server')
  if type(info) ~= 'string' then return '' end
  local at = string.find(info, 'run_id:', 1, true)
  if not at then return '' end
  return string.match(info, '^%w+', at + 7) or ''
end
"""

# KEYS[1] = epoch, KEYS[2] = the run_id it was made under; ARGV[1] = a new
# epoch, used if the epoch is missing (reads and writes).
_EPOCH = (
    _RUN
    + """
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
  redis.call('SET', KEYS[2], server_run())
end
"""
)

# The same, also used if this server has another run_id than the epoch's (it
# restarted, maybe from an older snapshot, or a replica took over): before an
# append reuses a sequence number, and in wait() so open streams learn of it.
_CHECKED_EPOCH = (
    _RUN
    + """
local run = server_run()
local epoch = redis.call('GET', KEYS[1])
if not epoch or redis.call('GET', KEYS[2]) ~= run then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
  redis.call('SET', KEYS[2], run)
end
"""
)

_ENSURE_EPOCH = _CHECKED_EPOCH + "return epoch\n"

# KEYS[3] = head counter, KEYS[4] = stream. A counter lost alone (evicted)
# restarts after the stream's last id, so XADD ids keep increasing.
_HEAD = """
local head = redis.call('GET', KEYS[3])
if head then
  head = tonumber(head)
else
  head = 0
  local last = redis.call('XREVRANGE', KEYS[4], '+', '-', 'COUNT', 1)
  if #last > 0 then
    head = tonumber(string.match(last[1][1], '^(%d+)'))
    redis.call('SET', KEYS[3], head)
  end
end
"""

_STATE = _EPOCH + _HEAD + "return {epoch, head}\n"

# KEYS[5] = optional state blob. ARGV: epoch, window, state, fence, expected,
# points... The fence ('': none; 'absent': no blob; 'equal': the blob holds
# ARGV[5]) is checked before anything is written. Returns {epoch, head,
# committed}: committed is 0, and nothing appended, when the fence failed.
_APPEND = (
    _CHECKED_EPOCH
    + _HEAD
    + """
if ARGV[4] ~= '' then
  local held = redis.call('GET', KEYS[5])
  if (ARGV[4] == 'absent' and held) or (ARGV[4] == 'equal' and held ~= ARGV[5]) then
    return {epoch, head, 0}
  end
end
local count = #ARGV - 5
if count > 0 then
  head = redis.call('INCRBY', KEYS[3], count)
  local first = head - count
  for i = 1, count - 1 do
    redis.call('XADD', KEYS[4], string.format('%d-1', first + i), 'p', ARGV[5 + i])
  end
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[2],
             string.format('%d-1', head), 'p', ARGV[5 + count])
end
if KEYS[5] then
  redis.call('SET', KEYS[5], ARGV[3])
end
return {epoch, head, 1}
"""
)

# ARGV: epoch, window, limit (-1: none), cursor epoch ('': none), cursor seq.
# Returns {epoch, head, reset, start, entries}: the entries after ``start``.
_SINCE = (
    _EPOCH
    + _HEAD
    + """
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local oldest = math.max(0, head - window)
local start = tonumber(ARGV[5])
local reset = 0
if ARGV[4] ~= epoch or start < oldest or start > head then
  reset = 1
  start = oldest
end
local function read()
  local count = head - start
  if limit >= 0 and limit < count then count = limit end
  if count <= 0 then return {} end
  return redis.call('XRANGE', KEYS[4], string.format('%d-0', start + 1), '+',
                    'COUNT', count)
end
local entries = read()
if reset == 0 and #entries > 0
    and tonumber(string.match(entries[1][1], '^(%d+)')) ~= start + 1 then
  -- points missing from the log (trimmed or evicted): never a silent gap
  reset = 1
  start = oldest
  entries = read()
end
return {epoch, head, reset, start, entries}
"""
)


#: Connections per process (a ``max_connections`` in the URL overrides it).
POOL_SIZE = 64
#: Seconds a caller waits for a free connection before a ``503``.
POOL_TIMEOUT = 10.0


class RedisStore(Store):
    """The store contract on Redis Streams (redis-py).

    :param url: a ``redis://``, ``rediss://`` or ``unix://`` URL; or pass
        ``client`` instead.
    :param client: a ready :class:`redis.Redis`, which must not decode
        responses (blobs are bytes).
    :param prefix: prepended to every key, to share one Redis between apps.
    :param max_window: the largest window :meth:`configure` accepts.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: redis.Redis | None = None,
        prefix: str = "fpe:",
        max_window: int = DEFAULT_MAX_WINDOW,
    ) -> None:
        try:
            import redis
        except ImportError:  # pragma: no cover - redis is a declared extra
            raise RuntimeError(
                "RedisStore needs redis-py: pip install 'Flask-PyEcharts[redis]'"
            ) from None
        self._errors = (redis.RedisError, OSError)
        #: The redis-py client.
        # A blocking pool: under gevent, thousands of viewers wait their turn
        # for a connection instead of failing past max_connections.
        self._owns_client = client is None
        self.redis = client or redis.Redis(
            connection_pool=redis.BlockingConnectionPool.from_url(
                url or "redis://127.0.0.1:6379/0",
                max_connections=POOL_SIZE,
                timeout=POOL_TIMEOUT,
                health_check_interval=30,
            )
        )
        #: Prepended to every key.
        self.prefix = prefix
        #: The largest window :meth:`configure` accepts.
        self.max_window = max_window
        self._windows: dict[str, int] = {}
        self._wait_epoch: str | None = None
        self._wake_key = self._key("w", new_epoch())
        self._wake_id = "0-0"
        self._state = self.redis.register_script(_STATE)
        self._append = self.redis.register_script(_APPEND)
        self._since = self.redis.register_script(_SINCE)
        self._ensure_epoch = self.redis.register_script(_ENSURE_EPOCH)

    @property
    def epoch(self) -> str:
        with self._failures():
            value = self._ensure_epoch(keys=self._epoch_keys(), args=[new_epoch()])
        return _text(value)

    def configure(self, chart: str, window: int) -> None:
        _check_window(chart, window, self.max_window)
        self._windows[chart] = window

    def append(
        self,
        chart: str,
        points: t.Sequence[Point],
        state: tuple[str, bytes] | None = None,
        expect: bytes | None | AnyState = ANY_STATE,
    ) -> str:
        _check_expect(state, expect)
        window = self._window(chart)
        if not points and state is None:
            return self.head(chart)
        values = [dumps([series, value]) for series, value in points]
        keys = self._keys(chart)
        if state is not None:
            keys.append(self._key("b", state[0]))
        if expect is ANY_STATE:
            fence, expected = "", b""
        else:
            fence, expected = ("absent", b"") if expect is None else ("equal", expect)
        with self._failures():
            epoch, head, committed = self._append(
                keys=keys,
                args=[
                    new_epoch(),
                    window,
                    state[1] if state else b"",
                    fence,
                    expected,
                    *values,
                ],
            )
        if not committed:
            raise _conflict(chart, state[0] if state else "")
        return Cursor(_text(epoch), int(head)).encode()

    def since(self, chart: str, cursor: str | None, limit: int | None = None) -> Page:
        position = Cursor.decode(cursor) if cursor else Cursor("", 0)
        _check_limit(limit)
        window = self._window(chart)
        with self._failures():
            epoch, _, reset, start, entries = self._since(
                keys=self._keys(chart),
                args=[
                    new_epoch(),
                    window,
                    -1 if limit is None else limit,
                    position.epoch,
                    position.seq,
                ],
            )
        points: list[Point] = []
        last = int(start)
        for entry_id, fields in entries:
            series, value = loads(fields[1])  # fields: [b"p", value]
            points.append((series, value))
            last = _seq(entry_id)
        return Page(Cursor(_text(epoch), last).encode(), points, bool(reset))

    def head(self, chart: str) -> str:
        self._window(chart)
        epoch, head = self._read_state(chart)
        if self._wait_epoch is None:
            # The hub follows from this head: a reset before its first wait
            # must still wake everyone.
            self._wait_epoch = epoch
        return Cursor(epoch, head).encode()

    def wait(self, positions: t.Mapping[str, int], timeout: float) -> dict[str, int]:
        charts = [chart for chart in positions if chart in self._windows]
        with self._failures():
            epoch = _text(
                self._ensure_epoch(keys=self._epoch_keys(), args=[new_epoch()])
            )
            if self._wait_epoch is not None and epoch != self._wait_epoch:
                # the store lost its data, or went back to an older snapshot,
                # since the last wait: every reader resets
                self._wait_epoch = epoch
                moved = charts
            else:
                self._wait_epoch = epoch  # before XREAD, which a restart breaks
                moved = self._xread(positions, charts, timeout)
            if not moved:
                return {}
            heads = self.redis.mget([self._key("h", chart) for chart in moved])
        return {chart: int(head or 0) for chart, head in zip(moved, heads, strict=True)}

    def interrupt(self) -> None:
        with self._failures():
            pipe = self.redis.pipeline(transaction=False)
            pipe.xadd(self._wake_key, {"w": b"1"}, maxlen=1, approximate=False)
            pipe.pexpire(self._wake_key, 60_000)
            pipe.execute()

    def _xread(
        self, positions: t.Mapping[str, int], charts: list[str], timeout: float
    ) -> list[str]:
        """One ``XREAD BLOCK`` over the charts' streams and the wake stream."""
        streams: dict[t.Any, t.Any] = {
            self._key("s", chart): f"{positions[chart]}-1" for chart in charts
        }
        streams[self._wake_key] = self._wake_id
        block = max(1, int(timeout * 1000))
        found: t.Any = self.redis.xread(streams, count=1, block=block) or ()
        pairs = found.items() if isinstance(found, dict) else found
        prefix = len(self._key("s", ""))
        moved = []
        for key, entries in pairs:
            name = _text(key)
            if name == self._wake_key:
                self._wake_id = _text(entries[-1][0])
            else:
                moved.append(name[prefix:])
        return moved

    def get_blob(self, key: str) -> bytes | None:
        with self._failures():
            return t.cast("bytes | None", self.redis.get(self._key("b", key)))

    def get_blobs(self, keys: t.Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        with self._failures():  # MGET: one command, one instant
            found = self.redis.mget([self._key("b", key) for key in keys])
        return t.cast("list[bytes | None]", list(found))

    def set_blob(self, key: str, value: bytes, ttl: float | None = None) -> None:
        px = None if ttl is None else max(1, int(ttl * 1000))
        with self._failures():
            self.redis.set(self._key("b", key), value, px=px)

    def lock(self, name: str, ttl: float) -> _RedisLock:
        return _RedisLock(self, self._key("l", name), ttl)

    def close(self) -> None:
        """Release the connections: a client passed in stays its owner's."""
        if self._owns_client:
            # Redis.close() leaves a pool it was given open: disconnect it.
            self.redis.close()
            self.redis.connection_pool.disconnect()

    def _read_state(self, chart: str) -> tuple[str, int]:
        with self._failures():
            epoch, head = self._state(keys=self._keys(chart), args=[new_epoch()])
        return _text(epoch), int(head)

    def _window(self, chart: str) -> int:
        window = self._windows.get(chart)
        if window is None:
            raise KeyError(f"No stream named {chart!r}; declare it with configure().")
        return window

    def _epoch_keys(self) -> list[str]:
        return [self._key("epoch"), self._key("run")]

    def _keys(self, chart: str) -> list[str]:
        return [*self._epoch_keys(), self._key("h", chart), self._key("s", chart)]

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def _failures(self) -> _Translate:
        return _Translate(self._errors)


class _Translate:
    """Turn Redis connection errors into :class:`StoreError` (answered as 503)."""

    def __init__(self, errors: tuple[type[BaseException], ...]) -> None:
        self.errors = errors

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: t.Any, error: BaseException | None, tb: t.Any) -> None:
        if error is not None and isinstance(error, self.errors):
            raise StoreError(f"The Redis store is unavailable: {error}") from error


class _RedisLock:
    """redis-py's lock with expiry; renewing keeps it, a dead holder loses it."""

    def __init__(self, store: RedisStore, key: str, ttl: float) -> None:
        self._lock = store.redis.lock(key, timeout=ttl, thread_local=False)
        self._ttl = ttl
        self._errors = store._errors

    def acquire(self, blocking: bool = False) -> bool:
        try:
            return bool(self._lock.acquire(blocking=blocking))
        except self._errors:
            return False

    def renew(self) -> None:
        """Push the expiry back; raises when the lock was lost."""
        self._lock.extend(self._ttl, replace_ttl=True)

    def release(self) -> None:
        try:
            self._lock.release()
        except Exception:  # not held, expired or taken over: nothing to release
            pass

    def __enter__(self) -> _RedisLock:
        self.acquire(blocking=True)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _seq(entry_id: bytes | str) -> int:
    return int(_text(entry_id).partition("-")[0])
