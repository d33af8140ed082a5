"""The demo's SQL: every figure the reports show, read from the retail database.

Values always travel as bound parameters; the only SQL put together here is
fixed fragments chosen by code (a dimension's joins, the region's filter).
Periods are the last ``days`` days up to now (from midnight ``days`` days
ago); the *previous* period is the one just before, as long, so a period and
its previous compare like for like (环比). Each query reads one period of one
region through the orders' ``(province_id, created_at)`` or ``created_at``
index.
"""

from __future__ import annotations

import datetime
import functools
import json
import threading
import time
import typing as t
from dataclasses import dataclass
from pathlib import Path

from ..sql import query
from .db import now, stamp

if t.TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import Row

#: The region that means "every province".
ALL = "全国"
#: Every city of a province (the ``city`` variable's default).
ALL_CITIES = "全部"
#: The periods a viewer can choose, in days.
PERIODS = [7, 30, 90]
#: Each province's cities (or a municipality's districts), named as in the
#: province maps, so the map of a province shows the sales of its cities.
CITIES: dict[str, list[str]] = json.loads(
    (Path(__file__).parent / "cities.json").read_text("utf-8")
)
#: Orders are spread over a province's cities by ``id % BUCKETS``.
BUCKETS = 1000
#: The channels that sell online (all but the shops).
OFFLINE = "线下门店"
LIVESTREAM = "抖音直播"


#: Seconds a shared figure is reused: the cards of one report, built in the
#: same refresh round, read it once.
SHARED = 1.0
#: Monotonic seconds, for :func:`shared` (tests may pass their own).
clock: t.Callable[[], float] = time.monotonic

R = t.TypeVar("R")
P = t.ParamSpec("P")


def shared(function: t.Callable[P, R]) -> t.Callable[P, R]:
    """Reuse ``function``'s answer for the same arguments for :data:`SHARED`
    seconds (several cards show figures of one query)."""
    answers: dict[t.Any, tuple[float, R]] = {}
    lock = threading.Lock()

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        key = (args, tuple(sorted(kwargs.items())))
        moment = clock()
        with lock:
            for old in [k for k, (at, _) in answers.items() if moment - at > SHARED]:
                del answers[old]
            if key in answers:
                return answers[key][1]
        answer = function(*args, **kwargs)
        with lock:
            answers[key] = (moment, answer)
        return answer

    return wrapper


def days_ago(days: int) -> str:
    """Midnight ``days`` days ago, as stored in ``orders.created_at``."""
    midnight = now().replace(hour=0, minute=0, second=0)
    return stamp(midnight - datetime.timedelta(days=days))


@dataclass(frozen=True)
class Period:
    """A span of time ``[start, end)`` as stored in ``orders.created_at``."""

    start: str
    end: str

    @classmethod
    def last(cls, days: int) -> Period:
        """ "近 ``days`` 天": from midnight ``days`` days ago up to now."""
        return cls(days_ago(days), _after_now())

    @classmethod
    def before(cls, days: int) -> Period:
        """The period just before :meth:`last`, as long (to the same second)."""
        moment = now() - datetime.timedelta(days=days, seconds=-1)
        return cls(days_ago(2 * days), stamp(moment))

    @classmethod
    def full_days(cls, days: int) -> Period:
        """The whole days of :meth:`last`: all but today (a trend's days, none
        of them cut short)."""
        return cls(days_ago(days), days_ago(0))

    @classmethod
    def today(cls) -> Period:
        return cls(days_ago(0), _after_now())

    @classmethod
    def yesterday(cls) -> Period:
        """Yesterday up to this time of day."""
        moment = now() - datetime.timedelta(days=1)
        return cls(days_ago(1), stamp(moment + datetime.timedelta(seconds=1)))

    @classmethod
    def minutes(cls, minutes: int, ago: int = 0) -> Period:
        """The ``minutes`` minutes ending ``ago`` minutes ago."""
        end = now() + datetime.timedelta(seconds=1) - datetime.timedelta(minutes=ago)
        return cls(stamp(end - datetime.timedelta(minutes=minutes)), stamp(end))


def _after_now() -> str:
    return stamp(now() + datetime.timedelta(seconds=1))


def _region(region: str) -> tuple[str, dict[str, t.Any]]:
    """The orders filter of ``region`` (a fixed fragment) and its parameters."""
    if region == ALL:
        return "", {}
    return (
        " AND orders.province_id = (SELECT id FROM provinces WHERE name = :region)",
        {"region": region},
    )


def _orders(
    engine: Engine,
    select: str,
    region: str,
    period: Period,
    rest: str = "",
    **params: t.Any,
) -> list[Row[t.Any]]:
    """:func:`_joined` without joins."""
    return _joined(engine, select, "", region, period, rest, **params)


def _joined(
    engine: Engine,
    select: str,
    joins: str,
    region: str,
    period: Period,
    rest: str = "",
    **params: t.Any,
) -> list[Row[t.Any]]:
    """``SELECT {select} FROM orders {joins}`` for the orders of ``region`` in
    ``period``, then ``rest`` (``GROUP BY``...). Fixed SQL only; values bound."""
    sql, bound = _scan(select, joins, region, period, rest)
    return query(engine, sql, **bound, **params)


def _scan(
    select: str, joins: str, region: str, period: Period, rest: str = ""
) -> tuple[str, dict[str, t.Any]]:
    """The SQL text of :func:`_joined` and its bound values."""
    where, bound = _region(region)
    return (
        f"SELECT {select} FROM orders {joins}"
        f" WHERE orders.created_at >= :start AND orders.created_at < :end{where}"
        f" {rest}",
        {"start": period.start, "end": period.end, **bound},
    )


def provinces(engine: Engine) -> list[str]:
    """The provinces of the database, largest first: the region's choices."""
    rows = query(engine, "SELECT name FROM provinces ORDER BY weight DESC, id")
    return [row.name for row in rows]


# -- totals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """The sums of a region's orders in a period."""

    sales: float
    orders: int
    items: int
    buyers: int

    @property
    def average(self) -> float:
        """Sales per order (客单价)."""
        return self.sales / self.orders if self.orders else 0.0


def totals(engine: Engine, region: str, period: Period) -> Totals:
    """Sales, orders, items and distinct customers of ``region`` in ``period``."""
    row = _orders(
        engine,
        "COALESCE(SUM(amount), 0) AS sales, COUNT(*) AS orders,"
        " COALESCE(SUM(quantity), 0) AS items,"
        " COUNT(DISTINCT customer_id) AS buyers",
        region,
        period,
    )[0]
    return Totals(float(row.sales), int(row.orders), int(row.items), int(row.buyers))


def daily(engine: Engine, region: str, days: int) -> list[Totals]:
    """:class:`Totals` of each day of :meth:`Period.full_days`, a day without
    orders as zeros."""
    rows = _orders(
        engine,
        "substr(created_at, 1, 10) AS day, SUM(amount) AS sales,"
        " COUNT(*) AS orders, SUM(quantity) AS items,"
        " COUNT(DISTINCT customer_id) AS buyers",
        region,
        Period.full_days(days),
        "GROUP BY 1",
    )
    found = {row.day: row for row in rows}
    result = []
    for day in period_days(days):
        row = found.get(day)
        result.append(
            Totals(float(row.sales), int(row.orders), int(row.items), int(row.buyers))
            if row
            else Totals(0.0, 0, 0, 0)
        )
    return result


@dataclass(frozen=True)
class Comparison:
    """A period's totals, the previous period's (``None`` before the data
    began: nothing to compare with) and each day's."""

    now: Totals
    before: Totals | None
    daily: list[Totals]


def previous(engine: Engine, days: int) -> Period | None:
    """The period before the last ``days`` days (:meth:`Period.before`), or
    ``None`` when the data does not cover it whole: nothing to compare with."""
    period = Period.before(days)
    rows = query(engine, "SELECT MIN(created_at) AS first FROM orders")
    first = rows[0].first
    return period if first is not None and first <= period.start else None


@shared
def compare(engine: Engine, region: str, days: int) -> Comparison:
    """The :class:`Comparison` of the last ``days`` days of ``region``."""
    before = previous(engine, days)
    return Comparison(
        totals(engine, region, Period.last(days)),
        totals(engine, region, before) if before else None,
        daily(engine, region, days),
    )


def period_days(days: int) -> list[str]:
    """The dates (``YYYY-MM-DD``) of :meth:`Period.full_days`, yesterday last."""
    today = now().date()
    return [
        (today - datetime.timedelta(days=back)).isoformat()
        for back in range(days, 0, -1)
    ]


@shared
def hourly_today(engine: Engine, region: str) -> list[Totals]:
    """:class:`Totals` of each hour of today up to now."""
    rows = _orders(
        engine,
        "CAST(substr(created_at, 12, 2) AS INTEGER) AS hour, SUM(amount) AS sales,"
        " COUNT(*) AS orders, SUM(quantity) AS items,"
        " COUNT(DISTINCT customer_id) AS buyers",
        region,
        Period.today(),
        "GROUP BY 1",
    )
    found = {row.hour: row for row in rows}
    return [
        Totals(float(row.sales), int(row.orders), int(row.items), int(row.buyers))
        if (row := found.get(hour))
        else Totals(0.0, 0, 0, 0)
        for hour in range(now().hour + 1)
    ]


def goal(engine: Engine, region: str) -> float:
    """Today's sales goal: the average day of the last 4 weeks, plus 10 %."""
    past = totals(engine, region, Period(days_ago(28), days_ago(0)))
    return max(round(past.sales / 28 * 1.1, -2), 100.0)


def kpis(engine: Engine, region: str = ALL, days: int = 30) -> dict[str, float]:
    """Today's sales, orders and average order value, the daily goal, and the
    sales of the last ``days`` days (the server-rendered report's figures)."""
    today = totals(engine, region, Period.today())
    return {
        "sales": today.sales,
        "orders": today.orders,
        "average": today.average,
        "goal": goal(engine, region),
        "recent_sales": totals(engine, region, Period.last(days)).sales,
    }


# -- by dimension ----------------------------------------------------------------------

#: Each dimension: the orders' column summed by, then how that key joins its
#: name, the name and the group (fixed SQL fragments). Orders are summed by
#: their integer key first, the names joined to the few sums after.
_DIMENSIONS = {
    "category": (
        "product_id",
        "JOIN products ON products.id = sums.key"
        " JOIN categories ON categories.id = products.category_id",
        "categories.name",
        "categories.id",
    ),
    "product": (
        "product_id",
        "JOIN products ON products.id = sums.key",
        "products.name",
        "products.id",
    ),
    "province": (
        "province_id",
        "JOIN provinces ON provinces.id = sums.key",
        "provinces.name",
        "provinces.id",
    ),
    "channel": (
        "channel_id",
        "JOIN channels ON channels.id = sums.key",
        "channels.name",
        "channels.id",
    ),
}


def sales_by(
    engine: Engine,
    dimension: str,
    limit: int = 50,
    region: str = ALL,
    days: int = 30,
    period: Period | None = None,
) -> list[Row[t.Any]]:
    """Rows ``(name, sales, orders, items)`` of ``region`` in the last ``days``
    days (or ``period``), largest sales first.

    :param dimension: ``category``, ``product``, ``province`` or ``channel``.
    """
    column, joins, label, key = _DIMENSIONS[dimension]  # fixed SQL, never user text
    inner, bound = _scan(
        f"orders.{column} AS key, SUM(orders.amount) AS sales, COUNT(*) AS orders,"
        " SUM(orders.quantity) AS items",
        "",
        region,
        period or Period.last(days),
        "GROUP BY 1",
    )
    return query(
        engine,
        f"SELECT {label} AS name, SUM(sums.sales) AS sales,"
        " SUM(sums.orders) AS orders, SUM(sums.items) AS items"
        f" FROM ({inner}) AS sums {joins}"
        f" GROUP BY {key} ORDER BY sales DESC LIMIT :limit",
        limit=limit,
        **bound,
    )


def products_with_category(
    engine: Engine, region: str, days: int, limit: int = 20
) -> list[Row[t.Any]]:
    """Rows ``(name, category, items, sales)`` of the best-selling products."""
    return _joined(
        engine,
        "products.name AS name, categories.name AS category,"
        " SUM(orders.quantity) AS items, SUM(orders.amount) AS sales",
        "JOIN products ON products.id = orders.product_id"
        " JOIN categories ON categories.id = products.category_id",
        region,
        Period.last(days),
        "GROUP BY products.id ORDER BY sales DESC LIMIT :limit",
        limit=limit,
    )


@shared
def channel_daily(engine: Engine, region: str, days: int) -> dict[str, list[float]]:
    """Each channel's sales on each day of :meth:`Period.full_days` (0 where
    none), channels largest first."""
    rows = _joined(
        engine,
        "channels.name AS channel, substr(orders.created_at, 1, 10) AS day,"
        " SUM(orders.amount) AS sales",
        "JOIN channels ON channels.id = orders.channel_id",
        region,
        Period.full_days(days),
        "GROUP BY channels.id, 2 ORDER BY channels.weight DESC",
    )
    found = {(row.channel, row.day): float(row.sales) for row in rows}
    names = list(dict.fromkeys(row.channel for row in rows))
    dates = period_days(days)
    return {name: [found.get((name, day), 0.0) for day in dates] for name in names}


def city_sales(engine: Engine, province: str, days: int) -> list[tuple[str, float]]:
    """Sales of each city of ``province`` over ``days`` days, largest first.

    The demo's orders know their province only; each order goes to a city of
    it by its id, the capital (listed first) most often, so that a city's
    figures are stable and grow with new orders.
    """
    cities = CITIES.get(province, [])
    if not cities:
        return []
    rows = _orders(
        engine,
        f"orders.id % {BUCKETS} AS bucket, SUM(orders.amount) AS sales",
        province,
        Period.last(days),
        "GROUP BY 1",
    )
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(cities))]
    bounds, total = [], 0.0
    for weight in weights:
        total += weight
        bounds.append(total / sum(weights) * BUCKETS)
    sales = dict.fromkeys(cities, 0.0)
    for row in rows:
        index = next(i for i, bound in enumerate(bounds) if row.bucket < bound)
        sales[cities[index]] += float(row.sales)
    return sorted(((city, round(value, 2)) for city, value in sales.items()),
                  key=lambda item: -item[1])  # fmt: skip


# -- customers and hours ---------------------------------------------------------------


@dataclass(frozen=True)
class Customers:
    """A period's buyers: those whose first order fell in it, and the others."""

    new: int
    returning: int

    @property
    def repeat_rate(self) -> float:
        """The share of buyers who had bought before, in percent (复购率)."""
        buyers = self.new + self.returning
        return self.returning / buyers * 100 if buyers else 0.0


@shared
def customers(engine: Engine, region: str, period: Period) -> Customers:
    """New and returning customers of ``region`` who ordered in ``period``."""
    row = _joined(
        engine,
        "COUNT(DISTINCT CASE WHEN customers.created_at >= :start"
        " THEN customers.id END) AS new,"
        " COUNT(DISTINCT CASE WHEN customers.created_at < :start"
        " THEN customers.id END) AS old",
        "JOIN customers ON customers.id = orders.customer_id",
        region,
        period,
    )[0]
    return Customers(int(row.new), int(row.old))


@shared
def customers_daily(
    engine: Engine, region: str, days: int
) -> list[tuple[str, int, int]]:
    """``(day, orders of new customers, orders of returning ones)`` of each day
    of :meth:`Period.full_days`; a customer is new on the day of their first
    order."""
    rows = _joined(
        engine,
        "substr(orders.created_at, 1, 10) AS day,"
        " SUM(substr(customers.created_at, 1, 10) = substr(orders.created_at, 1, 10))"
        " AS new, COUNT(*) AS orders",
        "JOIN customers ON customers.id = orders.customer_id",
        region,
        Period.full_days(days),
        "GROUP BY 1",
    )
    found = {row.day: (int(row.new), int(row.orders) - int(row.new)) for row in rows}
    return [(day, *found.get(day, (0, 0))) for day in period_days(days)]


def order_frequency(engine: Engine, region: str, days: int) -> list[tuple[str, int]]:
    """How many customers ordered once, twice... 5 times or more in the period."""
    inner, bound = _scan(
        "COUNT(*) AS times",
        "",
        region,
        Period.last(days),
        "AND orders.customer_id IS NOT NULL GROUP BY orders.customer_id",
    )
    rows = query(
        engine,
        f"SELECT MIN(times, 5) AS times, COUNT(*) AS buyers FROM ({inner}) GROUP BY 1",
        **bound,
    )
    found = {row.times: int(row.buyers) for row in rows}
    labels = ["1 次", "2 次", "3 次", "4 次", "5 次及以上"]
    return [(label, found.get(times, 0)) for times, label in enumerate(labels, 1)]


@shared
def week_hours(engine: Engine, region: str, days: int) -> dict[tuple[int, int], int]:
    """Orders by ``(hour, weekday)`` (Monday 0) over the last ``days`` days."""
    rows = _orders(
        engine,
        "substr(created_at, 1, 13) AS hour, COUNT(*) AS orders",
        region,
        Period.last(days),
        "GROUP BY 1",
    )
    counts: dict[tuple[int, int], int] = {}
    for row in rows:  # a weekday a date, in Python: not one a row, in SQL
        key = (int(row.hour[11:]), datetime.date.fromisoformat(row.hour[:10]).weekday())
        counts[key] = counts.get(key, 0) + int(row.orders)
    return counts


def hours(engine: Engine, region: str, days: int) -> list[int]:
    """Orders in each hour of the day (0-23) over the last ``days`` days."""
    counts = [0] * 24
    for (hour, _), orders in week_hours(engine, region, days).items():
        counts[hour] += orders
    return counts


def per_minute(engine: Engine, region: str, minutes: int = 30) -> list[tuple[str, int]]:
    """``(HH:MM, orders)`` of each of the last ``minutes`` minutes."""
    start = now().replace(second=0) - datetime.timedelta(minutes=minutes - 1)
    rows = _orders(
        engine,
        "substr(created_at, 1, 16) AS minute, COUNT(*) AS orders",
        region,
        Period(stamp(start), _after_now()),
        "GROUP BY 1",
    )
    counts = {row.minute: int(row.orders) for row in rows}
    moments = [start + datetime.timedelta(minutes=i) for i in range(minutes)]
    return [
        (moment.strftime("%H:%M"), counts.get(stamp(moment)[:16], 0))
        for moment in moments
    ]


# -- single orders ---------------------------------------------------------------------


def names(engine: Engine) -> dict[str, dict[int, str]]:
    """The names of the provinces, channels and products, by id."""
    return {
        table: {row.id: row.name for row in query(engine, sql)}
        for table, sql in (
            ("provinces", "SELECT id, name FROM provinces"),
            ("channels", "SELECT id, name FROM channels"),
            ("products", "SELECT id, name FROM products"),
        )
    }


def daily_history(engine: Engine, days: int = 90) -> list[Row[t.Any]]:
    """``(day, sales, orders)`` of the last ``days`` full days (not today)."""
    return _orders(
        engine,
        "substr(created_at, 1, 10) AS day, SUM(amount) AS sales, COUNT(*) AS orders",
        ALL,
        Period(days_ago(days), days_ago(0)),
        "GROUP BY 1 ORDER BY 1",
    )
