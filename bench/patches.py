"""Experiment only: the event-stream fixes proposed in bench/README.md, as patches.

Nothing here is part of the package; ``BENCH_PATCH=etag,changed,shared`` makes
``bench.apps:create_ours()`` apply them to the installed package at start-up
so that the benchmark can say what each one would bring (rows marked (c*)):

- ``etag``: compute ``OptionDocument.etag`` once per document, not on every
  access (it hashes the whole option: every event-stream wake-up paid it for
  every full chart);
- ``changed``: on a wake-up, look only at the charts the hub says changed,
  plus the full charts whose rebuild is due (was: every chart of the stream);
- ``shared``: viewers at the same cursor share one encoded update (was: one
  ``store.since`` + JSON encoding per viewer per update);
- ``lingerNN``: after a wake-up, wait NN ms before reading, so that appends
  that follow closely go out in one event (fewer writes, NN ms more delay).
"""

from __future__ import annotations

import os
import time
import typing as t


def apply(spec: str | None = None) -> list[str]:
    spec = spec if spec is not None else os.environ.get("BENCH_PATCH", "")
    names = [name.strip() for name in spec.split(",") if name.strip()]
    linger = 0.0
    for name in names:
        if name == "etag":
            _etag()
        elif name == "changed":
            pass  # applied with the event stream below
        elif name == "shared":
            _shared()
        elif name.startswith("linger"):
            linger = int(name[6:]) / 1000
        else:
            raise ValueError(f"unknown patch {name!r}")
    if "changed" in names or linger:
        _event_stream("changed" in names, linger)
    return names


def _etag() -> None:
    import functools

    from flask_pyecharts.options import OptionDocument

    if isinstance(OptionDocument.__dict__["etag"], functools.cached_property):
        return  # the package computes it once already (since c4e2b55)
    compute = OptionDocument.etag.fget

    def etag(self: t.Any) -> str:
        try:
            return self.__dict__["_bench_etag"]
        except KeyError:
            value = compute(self)
            object.__setattr__(self, "_bench_etag", value)
            return value

    OptionDocument.etag = property(etag)


def _shared() -> None:
    from flask_pyecharts.runtime import ChartRuntime

    original = ChartRuntime._points_update

    def points_update(self: t.Any, spec: t.Any, token: str, limit: int) -> t.Any:
        cache = self.__dict__.setdefault("_bench_updates", {})
        head = self.store.head(spec.name)
        key = (spec.name, token, limit)
        hit = cache.get(key)
        if hit is not None and hit[0] == head:
            return hit[1]
        update = original(self, spec, token, limit)
        if len(cache) > 10_000:
            cache.clear()
        cache[key] = (head, update)
        return update

    ChartRuntime._points_update = points_update


def _event_stream(changed_only: bool, linger: float) -> None:
    from flask_pyecharts import api
    from flask_pyecharts.wire.sse import encode_comment, encode_event, encode_retry

    def event_stream(runtime, follower, updates, limit, heartbeat, deadline):
        # api._event_stream as of e0efaf3, changed where marked
        specs, tokens = follower.specs, follower.tokens
        positions = {spec.name: index for index, spec in enumerate(specs)}
        full = [spec for spec in specs if spec.kind == "full"]
        try:
            yield encode_retry(2000)
            last_write = time.monotonic()
            while time.monotonic() < deadline and not runtime.hub.closed:
                for update in updates:
                    tokens[positions[update.chart]] = update.token
                    name = api.EVENT_NAMES.get(update.type, update.type)
                    yield encode_event(update.payload, name, ",".join(tokens))
                if updates:
                    last_write = time.monotonic()
                elif time.monotonic() - last_write >= heartbeat:
                    yield encode_comment("ping")
                    last_write = time.monotonic()
                wake = min(last_write + heartbeat, deadline)
                wait = follower.subscription.wait
                changed = wait(api._wait_time(runtime, specs, wake))
                if linger and changed:  # changed: gather the appends that follow
                    time.sleep(linger)
                    changed |= wait(0)
                if changed_only:  # changed: only what moved or is due
                    now = time.monotonic()
                    check = [spec for spec in specs if spec.name in changed] + [
                        spec
                        for spec in full
                        if _stale(runtime, spec, tokens[positions[spec.name]], now)
                    ]
                else:
                    check = specs
                updates = runtime.updates(
                    check, [tokens[positions[spec.name]] for spec in check], limit
                )
        finally:
            follower.subscription.close()
            runtime.stream_slots.give_back(follower.client)

    api._event_stream = event_stream


def _stale(runtime: t.Any, spec: t.Any, token: str, now: float) -> bool:
    """Whether a full chart needs a look: rebuild due, or a newer option built
    (by another viewer's look) than the one this viewer has."""
    due = runtime.next_refresh(spec)
    if due is not None and due <= now:
        return True
    cache = runtime._caches.get(spec.name)
    entry = cache and cache._entry
    document = entry and entry.document
    return document is None or document.etag != token
