"""The relay's record of what it published, as a viewer coming back from
nchan meets it: the message it last got may still be being published (nchan
sends it before the publisher records it), and the viewer then waits for the
record instead of being turned away."""

from __future__ import annotations

import pytest

from flask_pyecharts._json import dumps
from flask_pyecharts.live.relay import PENDING_TRIES, Relay, _record_key, group_of
from flask_pyecharts.registry import Topic
from flask_pyecharts.streams.stores import open_store

TOPICS = [Topic("ticks"), Topic("sales", (("region", "a"),))]
#: Tokens in the group's order (``sales?region=a`` before ``ticks``).
AFTER = ["etag-2", "c.7"]


def relay_with_record(pending_for: int) -> tuple[Relay, list[float]]:
    """A relay whose record names a message "pending" for ``pending_for``
    waits, then holds it (as nchan's id ``1700000000:3``)."""
    store = open_store("memory://")
    key = _record_key(group_of(TOPICS))
    waits: list[float] = []

    def write(pending: list[str], entries: list[object]) -> None:
        store.set_blob(key, dumps({"entries": entries, "pending": pending}), ttl=60)

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == pending_for:
            write([], [[AFTER, 1_700_000_000, 3]])

    write(AFTER, [])
    relay = Relay(
        store,
        "http://127.0.0.1:1",
        heartbeat=30,
        sleep=sleep,
        wall_clock=lambda: 1_700_000_001,
    )
    return relay, waits


def test_a_last_event_id_being_recorded_is_waited_for() -> None:
    relay, waits = relay_with_record(pending_for=3)
    assert relay.resolve(TOPICS, "1700000000:3") == ["c.7", "etag-2"]
    assert len(waits) == 3


def test_a_hand_over_at_a_message_being_recorded_waits_for_it() -> None:
    relay, waits = relay_with_record(pending_for=2)
    target = relay.handoff(TOPICS, ["c.7", "etag-2"])
    assert target is not None and target.endswith("?start=1700000000:3")
    assert len(waits) == 2


def test_the_wait_is_bounded() -> None:
    relay, waits = relay_with_record(pending_for=PENDING_TRIES + 5)
    with pytest.raises(ValueError, match="too old"):
        relay.resolve(TOPICS, "1700000000:3")
    assert len(waits) == PENDING_TRIES
    relay, waits = relay_with_record(pending_for=PENDING_TRIES + 5)
    assert relay.handoff(TOPICS, ["c.7", "etag-2"]) is None
    assert len(waits) == PENDING_TRIES
