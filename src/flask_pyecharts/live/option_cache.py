"""Coalesced option building: at most one build per refresh interval.

However many viewers ask, a chart's builder runs once per interval; requests
that arrive during a build wait for that build instead of starting their own.
With a shared store (Redis) the interval is kept for the whole deployment: the
process holding the build lock builds and publishes the option, the others
read it. Builders run in a real thread (:mod:`.jobs`) with a time limit.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import logging
import secrets
import threading
import time
import typing as t
from dataclasses import dataclass

from .._json import dumps, loads
from ..options import OptionDocument, build_document
from .jobs import Job, start_job

if t.TYPE_CHECKING:
    from ..streams.stores import Store

__all__ = ["BuildError", "Entry", "OptionCache", "OptionCaches", "failure_lifetime"]

logger = logging.getLogger("flask_pyecharts")

#: How long a failed build is remembered when the chart has no refresh interval.
FAILED_BUILD_RETRY = 5.0
#: How often a waiting process looks for another one's build.
SHARED_BUILD_POLL = 0.05
#: How often (in looks) a waiting process tries to take the build lock over.
SHARED_BUILD_TAKEOVER = 5
#: How long a build lock outlives a builder that stopped renewing it (a dead
#: process): a live builder renews it every third of that while it builds, so
#: a dead one is replaced within about this long.
BUILD_LEASE = 3.0

Clock = t.Callable[[], float]


def failure_lifetime(refresh: float | None) -> float:
    """Seconds a failed build is remembered before it is tried again: what
    viewers of the failing chart should wait (``Retry-After``)."""
    return refresh or FAILED_BUILD_RETRY


class BuildError(RuntimeError):
    """A chart's builder raised; the message is safe to show to viewers.

    :param error_id: the id the server log shows with the traceback, when the
        message hides the exception (outside debug mode).
    """

    def __init__(self, chart: str, message: str, error_id: str | None = None) -> None:
        text = message if error_id is None else f"{message} (error id {error_id})."
        super().__init__(text)
        self.chart = chart
        #: The message without its id: the same for every failure alike.
        self.summary = message
        self.error_id = error_id


@dataclass(frozen=True)
class Entry:
    """The outcome of one build: a document or an error."""

    #: When its build started, on the cache's clock.
    built_at: float
    document: OptionDocument | None
    error: BuildError | None
    #: The same instant on the wall clock (which every process shares).
    wall_at: float = 0.0

    @property
    def token(self) -> str:
        """What identifies this outcome: the option's ETag, or the error."""
        if self.document is not None:
            return self.document.etag
        assert self.error is not None
        # Without the error id: a chart failing alike at each retry is not a
        # change that viewers are sent again.
        digest = hashlib.blake2b(self.error.summary.encode(), digest_size=6)
        return "!" + digest.hexdigest()


class OptionCache:
    """The latest option of one chart (or one variant of it), rebuilt when
    older than ``refresh``.

    :param key: what identifies it in logs and in the shared store.
    :param chart: the chart's name, for error messages.
    :param build: returns a pyecharts chart or an option dict.
    :param refresh: seconds an option stays fresh; ``None`` builds it once.
    :param shared: a store shared by the deployment's processes, if any.
    :param timeout: seconds a build may take.
    :param context: entered around each build (the app context).
    :param clock: monotonic seconds (injectable for tests).
    :param debug: whether viewers may see a builder's exception (the app's
        debug mode); otherwise they get an error id that the log shows.
    :param on_change: called with this cache after a build whose outcome
        differs from the previous one (another option, or an error).
    """

    def __init__(
        self,
        key: str,
        chart: str,
        build: t.Callable[[], t.Any],
        refresh: float | None,
        *,
        shared: Store | None = None,
        timeout: float = 10.0,
        context: t.Callable[[], t.ContextManager[t.Any]] = contextlib.nullcontext,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
        debug: t.Callable[[], bool] = lambda: False,
        on_change: t.Callable[[OptionCache], None] | None = None,
    ) -> None:
        self.key = key
        self.chart = chart
        self.refresh = refresh
        #: Seconds a build may take before viewers get a time-out error.
        self.timeout = timeout
        self._build_option = build
        self._context = context
        self._clock = clock
        self._wall = wall_clock
        self._debug = debug
        self._on_change = on_change
        self._running: Job[Entry] | None = None
        #: Builds run in the caller's greenlet once the builder was seen to
        #: need the event loop's own connections (see :class:`WrongThread`).
        self._inline = False
        # Charts built once (no refresh) are built by each process.
        self._shared = shared if refresh else None
        self._entry: Entry | None = None
        self._lock = threading.Lock()

    @property
    def entry(self) -> Entry | None:
        """The latest outcome, without building."""
        return self._entry

    @property
    def size(self) -> int:
        """The bytes of the option kept (0 before a build, or after a failed one)."""
        entry = self._entry
        document = entry.document if entry is not None else None
        return len(document.body) if document is not None else 0

    def get(self) -> OptionDocument:
        """The current option, building it first when it is stale.

        :raises BuildError: when the latest build failed.
        """
        entry = self._entry
        if entry is None or self._expired(entry):
            with self._lock:
                entry = self._entry
                if entry is None or self._expired(entry):
                    build = self._build if self._shared is None else self._build_shared
                    entry = self._store(build())
        if entry.error is not None:
            raise entry.error
        assert entry.document is not None
        return entry.document

    def next_due(self) -> float | None:
        """The clock time after which the next :meth:`get` rebuilds, if ever."""
        entry = self._entry
        if entry is None:
            return self._clock()
        return self._expiry(entry)

    def _store(self, entry: Entry) -> Entry:
        previous, self._entry = self._entry, entry
        if self._on_change is not None and (
            previous is None or previous.token != entry.token
        ):
            self._on_change(self)
        return entry

    def _lifetime(self, entry: Entry) -> float | None:
        if entry.error is not None:
            return failure_lifetime(self.refresh)
        return self.refresh

    def _expiry(self, entry: Entry) -> float | None:
        """When ``entry`` expires: on a grid of the wall clock, so that charts
        with the same refresh, in every process, rebuild at the same instants
        and their updates reach the page together (it then animates them in
        the same frames). A build off the grid (the first one, one a request
        started late) expires at the next grid instant at least half its
        interval away, so the next build is on the grid."""
        lifetime = self._lifetime(entry)
        if lifetime is None:
            return None
        if entry.error is not None:
            return entry.built_at + lifetime
        grid = entry.built_at - entry.wall_at % lifetime
        return max(grid + lifetime, entry.built_at + lifetime / 2)

    def _expired(self, entry: Entry) -> bool:
        expiry = self._expiry(entry)
        return expiry is not None and self._clock() >= expiry

    def _build_shared(self) -> Entry:
        """Build once for the deployment, or read what another process built."""
        assert self._shared is not None
        entry = self._read_shared()
        if entry is not None and not self._expired(entry):
            return entry
        lock = self._shared.lock(f"build:{self.key}", ttl=BUILD_LEASE)
        if not lock.acquire(blocking=False):
            entry = self._await_shared(lock)
            if entry is not None:
                return entry
        try:  # the lock is ours
            entry = self._read_shared()
            if entry is None or self._expired(entry):
                entry = self._build(keep=lock.renew)
                self._write_shared(entry)
            return entry
        finally:
            lock.release()

    def _await_shared(self, lock: t.Any) -> Entry | None:
        """Wait for the build of the process holding ``lock``; ``None`` once
        the lock is ours instead (its holder stopped renewing it: it died)."""
        looks = 0
        deadline = time.monotonic() + self.timeout + 2 * BUILD_LEASE
        while time.monotonic() < deadline:
            time.sleep(SHARED_BUILD_POLL)
            entry = self._read_shared()
            if entry is not None and not self._expired(entry):
                return entry
            looks += 1
            if looks % SHARED_BUILD_TAKEOVER == 0 and lock.acquire(blocking=False):
                return None
        logger.warning("Chart %r: no shared build arrived; building here", self.key)
        return self._build()

    def _read_shared(self) -> Entry | None:
        assert self._shared is not None
        blob = self._shared.get_blob(f"option:{self.key}")
        if blob is None:
            return None
        saved = loads(blob)
        age = max(0.0, self._wall() - saved["built_at"])
        built_at = self._clock() - age
        if saved.get("error"):
            error = BuildError(self.chart, saved["error"], saved.get("error_id"))
            return Entry(built_at, None, error, saved["built_at"])
        document = OptionDocument(
            saved["body"].encode(),
            saved["functions"],
            tuple(saved["dependencies"]),
            saved["theme"],
            bool(saved.get("composite")),
            tuple(saved.get("js_functions", ())),
        )
        return Entry(built_at, document, None, saved["built_at"])

    def _write_shared(self, entry: Entry) -> None:
        assert self._shared is not None and self.refresh is not None
        document = entry.document
        saved: dict[str, t.Any] = {"built_at": entry.wall_at}
        if document is None:
            assert entry.error is not None
            saved.update(error=entry.error.summary, error_id=entry.error.error_id)
        else:
            saved.update(
                body=document.body.decode(),
                functions=document.functions,
                dependencies=document.dependencies,
                theme=document.theme,
                composite=document.composite,
                js_functions=document.js_functions,
            )
        lifetime = max(self.refresh, FAILED_BUILD_RETRY) * 3
        self._shared.set_blob(f"option:{self.key}", dumps(saved), lifetime)

    def _build(self, keep: t.Callable[[], None] | None = None) -> Entry:
        """Run the builder with a time limit; a hung builder is not started twice.

        :param keep: called every third of :data:`BUILD_LEASE` while the
            build runs (renews the shared build lock).
        """
        if self._inline:
            return self._run_builder()
        running = self._running
        if running is not None and not running.done:
            return self._timed_out()
        job = self._running = start_job(
            self._run_builder, f"pyecharts-build-{self.key}"
        )
        if not self._wait(job, keep):
            return self._timed_out()
        self._running = None  # done: keep no thread's objects per cache
        try:
            return job.result()
        except WrongThread:
            logger.warning(
                "Chart %r: its builder uses a connection of the worker's event loop"
                " (gevent objects belong to one thread); it now runs in the event"
                " loop, where PYECHARTS_BUILD_TIMEOUT cannot stop it. Give builders"
                " connections of their own to keep them in a thread of their own.",
                self.chart,
            )
            self._inline = True
            return self._run_builder()

    def _wait(self, job: Job[Entry], keep: t.Callable[[], None] | None) -> bool:
        """Wait for ``job`` at most the build time-out, calling ``keep`` now
        and then; whether it ended."""
        if keep is None:
            return job.wait(self.timeout)
        waited = 0.0
        while waited < self.timeout:
            step = min(BUILD_LEASE / 3, self.timeout - waited)
            if job.wait(step):
                return True
            waited += step
            try:
                keep()
            except Exception:
                logger.warning(
                    "Chart %r: its build outlived its build lock; another process"
                    " may build it too",
                    self.key,
                )
        return False

    def _timed_out(self) -> Entry:
        logger.error("Chart %r: the builder ran over %s s", self.key, self.timeout)
        message = f"Chart {self.chart!r} timed out after {self.timeout:g} s."
        return Entry(self._clock(), None, BuildError(self.chart, message), self._wall())

    def _run_builder(self) -> Entry:
        started, wall = self._clock(), self._wall()
        with self._context():
            try:
                document = build_document(self._build_option(), self.chart)
            except Exception as exc:
                if _crossed_threads(exc):
                    raise WrongThread from exc
                return Entry(started, None, self._failed(exc), wall)
        return Entry(started, document, None, wall)

    def _failed(self, exc: Exception) -> BuildError:
        """The error viewers get for a builder that raised ``exc``: its text in
        debug mode; otherwise an id, logged with the traceback, for exception
        text can hold what viewers must not see (hosts, paths, data)."""
        message = f"Chart {self.chart!r} could not be built"
        if self._debug():
            logger.exception("Chart %r: the builder failed", self.key)
            detail = str(exc).strip().splitlines()
            message += f": {type(exc).__name__}"
            return BuildError(
                self.chart, message + (f": {detail[0][:200]}" if detail else "")
            )
        error_id = secrets.token_hex(4)
        logger.exception(
            "Chart %r: the builder failed (error id %s)", self.key, error_id
        )
        return BuildError(self.chart, message, error_id)


class WrongThread(Exception):
    """A builder run in a thread of its own used gevent objects of another."""


def _crossed_threads(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) is greenlet's refusal to switch
    to another thread: a gevent socket or lock used outside its thread."""
    seen = 0
    while error is not None and seen < 10:
        if type(error).__module__ == "greenlet" and "thread" in str(error):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


class OptionCaches:
    """The option caches of one app, one per topic.

    Caches of variants (a chart with values of its variables) are bounded by
    their number (``limit``) and by the bytes of their options
    (``max_bytes``): when a new variant comes, the least recently used go
    until both hold (the new one always stays). Charts without variables are
    always kept: there are as many as were registered.
    """

    def __init__(self, limit: int, max_bytes: int | None = None) -> None:
        self.limit = limit
        self.max_bytes = max_bytes
        self._fixed: dict[str, OptionCache] = {}
        self._variants: collections.OrderedDict[str, OptionCache] = (
            collections.OrderedDict()
        )
        self._lock = threading.Lock()

    def get(
        self, key: str, make: t.Callable[[], OptionCache], variant: bool = False
    ) -> OptionCache:
        """The cache of ``key``, made by ``make()`` on first use.

        :param variant: whether ``key`` names a variant (bounded, LRU).
        """
        with self._lock:
            if not variant:
                cache = self._fixed.get(key)
                if cache is None:
                    cache = self._fixed[key] = make()
                return cache
            cache = self._variants.get(key)
            if cache is None:
                cache = self._variants[key] = make()
                self._trim()
            else:
                self._variants.move_to_end(key)
            return cache

    def trim(self) -> None:
        """Drop the least recently used variants beyond the budgets (options
        grow as they are rebuilt: the feed calls this now and then)."""
        with self._lock:
            self._trim()

    def _trim(self) -> None:
        """Under ``self._lock``: the budgets hold, the newest variant kept."""
        while len(self._variants) > self.limit:
            self._variants.popitem(last=False)
        if self.max_bytes is None:
            return
        total = sum(cache.size for cache in self._variants.values())
        while total > self.max_bytes and len(self._variants) > 1:
            _, dropped = self._variants.popitem(last=False)
            total -= dropped.size

    def stats(self) -> dict[str, t.Any]:
        """What the caches hold: counts and bytes, for ``flask pyecharts stats``."""
        with self._lock:
            fixed = list(self._fixed.values())
            variants = list(self._variants.values())
        return {
            "charts": len(fixed),
            "charts_bytes": sum(cache.size for cache in fixed),
            "variants": len(variants),
            "variants_bytes": sum(cache.size for cache in variants),
            "max_variants": self.limit,
            "max_variant_bytes": self.max_bytes,
        }

    def peek(self, key: str) -> OptionCache | None:
        """The cache of ``key`` if it exists, without touching its rank."""
        return self._fixed.get(key) or self._variants.get(key)

    def variants(self) -> list[str]:
        """The keys of the variants kept, least recently used first."""
        with self._lock:
            return list(self._variants)
