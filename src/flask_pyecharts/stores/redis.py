"""RedisStore: streams shared by every process and host of a deployment.

One Redis Stream per chart whose entry ids are ``<seq>-1``, so a cursor's
sequence number is the stream id; a counter key per chart hands out sequence
numbers atomically with the ``XADD`` (one Lua script). The epoch lives in a
key: when Redis loses its data the key is gone, a new epoch is made, and every
reader with an old cursor gets a reset instead of a silent gap.
"""

from __future__ import annotations

import time
import typing as t

import orjson

from ..cursors import Cursor, new_epoch
from . import Page, Point, Store, StoreError

if t.TYPE_CHECKING:
    import redis

_ENSURE_EPOCH = """
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  redis.call('SET', KEYS[1], ARGV[1])
  epoch = ARGV[1]
end
return epoch
"""

_STATE = (
    _ENSURE_EPOCH.replace("return epoch", "")
    + """
return {epoch, tonumber(redis.call('GET', KEYS[2]) or '0')}
"""
)

_APPEND = (
    _ENSURE_EPOCH.replace("return epoch", "")
    + """
local count = #ARGV - 3
local head = redis.call('INCRBY', KEYS[2], count)
local first = head - count
for i = 1, count do
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], (first + i) .. '-1',
             'p', ARGV[3 + i])
end
if KEYS[4] then
  redis.call('SET', KEYS[4], ARGV[3])
end
return {epoch, head}
"""
)


class RedisStore(Store):
    """The store contract on Redis Streams (redis-py).

    :param url: a ``redis://`` URL, or pass ``client`` instead.
    :param prefix: prepended to every key, to share one Redis between apps.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: redis.Redis | None = None,
        prefix: str = "fpe:",
        max_window: int = 100_000,
    ) -> None:
        try:
            import redis
        except ImportError:  # pragma: no cover - redis is a declared extra
            raise RuntimeError(
                "RedisStore needs redis-py: pip install 'Flask-PyEcharts[redis]'"
            ) from None
        self._errors = (redis.RedisError, OSError)
        self.redis = client or redis.Redis.from_url(
            url or "redis://127.0.0.1:6379/0", health_check_interval=30
        )
        self.prefix = prefix
        self.max_window = max_window
        self._windows: dict[str, int] = {}
        self._state = self.redis.register_script(_STATE)
        self._append = self.redis.register_script(_APPEND)
        self._ensure_epoch = self.redis.register_script(_ENSURE_EPOCH)

    @property
    def epoch(self) -> str:
        with self._failures():
            value = self._ensure_epoch(keys=[self._key("epoch")], args=[new_epoch()])
        return _text(value)

    def configure(self, chart: str, window: int) -> None:
        self._check_window(chart, window)
        self._windows[chart] = window

    def append(
        self,
        chart: str,
        points: t.Sequence[Point],
        state: tuple[str, bytes] | None = None,
    ) -> str:
        window = self._window(chart)
        if not points and state is None:
            return self.head(chart)
        values = [orjson.dumps([series, value]) for series, value in points]
        keys = self._keys(chart)
        if state is not None:
            keys.append(self._key("b", state[0]))
        with self._failures():
            epoch, head = self._append(
                keys=keys,
                args=[new_epoch(), window, state[1] if state else b"", *values],
            )
        return Cursor(_text(epoch), int(head)).encode()

    def since(self, chart: str, cursor: str | None, limit: int | None = None) -> Page:
        position = Cursor.decode(cursor) if cursor else None
        window = self._window(chart)
        epoch, head = self._read_state(chart)
        oldest = max(0, head - window)
        reset = (
            position is None
            or position.epoch != epoch
            or not oldest <= position.seq <= head
        )
        start = oldest if reset else t.cast(Cursor, position).seq
        count = head - start if limit is None else min(limit, head - start)
        points: list[Point] = []
        last = start
        if count > 0:
            with self._failures():
                entries = self.redis.xrange(
                    self._key("s", chart), f"{start + 1}-0", "+", count=count
                )
            first_seq = _seq(entries[0][0]) if entries else None
            if first_seq != start + 1:  # trimmed under us: never a silent gap
                return self.since(chart, None, limit)
            for entry_id, fields in entries:
                series, value = orjson.loads(fields[b"p"])
                points.append((series, value))
                last = _seq(entry_id)
        return Page(Cursor(epoch, last).encode(), points, reset)

    def head(self, chart: str) -> str:
        self._window(chart)
        epoch, head = self._read_state(chart)
        return Cursor(epoch, head).encode()

    def wait(self, positions: t.Mapping[str, int], timeout: float) -> dict[str, int]:
        if not positions:
            time.sleep(timeout)
            return {}
        streams = {
            self._key("s", chart): f"{seq}-1" for chart, seq in positions.items()
        }
        with self._failures():
            found = self.redis.xread(
                streams, count=1, block=max(1, int(timeout * 1000))
            )
            if not found:
                return {}
            charts = [_text(key)[len(self._key("s", "")) :] for key, _ in found]
            heads = self.redis.mget([self._key("h", chart) for chart in charts])
        return {
            chart: int(head or 0) for chart, head in zip(charts, heads, strict=True)
        }

    def get_blob(self, key: str) -> bytes | None:
        with self._failures():
            return t.cast("bytes | None", self.redis.get(self._key("b", key)))

    def set_blob(self, key: str, value: bytes, ttl: float | None = None) -> None:
        px = None if ttl is None else max(1, int(ttl * 1000))
        with self._failures():
            self.redis.set(self._key("b", key), value, px=px)

    def lock(self, name: str, ttl: float) -> _RedisLock:
        return _RedisLock(self, self._key("l", name), ttl)

    def close(self) -> None:
        self.redis.close()

    def _read_state(self, chart: str) -> tuple[str, int]:
        with self._failures():
            epoch, head = self._state(keys=self._keys(chart)[:2], args=[new_epoch()])
        return _text(epoch), int(head)

    def _window(self, chart: str) -> int:
        window = self._windows.get(chart)
        if window is None:
            raise KeyError(f"No stream named {chart!r}; declare it with configure().")
        return window

    def _keys(self, chart: str) -> list[str]:
        return [self._key("epoch"), self._key("h", chart), self._key("s", chart)]

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
        except Exception:  # already expired or taken over: nothing to release
            pass


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _seq(entry_id: bytes | str) -> int:
    return int(_text(entry_id).partition("-")[0])
