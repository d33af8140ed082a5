"""Number cards (数字翻牌器): one figure, its change and its trend, kept live.

A number card is a chart of the registry like any other (``display="number"``):
its builder is wrapped so that what the user's function returns (a number, or
``{"value": v, "previous": p, "trend": [...]}``) is checked and becomes the
card's option, a small plain dict (docs/protocol.md, "Number cards"). So the
option cache, the feed, data-only patches, ETags, exports and embedding serve
cards unchanged: a rebuild that changes only the figures sends a patch of the
series' ``data``.
"""

from __future__ import annotations

import decimal
import functools
import itertools
import math
import numbers
import typing as t
from dataclasses import dataclass

__all__ = [
    "MAX_TREND",
    "NumberCard",
    "NumberError",
    "card_builder",
    "card_figures",
    "number_card",
]

Number = int | float
Builder = t.Callable[..., t.Any]

#: The most points a card's ``trend`` may hold.
MAX_TREND = 1000
#: The largest integer JavaScript holds exactly (``Number.MAX_SAFE_INTEGER``).
SAFE_INTEGER = 2**53 - 1
#: The most decimals a card shows.
MAX_DIGITS = 6
#: The longest prefix or suffix (``"¥"``, ``" 万元"``), and the longest label.
MAX_AFFIX, MAX_LABEL = 16, 200
#: What ``up=`` may say: the colour of a rise (``None``: the page's convention,
#: red in Chinese, green in English).
UP_COLOURS = ("red", "green")
#: The keys a builder's dict may have.
_FIELDS = ("value", "previous", "trend")


class NumberError(ValueError):
    """A number card's builder returned something the card cannot show."""


@dataclass(frozen=True)
class NumberCard:
    """How a number card shows its figure (checked by :func:`number_card`)."""

    name: str
    label: str = ""
    prefix: str = ""
    suffix: str = ""
    digits: int = 0
    #: ``"red"`` or ``"green"``: the colour of a rise; ``None`` by locale.
    up: str | None = None

    def option(
        self, value: Number, previous: Number | None, trend: list[Number]
    ) -> dict[str, t.Any]:
        """The card's option: its settings under ``card``, its figures as the
        ``data`` of three series (so a new figure is a data-only patch)."""
        return {
            "card": {
                "type": "number",
                "label": self.label,
                "prefix": self.prefix,
                "suffix": self.suffix,
                "digits": self.digits,
                "up": self.up,
            },
            "series": [
                {"name": "value", "data": [value]},
                {"name": "previous", "data": [] if previous is None else [previous]},
                {"name": "trend", "data": trend},
            ],
        }


def number_card(
    name: str,
    *,
    label: str | None = None,
    prefix: str = "",
    suffix: str = "",
    digits: int = 0,
    up: str | None = None,
) -> NumberCard:
    """Validate a number card's settings (where the decorator is written).

    :raises ValueError: for a label, prefix or suffix that is not short text,
        digits outside 0 to 6, or ``up`` not ``"red"``, ``"green"`` or ``None``.
    """
    texts = [
        ("label", label or "", MAX_LABEL),
        ("prefix", prefix, MAX_AFFIX),
        ("suffix", suffix, MAX_AFFIX),
    ]
    for what, text, longest in texts:
        if not isinstance(text, str) or len(text) > longest:
            raise ValueError(
                f"Number card {name!r}: {what} must be text of at most {longest}"
                f" characters, not {_shown(text)}."
            )
    if isinstance(digits, bool) or not (
        isinstance(digits, int) and 0 <= digits <= MAX_DIGITS
    ):
        raise ValueError(
            f"Number card {name!r}: digits (decimals shown) must be an integer from"
            f" 0 to {MAX_DIGITS}, not {_shown(digits)}."
        )
    if up is not None and up not in UP_COLOURS:
        raise ValueError(
            f"Number card {name!r}: up (the colour of a rise) must be 'red', 'green'"
            f" or None (the page's convention: red in Chinese), not {_shown(up)}."
        )
    return NumberCard(name, label or "", prefix, suffix, digits, up)


def card_builder(card: NumberCard, builder: Builder) -> Builder:
    """Wrap the user's ``builder`` so that it returns the card's option.

    The wrapper has the builder's signature (``functools.wraps``), so its
    parameters name variables exactly as a chart builder's do.
    """

    @functools.wraps(builder)
    def build(*args: t.Any, **kwargs: t.Any) -> dict[str, t.Any]:
        return card.option(*card_figures(builder(*args, **kwargs), card.name))

    return build


def card_figures(
    result: object, name: str
) -> tuple[Number, Number | None, list[Number]]:
    """The value, previous value and trend in what a card's builder returned.

    :raises NumberError: for anything but a number or a dict of ``value``
        (required), ``previous`` and ``trend``, each finite, integers safe
        in JavaScript, the trend at most :data:`MAX_TREND` numbers long.
    """
    if not isinstance(result, t.Mapping):
        return _number(result, name, "the value"), None, []
    unknown = [key for key in result if key not in _FIELDS]
    if unknown:
        raise NumberError(
            f"Number card {name!r}: the builder returned the key {_shown(unknown[0])};"
            " a card takes 'value', 'previous' and 'trend'."
        )
    if "value" not in result:
        raise NumberError(
            f"Number card {name!r}: the builder returned a dict without 'value':"
            ' return {"value": v, "previous": p, "trend": [...]}.'
        )
    value = _number(result["value"], name, "the value")
    previous = result.get("previous")
    if previous is not None:
        previous = _number(previous, name, "previous")
    return value, previous, _trend(result.get("trend"), name)


def _trend(trend: object, name: str) -> list[Number]:
    if trend is None:
        return []
    if isinstance(trend, (str, bytes, t.Mapping)) or not isinstance(trend, t.Iterable):
        raise NumberError(
            f"Number card {name!r}: trend must be a list of numbers, not"
            f" {_shown(trend)}."
        )
    items = list(itertools.islice(trend, MAX_TREND + 1))
    if len(items) > MAX_TREND:
        raise NumberError(
            f"Number card {name!r}: trend holds more than {MAX_TREND} numbers;"
            " send the last ones only."
        )
    return [_number(item, name, f"trend[{i}]") for i, item in enumerate(items)]


def _number(value: object, name: str, what: str) -> Number:
    """``value`` as a JSON number JavaScript holds exactly, or :class:`NumberError`."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        number: Number = int(value)
        if abs(number) > SAFE_INTEGER:
            raise NumberError(
                f"Number card {name!r}: {what} {_shown(value)} is beyond what a"
                f" browser holds exactly (±{SAFE_INTEGER}); return a float."
            )
        return number
    if not isinstance(value, (numbers.Real, decimal.Decimal)) or isinstance(
        value, bool
    ):
        hint = _RETURN if what == "the value" else ""
        raise NumberError(
            f"Number card {name!r}: {what} must be a number (int, float or"
            f" Decimal), not {_shown(value)}.{hint}"
        )
    number = float(value)
    if not math.isfinite(number):
        raise NumberError(
            f"Number card {name!r}: {what} must be a finite number, not {number}."
        )
    return number


_RETURN = ' Return a number, or {"value": v, "previous": p, "trend": [...]}.'


def _shown(value: object) -> str:
    """A value for an error message: its repr (cut short) and its type."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"
