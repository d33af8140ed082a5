"""Variables: values a viewer chooses (a region, a period), shared by every
chart whose builder names them.

A leaf. A :class:`VariableSpec` parses a value from a URL strictly into its
*canonical text* (the one spelling that names a variant: ``7``, not ``07``),
checks it against its choices and bounds, and converts it for the builder.
:func:`read_query` reads every variable of a request's query string.
"""

from __future__ import annotations

import collections
import datetime
import decimal
import keyword
import logging
import math
import re
import secrets
import threading
import time
import typing as t
import urllib.parse
from dataclasses import dataclass, field

__all__ = [
    "CLICK_FIELDS",
    "MAX_CHOICES",
    "RESERVED_NAMES",
    "ChoicesError",
    "VariableError",
    "VariableSpec",
    "make_variable",
    "misspelling_of",
    "parent_value",
    "read_query",
    "value_or_default",
]

#: Names the API's query parameters take, or may take: never variable names.
RESERVED_NAMES = frozenset(
    {"charts", "since", "limit", "name", "names", "etag", "format", "callback",
     "variables", "transport", "theme", "kiosk", "v", "_"}
)  # fmt: skip
#: A variable name: a Python identifier (it is a builder parameter), short.
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")
#: The longest text value accepted.
MAX_VALUE_LENGTH = 200
#: The most choices a variable may offer (a callable's answer included).
MAX_CHOICES = 1000
#: Seconds a callable's choices are kept before it is asked again.
CHOICES_TTL = 10.0
#: Fields of an ECharts click event that ``on_click`` may read.
CLICK_FIELDS = frozenset(
    {"name", "seriesName", "seriesId", "value", "dataIndex", "seriesIndex"}
)
#: How many allowed values an error message lists.
_LISTED = 20

#: A variable's value in Python.
Value: t.TypeAlias = "str | int | float | datetime.date"
#: Allowed values, or a function answering them.
Choices: t.TypeAlias = "t.Iterable[Value] | t.Callable[[], t.Iterable[Value]] | None"
#: The choices of a variable with a parent: a function of the parent's value,
#: or a mapping from the parent's values to lists of values.
ChildChoices: t.TypeAlias = (
    "t.Callable[[t.Any], t.Iterable[Value]] | t.Mapping[t.Any, t.Iterable[Value]]"
)
#: The most values of a parent whose children's choices are kept.
MAX_PARENT_VALUES = 256

_TYPE_NAMES: dict[type, str] = {
    str: "str",
    int: "int",
    float: "float",
    datetime.date: "date",
}
_WHAT = {
    "str": "a text",
    "int": "a whole number such as 7",
    "float": "a number such as 2.5",
    "date": "a date such as 2024-05-01",
}
_INT = re.compile(r"-?[0-9]{1,18}")
_FLOAT = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,17})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: C0 and C1 control characters, and DEL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class VariableError(ValueError):
    """A variable in a request is unknown or has a value that is not allowed;
    the message names the allowed values."""


class ChoicesError(RuntimeError):
    """A variable's choices (or default) callable failed or answered wrongly."""


logger = logging.getLogger("flask_pyecharts")


def _failed(what: str, error: Exception) -> ChoicesError:
    """The error for a choices or default function that raised: its text in
    debug mode; otherwise an id, logged with the traceback (the text of a
    database error can name hosts that viewers must not see)."""
    from flask import current_app, has_app_context

    if has_app_context() and current_app.debug:
        return ChoicesError(f"{what}: {type(error).__name__}: {str(error)[:200]}")
    error_id = secrets.token_hex(4)
    logger.error("%s (error id %s)", what, error_id, exc_info=error)
    return ChoicesError(f"{what} (error id {error_id}).")


class _Cached:
    """A callable's answers, each kept ``ttl`` seconds on ``clock``: one, or
    one per value of the parent (the least recently asked dropped first)."""

    def __init__(self, ttl: float, clock: t.Callable[[], float]) -> None:
        self.ttl = ttl
        self.clock = clock
        self.answers: collections.OrderedDict[str, tuple[tuple[str, ...], float]] = (
            collections.OrderedDict()
        )
        self.lock = threading.Lock()

    def get(self, key: str, ask: t.Callable[[], tuple[str, ...]]) -> tuple[str, ...]:
        """The answer kept for ``key``, or ``ask()``'s when it is too old."""
        with self.lock:
            now = self.clock()
            kept = self.answers.get(key)
            if kept is None or now - kept[1] >= self.ttl:
                kept = self.answers[key] = (ask(), now)
                while len(self.answers) > MAX_PARENT_VALUES:
                    self.answers.popitem(last=False)
            self.answers.move_to_end(key)
            return kept[0]


@dataclass(frozen=True, eq=False)
class VariableSpec:
    """A declared variable: its type, allowed values, default and label."""

    name: str
    #: ``str``, ``int``, ``float`` or ``datetime.date``.
    type: type
    #: Allowed values (canonical texts), a callable answering them (given the
    #: parent's value, for a variable with a parent), or ``None`` for any
    #: value of the type.
    choices: tuple[str, ...] | t.Callable[..., t.Iterable[Value]] | None
    #: The value when a request gives none (a callable is asked every time);
    #: ``None``: the first choice.
    default: Value | t.Callable[[], Value] | None
    #: What people read next to the filter.
    label: str
    #: Bounds of numbers and dates (inclusive), canonical texts.
    min: str | None = None
    max: str | None = None
    _cache: _Cached = field(
        default_factory=lambda: _Cached(CHOICES_TTL, time.monotonic)
    )
    #: The variable whose value this one's choices depend on (declared
    #: before it): its choices are asked for that value, and a viewer who
    #: changes it starts this one again from its default.
    parent: VariableSpec | None = None

    @property
    def type_name(self) -> str:
        """``"str"``, ``"int"``, ``"float"`` or ``"date"``."""
        return _TYPE_NAMES[self.type]

    # -- values ---------------------------------------------------------------

    def text(self, value: object) -> str:
        """The canonical text of a Python value of this variable's type.

        :raises TypeError: for a value of another type.
        """
        kind = self.type
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if (
            isinstance(value, bool)
            or not isinstance(value, kind)
            or (kind is datetime.date and isinstance(value, datetime.datetime))
        ):
            raise TypeError(
                f"Variable {self.name!r}: {value!r} is not {_WHAT[self.type_name]}."
            )
        if kind is float:
            number = t.cast(float, value)
            if not math.isfinite(number):
                raise TypeError(f"Variable {self.name!r}: {value!r} is not finite.")
            return _float_text(number)
        if kind is datetime.date:
            return t.cast(datetime.date, value).isoformat()
        return str(value)

    def convert(self, text: str) -> Value:
        """The Python value of a canonical text (already checked)."""
        kind = self.type_name
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "date":
            return datetime.date.fromisoformat(text)
        return text

    def parse(self, text: str, parent: str | None = None) -> str:
        """Check a value from a URL: its type (strictly), its choices, its
        bounds; return its canonical text.

        :param parent: the parent's value (canonical text), for a variable
            with a parent; ``None``: the parent's default.
        :raises VariableError: the value is not allowed (the message says
            which are).
        :raises ChoicesError: the choices cannot be read.
        """
        canonical = self._canonical(text)
        allowed = self.allowed(parent)
        if allowed is not None and canonical not in allowed:
            where = ""
            if self.parent is not None:
                where = f" when {self.parent.label} is {self._parent_text(parent)}"
            raise VariableError(
                f"Variable {self.name!r} cannot be {_shown(text)}{where}: the allowed"
                f" values are {_listing(allowed)}."
            )
        if allowed is None and not self._within(canonical):
            raise VariableError(
                f"Variable {self.name!r} must be {self._bounds()}, not {_shown(text)}."
            )
        return canonical

    def _canonical(self, text: str) -> str:
        kind = self.type_name
        value: Value
        if kind == "str":
            if len(text) > MAX_VALUE_LENGTH or _CONTROL.search(text):
                raise VariableError(
                    f"Variable {self.name!r} must be a text of at most"
                    f" {MAX_VALUE_LENGTH} characters without control characters."
                )
            return text
        pattern = {"int": _INT, "float": _FLOAT, "date": _DATE}[kind]
        if not (text.isascii() and pattern.fullmatch(text)):
            raise VariableError(
                f"Variable {self.name!r} must be {_WHAT[kind]}, not {_shown(text)}"
                + self._hint()
            )
        if kind == "int":
            value = int(text)
        elif kind == "float":
            value = float(text)
        else:
            try:
                value = datetime.date.fromisoformat(text)
            except ValueError:
                raise VariableError(
                    f"Variable {self.name!r}: {_shown(text)} is not a valid date."
                ) from None
        return self.text(value)

    def _hint(self) -> str:
        allowed = self.allowed()
        return f"; the allowed values are {_listing(allowed)}." if allowed else "."

    def _within(self, canonical: str) -> bool:
        if self.min is not None and _order(self, canonical) < _order(self, self.min):
            return False
        return self.max is None or _order(self, canonical) <= _order(self, self.max)

    def _bounds(self) -> str:
        if self.min is not None and self.max is not None:
            return f"from {self.min} to {self.max}"
        if self.min is not None:
            return f"at least {self.min}"
        return f"at most {self.max}"

    # -- choices and default ----------------------------------------------------

    def allowed(self, parent: str | None = None) -> tuple[str, ...] | None:
        """The allowed values as canonical texts, the default first when the
        choices lack it; ``None`` when any value of the type is allowed.

        :param parent: the parent's value, for a variable with a parent
            (``None``: the parent's default).
        :raises ChoicesError: when a choices callable fails or answers wrongly.
        """
        choices = self._choices(parent)
        if choices is None:
            return None
        default = self._default_text(choices)
        return choices if default in choices else (default, *choices)

    def default_text(self, parent: str | None = None) -> str:
        """The canonical text of the default value (asked now if callable).

        :param parent: as for :meth:`allowed`.
        :raises ChoicesError: when the default cannot be had.
        """
        return self._default_text(self._choices(parent))

    def _parent_text(self, parent: str | None) -> str:
        assert self.parent is not None
        return parent if parent is not None else self.parent.default_text()

    def _default_text(self, choices: tuple[str, ...] | None) -> str:
        default = self.default
        if default is None:
            if not choices:
                raise ChoicesError(
                    f"Variable {self.name!r} has no choices, so no default."
                )
            return choices[0]
        if callable(default):
            try:
                default = default()
            except Exception as error:
                raise _failed(
                    f"Variable {self.name!r}: its default failed", error
                ) from error
        try:
            return self.text(default)
        except TypeError as error:
            raise ChoicesError(str(error)) from None

    def _choices(self, parent: str | None = None) -> tuple[str, ...] | None:
        choices = self.choices
        if choices is None or isinstance(choices, tuple):
            return choices
        if self.parent is None:
            return self._cache.get("", lambda: self._ask(choices))
        key = self._parent_text(parent)
        value = self.parent.convert(key)
        return self._cache.get(key, lambda: self._ask(lambda: choices(value)))

    def _ask(self, function: t.Callable[[], t.Iterable[Value]]) -> tuple[str, ...]:
        try:
            answer = list(function())
        except Exception as error:
            raise _failed(
                f"Variable {self.name!r}: its choices could not be read", error
            ) from error
        try:
            return _texts(self, answer)
        except (TypeError, ValueError) as error:
            raise ChoicesError(str(error)) from None

    def describe(self, parent: str | None = None) -> dict[str, t.Any]:
        """What the API and pages say of the variable (values as canonical
        texts); for a variable with a parent, its choices for ``parent``'s
        value (``None``: the parent's default) and the parent's name.

        :raises ChoicesError: when its choices or default cannot be had.
        """
        allowed = self.allowed(parent)
        described = {
            "name": self.name,
            "type": self.type_name,
            "label": self.label,
            "choices": list(allowed) if allowed is not None else None,
            "default": self.default_text(parent),
            "min": self.min,
            "max": self.max,
        }
        if self.parent is not None:
            described["parent"] = self.parent.name
        return described


def make_variable(
    name: str,
    *,
    type: type = str,
    choices: Choices | ChildChoices = None,
    default: Value | t.Callable[[], Value] | None = None,
    label: str | None = None,
    min: Value | None = None,
    max: Value | None = None,
    parent: VariableSpec | None = None,
    clock: t.Callable[[], float] = time.monotonic,
) -> VariableSpec:
    """Validate a variable's declaration.

    :param parent: the variable whose value the choices depend on; then
        ``choices`` is a function of that value, or a mapping from its values
        to lists of choices.
    :raises ValueError: for a bad name, type, choice, default or bound.
    """
    if not isinstance(name, str) or not VARIABLE_NAME.fullmatch(name):
        raise ValueError(
            f"Invalid variable name {name!r}: use a Python identifier of 1 to 32"
            " letters, digits and '_'."
        )
    if keyword.iskeyword(name) or name in RESERVED_NAMES:
        raise ValueError(
            f"Variable name {name!r} is reserved (the API's query parameters are"
            f" {', '.join(sorted(RESERVED_NAMES - {'_'}))}): choose another name."
        )
    if type not in _TYPE_NAMES:
        raise ValueError(
            f"Variable {name!r}: type must be str, int, float or datetime.date,"
            f" not {type!r}."
        )
    spec = VariableSpec(
        name,
        type,
        None,
        default,
        label if label is not None else name,
        _cache=_Cached(CHOICES_TTL, clock),
    )
    try:
        bounds = [None if b is None else spec.text(b) for b in (min, max)]
    except TypeError as error:
        raise ValueError(f"{error} (min and max)") from None
    if any(bound is not None for bound in bounds) and spec.type_name == "str":
        raise ValueError(f"Variable {name!r}: min and max are for numbers and dates.")
    fixed: tuple[str, ...] | t.Callable[..., t.Iterable[Value]] | None
    if parent is not None:
        fixed = _child_choices(name, parent, choices)
    elif choices is None or callable(choices):
        fixed = choices
    elif isinstance(choices, (str, bytes)):
        raise ValueError(
            f"Variable {name!r}: choices must be a list of values, such as"
            " ['全国', '华东'], or a function returning one."
        )
    else:
        try:
            fixed = _texts(spec, list(choices))
        except TypeError as error:
            raise ValueError(str(error)) from None
        if not fixed:
            raise ValueError(f"Variable {name!r}: choices must not be empty.")
    spec = VariableSpec(
        name,
        type,
        fixed,
        default,
        spec.label,
        bounds[0],
        bounds[1],
        spec._cache,
        parent,
    )
    if default is None and fixed is None:
        raise ValueError(
            f"Variable {name!r} needs a default (a value, or a function such as"
            " datetime.date.today) or choices."
        )
    if default is not None and not callable(default):
        try:
            text = spec.text(default)
        except TypeError as error:
            raise ValueError(f"{error} Pass type= to declare its type.") from None
        if not spec._within(text):
            raise ValueError(
                f"Variable {name!r}: the default {text} is outside {spec._bounds()}."
            )
    return spec


def undecodable_parameters(query: bytes) -> list[str]:
    """The names of the parameters of a raw query string whose value (or name)
    is not UTF-8 once percent-decoded (``?q=%ff``).

    Werkzeug keeps such bytes as ``%FF`` text, which would make ``?q=%ff`` the
    same value as ``?q=%25FF``: they are refused instead.
    """
    names = []
    for part in query.split(b"&"):
        name, _, value = part.partition(b"=")
        try:
            for raw in (name, value):
                urllib.parse.unquote_to_bytes(raw.replace(b"+", b" ")).decode()
        except UnicodeDecodeError:
            names.append(urllib.parse.unquote(name.decode("latin-1"))[:64])
    return names


def check_query(query: bytes) -> None:
    """Refuse a query string with bytes that are not UTF-8.

    :raises VariableError: naming the parameter and how to fix it.
    """
    names = undecodable_parameters(query)
    if names:
        raise VariableError(
            f"Query parameter {names[0]!r} is not UTF-8 text once percent-decoded;"
            " percent-encode values as UTF-8 (华 is %E5%8D%8E)."
        )


def _child_choices(
    name: str, parent: VariableSpec, choices: t.Any
) -> t.Callable[[t.Any], t.Iterable[Value]]:
    """The choices of a variable with a parent, as a function of its value."""
    if isinstance(choices, t.Mapping):
        table = {parent.text(key): list(values) for key, values in choices.items()}
        return lambda value: table.get(parent.text(value), [])
    if callable(choices):
        return t.cast(t.Callable[[t.Any], t.Iterable[Value]], choices)
    raise ValueError(
        f"Variable {name!r} has the parent {parent.name!r}, so its choices depend"
        f" on it: pass a function of {parent.name}'s value, such as"
        f" choices=lambda {parent.name}: [...], or a dict of lists by its values."
    )


def parent_value(spec: VariableSpec, values: t.Mapping[str, str]) -> str | None:
    """The value of ``spec``'s parent among ``values`` (``None``: its default,
    or no parent)."""
    return values.get(spec.parent.name) if spec.parent is not None else None


def value_or_default(spec: VariableSpec, values: t.Mapping[str, str]) -> str:
    """``spec``'s value among ``values``, else its default (for its parent's
    value there).

    :raises ChoicesError: when the default cannot be had.
    """
    if spec.name in values:
        return values[spec.name]
    return spec.default_text(parent_value(spec, values))


def read_query(
    variables: t.Mapping[str, VariableSpec],
    args: t.Mapping[str, t.Sequence[str]],
    route: t.Collection[str] = (),
) -> dict[str, str]:
    """The variables of a query string, as canonical texts (a parent's
    before its children's, whose choices depend on it).

    :param variables: the declared variables.
    :param args: every query parameter with its values.
    :param route: the parameters the route itself takes.
    :raises VariableError: for an unknown parameter, a repeated variable or
        a value that is not allowed.
    :raises ChoicesError: when choices cannot be read.
    """
    for key in args:
        if key not in route and key not in variables:
            known = ", ".join(variables) or "none are declared"
            takes = f"; this route also takes {', '.join(route)}" if route else ""
            close = misspelling_of(key, variables)
            guess = f" did you mean {close!r}?" if close is not None else ""
            raise VariableError(
                f"Unknown query parameter {key[:64]!r}:{guess} the variables are"
                f" {known}{takes}."
            )
    values: dict[str, str] = {}
    for key, spec in variables.items():  # declared order: parents first
        items = args.get(key)
        if items is None or key in route:
            continue
        if len(items) != 1:
            raise VariableError(f"Variable {key!r} is given {len(items)} times.")
        values[key] = spec.parse(items[0], parent_value(spec, values))
    return values


def misspelling_of(name: str, variables: t.Iterable[str]) -> str | None:
    """The variable that the query parameter ``name`` looks like a misspelling
    of (the closest, the first declared on a tie), else ``None``.

    Close means: not the same name, both of three letters or more, and at most
    one edit apart (a letter added, removed, changed, or two neighbours
    swapped; case is ignored) from a variable of four letters or fewer, at
    most two from a longer one. ``regoin``, ``reigon``, ``regn`` and
    ``Region`` look like ``region``, ``day`` like ``days``; ``date``,
    ``utm_source`` or ``ref`` do not: pages keep parameters of their own.
    """
    best: tuple[int, str] | None = None
    for variable in variables:
        if name == variable or min(len(name), len(variable)) < 3:
            continue
        limit = 1 if len(variable) <= 4 else 2
        distance = _edits(name.casefold(), variable.casefold(), limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, variable)
    return None if best is None else best[1]


def _edits(a: str, b: str, limit: int) -> int:
    """The edits (insert, delete, change, swap two neighbours) from ``a`` to
    ``b``; ``limit + 1`` when their lengths alone differ by more (the names
    compared are then short: variable names have 32 letters at most)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        above, row = row, [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            row[j] = min(above[j] + 1, row[j - 1] + 1, above[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                row[j] = min(row[j], before[j - 2] + 1)
        before = above
    return row[-1]


def _texts(spec: VariableSpec, values: list[t.Any]) -> tuple[str, ...]:
    if len(values) > MAX_CHOICES:
        raise ValueError(
            f"Variable {spec.name!r} has {len(values)} choices; at most"
            f" {MAX_CHOICES} are allowed (use a number or date variable instead)."
        )
    return tuple(dict.fromkeys(spec.text(value) for value in values))


def _float_text(value: float) -> str:
    """A finite float in positional notation, its shortest exact spelling."""
    if value == 0:
        return "0.0"
    text = format(decimal.Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


def _order(spec: VariableSpec, canonical: str) -> t.Any:
    return canonical if spec.type_name == "date" else float(canonical)


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _listing(values: t.Sequence[str]) -> str:
    shown = ", ".join(values[:_LISTED])
    if len(values) > _LISTED:
        shown += f", … ({len(values)} in all)"
    return shown
