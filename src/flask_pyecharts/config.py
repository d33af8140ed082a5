"""Configuration: the ``PYECHARTS_*`` keys, their defaults, and validation.

Each key is read once, when :meth:`Charts.init_app <.Charts.init_app>` runs:
from ``app.config`` first, else from the environment variable of the same
name (Flask's ``from_prefixed_env`` convention: the value is parsed as JSON
when it can be, else taken as a string), else the default. A bad value fails
at start-up with a message that names the key.
"""

from __future__ import annotations

import json
import os
import re
import typing as t
from dataclasses import dataclass

from .locale import SETTINGS as LOCALE_SETTINGS

__all__ = ["DEFAULT_CONFIG", "Settings", "read_settings"]

PREFIX = "PYECHARTS_"
#: ``PYECHARTS_NCHAN``: plain HTTP to a host (a name, IPv4 or [IPv6]) and port.
_PUBLISHER = re.compile(r"^http://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}/?$")

#: Every configuration key with its default; each one is safe to leave unset.
DEFAULT_CONFIG: dict[str, t.Any] = {
    "PYECHARTS_URL_PREFIX": "/charts",
    "PYECHARTS_STORE": "memory://",
    "PYECHARTS_ASSETS": None,
    "PYECHARTS_TRANSPORT": "sse",
    "PYECHARTS_LOCALE": "auto",
    "PYECHARTS_STRICT_CSP": False,
    "PYECHARTS_CORS_ORIGINS": (),
    "PYECHARTS_MAX_WINDOW": 100_000,
    "PYECHARTS_HEARTBEAT": 15.0,
    "PYECHARTS_STREAM_TIMEOUT": 600.0,
    "PYECHARTS_BUILD_TIMEOUT": 10.0,
    "PYECHARTS_MAX_STREAMS": 5000,
    "PYECHARTS_MAX_STREAMS_PER_CLIENT": 32,
    "PYECHARTS_MAX_CHARTS_PER_REQUEST": 64,
    "PYECHARTS_MAX_FPS": 5.0,
    "PYECHARTS_MAX_VARIANTS": 1000,
    "PYECHARTS_MAX_VARIANT_BYTES": 64 * 2**20,
    "PYECHARTS_MAX_FEED_BYTES": 64 * 2**20,
    "PYECHARTS_RENEW_AFTER": 3 * 3600.0,
    "PYECHARTS_MAX_NEW_VARIANTS_PER_CLIENT": 240,
    "PYECHARTS_NCHAN": None,
}


@dataclass(frozen=True)
class Settings:
    """The validated configuration of one app."""

    url_prefix: str
    store: str
    assets: str | None
    transport: str
    #: ``auto`` (from ``Accept-Language``), ``zh-CN`` or ``en``.
    locale: str
    strict_csp: bool
    cors_origins: tuple[str, ...]
    max_window: int
    heartbeat: float
    stream_timeout: float
    build_timeout: float
    max_streams: int
    max_streams_per_client: int
    max_charts_per_request: int
    max_fps: float
    max_variants: int
    max_variant_bytes: int
    max_feed_bytes: int
    renew_after: float
    max_new_variants_per_client: int
    #: nginx's nchan publisher (``http://HOST:PORT``), or ``None``: the app
    #: serves every event stream itself.
    nchan: str | None = None


def read_settings(config: t.MutableMapping[str, t.Any]) -> Settings:
    """Fill ``config`` with every key (app value, else environment, else
    default) and return the validated settings.

    :raises ValueError: for a value of the wrong type or out of range.
    """
    for key, default in DEFAULT_CONFIG.items():
        if key not in config:
            raw = os.environ.get(key)
            config[key] = default if raw is None else _parse_env(raw)
    prefix = _text(config, "PYECHARTS_URL_PREFIX")
    if not prefix.startswith("/") or prefix.endswith("/") and prefix != "/":
        raise ValueError(
            f"PYECHARTS_URL_PREFIX must start with '/' and not end with one, such as"
            f" '/charts', not {prefix!r}."
        )
    transport = _text(config, "PYECHARTS_TRANSPORT")
    if transport not in ("sse", "poll"):
        raise ValueError(
            f"PYECHARTS_TRANSPORT must be 'sse' or 'poll', not {transport!r}."
        )
    locale = _text(config, "PYECHARTS_LOCALE")
    if locale not in LOCALE_SETTINGS:
        raise ValueError(
            f"PYECHARTS_LOCALE must be one of {', '.join(map(repr, LOCALE_SETTINGS))}"
            f" ('auto' follows the browser's Accept-Language), not {locale!r}."
        )
    assets = config["PYECHARTS_ASSETS"]
    return Settings(
        url_prefix=prefix.rstrip("/"),
        store=_text(config, "PYECHARTS_STORE"),
        assets=_text(config, "PYECHARTS_ASSETS").rstrip("/") + "/" if assets else None,
        transport=transport,
        locale=locale,
        strict_csp=_flag(config, "PYECHARTS_STRICT_CSP"),
        cors_origins=_origins(config),
        max_window=int(_number(config, "PYECHARTS_MAX_WINDOW", whole=True)),
        heartbeat=_number(config, "PYECHARTS_HEARTBEAT"),
        stream_timeout=_number(config, "PYECHARTS_STREAM_TIMEOUT"),
        build_timeout=_number(config, "PYECHARTS_BUILD_TIMEOUT"),
        max_streams=int(_number(config, "PYECHARTS_MAX_STREAMS", whole=True)),
        max_streams_per_client=int(
            _number(config, "PYECHARTS_MAX_STREAMS_PER_CLIENT", whole=True)
        ),
        max_charts_per_request=int(
            _number(config, "PYECHARTS_MAX_CHARTS_PER_REQUEST", whole=True)
        ),
        max_fps=_number(config, "PYECHARTS_MAX_FPS"),
        max_variants=int(_number(config, "PYECHARTS_MAX_VARIANTS", whole=True)),
        max_variant_bytes=int(
            _number(config, "PYECHARTS_MAX_VARIANT_BYTES", whole=True)
        ),
        max_feed_bytes=int(_number(config, "PYECHARTS_MAX_FEED_BYTES", whole=True)),
        renew_after=_seconds_or_never(config, "PYECHARTS_RENEW_AFTER"),
        max_new_variants_per_client=int(
            _number(config, "PYECHARTS_MAX_NEW_VARIANTS_PER_CLIENT", whole=True)
        ),
        nchan=_publisher(config),
    )


def _parse_env(raw: str) -> t.Any:
    """An environment value: JSON when it parses, else the string itself."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _text(config: t.Mapping[str, t.Any], key: str) -> str:
    value = config[key]
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} must be a non-empty string, not {value!r}.")
    return value


def _flag(config: t.Mapping[str, t.Any], key: str) -> bool:
    value = config[key]
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    if not isinstance(value, (bool, int)):
        raise ValueError(f"{key} must be true or false, not {value!r}.")
    return bool(value)


def _number(config: t.Mapping[str, t.Any], key: str, whole: bool = False) -> float:
    value = config[key]
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not value > 0:
        what = "a whole number" if whole else "a number"
        raise ValueError(f"{key} must be {what} above 0, not {value!r}.")
    return float(value)


def _seconds_or_never(config: t.Mapping[str, t.Any], key: str) -> float:
    """A number of seconds, or 0 for never."""
    value = config[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(
            f"{key} must be a number of seconds (0: never), not {value!r}."
        )
    return float(value)


def _publisher(config: t.Mapping[str, t.Any]) -> str | None:
    """``PYECHARTS_NCHAN``: ``http://HOST:PORT`` (nginx's nchan publisher,
    see ``flask pyecharts nginx --nchan``), or ``None``."""
    value = config["PYECHARTS_NCHAN"]
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _PUBLISHER.match(value):
        raise ValueError(
            "PYECHARTS_NCHAN must be the address of nginx's nchan publisher,"
            f" http://HOST:PORT (such as http://127.0.0.1:8081), not {value!r}."
        )
    return value.rstrip("/")


def _origins(config: t.Mapping[str, t.Any]) -> tuple[str, ...]:
    value = config["PYECHARTS_CORS_ORIGINS"]
    if isinstance(value, str):  # from the environment: "https://a, https://b"
        value = [item.strip() for item in value.split(",")]
    if not isinstance(value, (list, tuple, set, frozenset)) or not all(
        isinstance(item, str) for item in value
    ):
        raise ValueError(
            "PYECHARTS_CORS_ORIGINS must be a list of origins such as"
            f" ['https://reports.example.com'], not {value!r}."
        )
    return tuple(item for item in value if item)
