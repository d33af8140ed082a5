"""Cursors: round trips, and a clear ValueError for anything else."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flask_pyecharts.streams.cursors import MAX_CURSOR_LENGTH, Cursor, new_epoch

epochs = st.text("abcXYZ019-_", min_size=1, max_size=32)


@settings(max_examples=200, deadline=None)
@given(epoch=epochs, seq=st.integers(0, 2**63))
def test_encode_decode_round_trip(epoch: str, seq: int) -> None:
    text = Cursor(epoch, seq).encode()
    assert "," not in text
    assert Cursor.decode(text) == Cursor(epoch, seq)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80))
def test_decode_accepts_or_raises_value_error(text: str) -> None:
    try:
        cursor = Cursor.decode(text)
    except ValueError as error:
        assert str(error).startswith("Malformed cursor")
    else:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+", text)  # URL-safe, no comma
        assert cursor.seq >= 0
        assert Cursor.decode(cursor.encode()) == cursor


def test_new_epochs_are_short_url_safe_and_distinct() -> None:
    made = {new_epoch() for _ in range(100)}
    assert len(made) == 100
    for epoch in made:
        assert Cursor.decode(f"{epoch}.0") == Cursor(epoch, 0)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "expected '<epoch>.<seq>'"),
        ("abc", "expected '<epoch>.<seq>'"),
        (".12", "expected '<epoch>.<seq>'"),
        ("a,b.1", "the epoch must be"),
        ("a.b.1", "the epoch must be"),
        ("é.1", "the epoch must be"),
        ("e" * 33 + ".1", "the epoch must be"),
        ("abc.-1", "negative"),
        ("abc.", "must be digits"),
        ("abc.1x", "must be digits"),
        ("abc.١٢", "must be digits"),  # Arabic-Indic digits are not ours
        ("abc.+1", "must be digits"),
        ("abc." + "9" * MAX_CURSOR_LENGTH, "longer than 64"),
    ],
)
def test_malformed_cursors_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match="Malformed cursor") as caught:
        Cursor.decode(text)
    assert reason in str(caught.value)


def test_non_string_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="expected a string"):
        Cursor.decode(12)  # type: ignore[arg-type]


def test_cursor_is_frozen() -> None:
    cursor = Cursor("e", 1)
    with pytest.raises(AttributeError):
        cursor.seq = 2  # type: ignore[misc]
