"""Who may keep an answer of ``/api/updates``, and for how long.

Pages that poll the same charts with the same variables ask the same
question at the same instants (aligned polling), spelled as one URL. Without
an access check the answer depends on nothing else, so a shared cache (nginx's
``proxy_cache``) may keep it until it could change: the next rebuild of the
request's full charts, or at most :data:`STREAM_MAX_AGE` for a request with
stream charts (appended points must not wait). Browsers never keep it
(``max-age=0``): a page asks again only when it wants something new.
"""

from __future__ import annotations

import math

#: Seconds a shared cache may keep an answer about stream charts.
STREAM_MAX_AGE = 1.0
#: Seconds a shared cache may keep an answer about charts never rebuilt.
STILL_MAX_AGE = 60.0
#: The answer of a request whose answer depends on who asks.
PRIVATE = {"Cache-Control": "private, no-store"}


def shared_headers(
    next_poll: float | None, streams: bool, now: float
) -> dict[str, str]:
    """The caching headers of an answer that any viewer may be given.

    :param next_poll: seconds until the request's full charts are next
        rebuilt (``None``: never).
    :param streams: whether the request names stream charts.
    :param now: the wall clock (seconds since the epoch), for nginx.

    ``s-maxage`` is in whole seconds, rounded down. nginx, which counts whole
    seconds of its own clock, would keep an entry up to a second past it; the
    ``X-Accel-Expires`` header (nginx's, which it reads before
    ``Cache-Control`` and never passes on) names the last second of the wall
    clock it may serve the entry in, which ends before the rebuild.
    """
    if streams:
        lifetime = min(
            STREAM_MAX_AGE, STREAM_MAX_AGE if next_poll is None else next_poll
        )
    else:
        lifetime = STILL_MAX_AGE if next_poll is None else next_poll
    headers = {}
    last = math.floor(now + lifetime) - 1
    if last >= math.floor(now):
        headers["X-Accel-Expires"] = f"@{last}"
    headers["Cache-Control"] = f"public, max-age=0, s-maxage={math.floor(lifetime)}"
    return headers
