"""The demo's retail database: schema, generated history, live order simulator.

An SQLite file holds categories, products, provinces, sales channels,
customers and orders. On first run :func:`open_database` creates it with 90
days of orders (about 70,000, with daily, weekly and hourly rhythms, from
about 30,000 customers who come back); on later runs it tops
the history up to the present. A :class:`Simulator` then inserts new orders
every second, as a shop's order system would.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import math
import os
import random
import sqlite3
import threading
import typing as t
from dataclasses import dataclass
from pathlib import Path

import click
from sqlalchemy import (
    Column,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    select,
)

logger = logging.getLogger("flask_pyecharts.demo")

metadata = MetaData()

categories = Table(
    "categories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(40), nullable=False, unique=True),
)
products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("category_id", ForeignKey("categories.id"), nullable=False),
    Column("price", Float, nullable=False),
    Column("popularity", Float, nullable=False),
)
provinces = Table(
    "provinces",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False, unique=True),
    Column("weight", Float, nullable=False),
)
channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False, unique=True),
    Column("weight", Float, nullable=False),
)
customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("province_id", ForeignKey("provinces.id"), nullable=False),
    #: The time of the customer's first order: new customers of a period are
    #: those that joined in it.
    Column("created_at", String(19), nullable=False, index=True),
)
orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    #: Local time as ``YYYY-MM-DD HH:MM:SS``: sortable, readable by ECharts.
    Column("created_at", String(19), nullable=False, index=True),
    Column("product_id", ForeignKey("products.id"), nullable=False),
    Column("province_id", ForeignKey("provinces.id"), nullable=False),
    Column("channel_id", ForeignKey("channels.id"), nullable=False),
    #: ``NULL`` for a guest order (as other programs may insert).
    Column("customer_id", ForeignKey("customers.id")),
    Column("quantity", Integer, nullable=False),
    Column("amount", Float, nullable=False),
    sqlite_autoincrement=True,  # ids never reused: a safe stream cursor
)
# A region's reports read one province's orders of a period.
Index("ix_orders_province_time", orders.c.province_id, orders.c.created_at)

#: The chance that an order comes from a new customer (else from one of the
#: province's earlier customers, any of them alike).
NEW_CUSTOMER = 0.4

#: Categories and their products: (name, price in yuan, popularity).
CATALOG: dict[str, list[tuple[str, float, float]]] = {
    "手机数码": [
        ("旗舰 5G 智能手机 12GB+512GB 星河蓝 卫星通话 超长续航版", 5999, 3.0),
        ("真无线主动降噪蓝牙耳机（第二代）", 899, 4.0),
        ("65W 氮化镓快充充电器", 129, 5.0),
        ("智能手表 运动健康监测 心率血氧 NFC 支付 长续航", 1299, 2.0),
    ],
    "家用电器": [
        ("一级能效变频冷暖空调 1.5 匹 挂机", 2899, 1.5),
        ("十公斤滚筒洗衣机 智能投放 除菌除螨 洗烘一体", 3299, 1.0),
        ("多功能破壁料理机", 399, 2.5),
        ("空气炸锅 5L 大容量", 299, 3.5),
    ],
    "电脑办公": [
        ("14 英寸轻薄笔记本电脑 32GB 1TB 2.8K OLED 高刷屏", 6499, 1.2),
        ("机械键盘 茶轴", 349, 2.0),
        ("27 英寸 4K 显示器", 1899, 1.0),
        ("A4 复印纸 70g 500 张×5 包", 119, 4.0),
    ],
    "服饰内衣": [
        ("纯棉圆领短袖 T 恤", 79, 6.0),
        ("轻薄羽绒服 男女同款 可收纳 防风保暖", 499, 2.0),
        ("高腰直筒牛仔裤", 199, 3.5),
        ("羊毛衫", 299, 2.0),
    ],
    "美妆个护": [
        ("补水保湿精华液 30ml", 259, 4.5),
        ("声波电动牙刷 成人款 五种清洁模式 IPX7 防水 礼盒装", 399, 3.0),
        ("氨基酸洗面奶", 69, 6.0),
    ],
    "食品生鲜": [
        ("智利进口车厘子 2 斤装 JJ 级 顺丰冷链 产地直发", 168, 5.0),
        ("每日坚果 30 袋", 129, 6.0),
        ("东北五常大米 5kg", 89, 5.0),
        ("精品挂耳咖啡 50 片", 99, 4.0),
    ],
    "母婴玩具": [
        ("婴儿纸尿裤 L 码 168 片", 229, 4.0),
        ("儿童益智积木 1000 颗粒", 159, 2.5),
        ("婴幼儿配方奶粉 3 段 800g", 298, 3.0),
    ],
    "家居家装与厨房收纳用品": [
        ("不粘炒锅 32cm", 159, 3.0),
        ("可折叠收纳箱 三件套", 59, 4.5),
        ("乳胶枕 一对装", 199, 2.5),
    ],
    "运动户外与健身器材": [
        ("专业跑步鞋 缓震回弹 轻量透气 男女款", 599, 3.0),
        ("瑜伽垫 加厚 10mm", 89, 3.5),
        ("可调节哑铃 一对 20kg", 399, 1.2),
    ],
    "图书音像": [
        ("Python 数据分析实战（第 3 版）", 89, 3.0),
        ("中国历史地理全集 精装典藏版 全十二册 附赠手绘地图", 698, 0.6),
        ("儿童绘本 10 册套装", 128, 3.0),
    ],
}

#: Provinces, weighted by their share of orders.
PROVINCES: dict[str, float] = {
    "广东": 12.0, "浙江": 9.0, "江苏": 8.5, "上海": 7.0, "北京": 6.5,
    "山东": 5.5, "四川": 4.5, "福建": 4.5, "河南": 4.0, "湖北": 3.8,
    "湖南": 3.3, "安徽": 3.0, "河北": 3.0, "陕西": 2.5, "重庆": 2.5,
    "天津": 2.2, "辽宁": 2.2, "江西": 2.0, "广西": 2.0, "云南": 1.8,
    "山西": 1.5, "黑龙江": 1.4, "吉林": 1.1, "贵州": 1.2, "内蒙古": 0.9,
    "新疆": 0.8, "甘肃": 0.7, "海南": 0.7, "宁夏": 0.3, "青海": 0.2,
    "西藏": 0.1,
}  # fmt: skip

#: Sales channels, weighted by their share of orders.
CHANNELS: dict[str, float] = {
    "天猫旗舰店": 30.0,
    "京东自营": 24.0,
    "抖音直播": 17.0,
    "拼多多": 13.0,
    "微信小程序": 9.0,
    "线下门店": 7.0,
}

#: Relative order rate by hour of day (0-23) and by weekday (Monday first).
HOURLY = [
    0.35, 0.18, 0.09, 0.05, 0.05, 0.08, 0.2, 0.45, 0.7, 0.9, 1.1, 1.2,
    1.05, 0.95, 1.0, 1.05, 1.0, 0.95, 1.0, 1.3, 1.6, 1.85, 1.5, 0.85,
]  # fmt: skip
WEEKDAY = [0.92, 0.9, 0.95, 0.97, 1.05, 1.25, 1.2]

#: Average orders per day in the generated history.
ORDERS_PER_DAY = 800
HISTORY_DAYS = 90
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def default_path() -> Path:
    """Where the demo keeps its database: the user's cache directory."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "flask-pyecharts" / "demo.sqlite3"


def streams_path(database: Path) -> Path:
    """Where the demo keeps its streams (``PYECHARTS_STORE``), next to its
    database: ``demo.sqlite3`` has ``demo-streams.sqlite3``."""
    return database.with_name(f"{database.stem}-streams{database.suffix}")


def remove(path: Path) -> None:
    """Delete the SQLite file ``path`` with its ``-wal`` and ``-shm`` files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def now() -> datetime.datetime:
    """The current local time, to the second."""
    return datetime.datetime.now().replace(microsecond=0)


def stamp(moment: datetime.datetime) -> str:
    """A time as stored in ``orders.created_at``."""
    return moment.strftime(TIME_FORMAT)


#: SQLite's own page cache of each pooled connection, in KiB. Its default
#: (2 MiB) copies what the system's file cache already holds, and each of
#: the pool's connections grows to it as it meets new regions: every region's
#: queries on five connections took 14 MB with it, 5 MB with this.
PAGE_CACHE_KIB = 256


def connect(path: str | os.PathLike[str]) -> Engine:
    """An engine on the SQLite file ``path`` (which must exist)."""
    engine = create_engine(
        f"sqlite:///{os.fspath(path)}",
        connect_args={"timeout": 30, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def small_page_cache(connection: sqlite3.Connection, _: t.Any) -> None:
        connection.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")

    return engine


def open_database(
    path: str | os.PathLike[str] | None = None,
    *,
    progress: bool = True,
    seed: int | None = None,
) -> Engine:
    """Open the demo database, creating it on first use and catching up to now.

    :param path: the SQLite file; default :func:`default_path`.
    :param progress: show a progress bar while orders are generated.
    :param seed: make the generated history reproducible.
    """
    path = Path(path) if path is not None else default_path()
    if path.exists() and not _has_customers(path):
        if progress:
            click.echo(f"The demo database {path} predates customers: generating anew")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if not path.exists():
        create_database(path, progress=progress, seed=seed)
    engine = connect(path)
    catch_up(engine, progress=progress, seed=seed)
    return engine


def _has_customers(path: Path) -> bool:
    """Whether the database at ``path`` has this version's customers."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        columns = connection.execute("PRAGMA table_info(orders)").fetchall()
    return any(column[1] == "customer_id" for column in columns)


def create_database(
    path: str | os.PathLike[str],
    *,
    days: int = HISTORY_DAYS,
    progress: bool = True,
    seed: int | None = None,
    end: datetime.datetime | None = None,
) -> None:
    """Create the database at ``path`` with the order history of ``days`` days
    and today so far.

    The file is written under a temporary name and renamed when complete, so
    an interrupted run never leaves a half-filled database behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    engine = connect(partial)
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            _insert_catalog(connection)
        end = end or now()
        rng = random.Random(seed)
        # From midnight: the first day of a report's 90 is a whole day.
        start = (end - datetime.timedelta(days=days)).replace(
            hour=0, minute=0, second=0
        )
        generate_orders(engine, start, end, rng, progress)
    except BaseException:
        engine.dispose()
        partial.unlink(missing_ok=True)
        raise
    engine.dispose()
    with sqlite3.connect(partial) as raw:
        raw.execute("PRAGMA journal_mode=WAL")  # readers never wait for writers
    os.replace(partial, path)


def catch_up(engine: Engine, *, progress: bool = True, seed: int | None = None) -> int:
    """Generate the orders missing between the last one and now; return how many."""
    with engine.connect() as connection:
        last = connection.execute(select(func.max(orders.c.created_at))).scalar()
    end = now()
    start = datetime.datetime.strptime(last, TIME_FORMAT) if last else end
    if end - start < datetime.timedelta(minutes=1):
        return 0
    start = max(start, end - datetime.timedelta(days=HISTORY_DAYS))
    start += datetime.timedelta(seconds=1)
    return generate_orders(engine, start, end, random.Random(seed), progress)


def _insert_catalog(connection: t.Any) -> None:
    connection.execute(
        categories.insert(),
        [{"id": i, "name": name} for i, name in enumerate(CATALOG, start=1)],
    )
    connection.execute(
        products.insert(),
        [
            {"name": name, "category_id": i, "price": price, "popularity": weight}
            for i, items in enumerate(CATALOG.values(), start=1)
            for name, price, weight in items
        ],
    )
    connection.execute(
        provinces.insert(),
        [{"name": name, "weight": weight} for name, weight in PROVINCES.items()],
    )
    connection.execute(
        channels.insert(),
        [{"name": name, "weight": weight} for name, weight in CHANNELS.items()],
    )


@dataclass(frozen=True)
class Catalog:
    """What orders are drawn from: ids, prices and weights, read from the database."""

    products: list[tuple[int, float]]
    product_weights: list[float]
    provinces: list[int]
    province_weights: list[float]
    channels: list[int]
    channel_weights: list[float]

    @classmethod
    def load(cls, engine: Engine) -> Catalog:
        with engine.connect() as connection:
            items = connection.execute(
                select(products.c.id, products.c.price, products.c.popularity)
            ).all()
            places = connection.execute(
                select(provinces.c.id, provinces.c.weight)
            ).all()
            sellers = connection.execute(select(channels.c.id, channels.c.weight)).all()
        if not items or not places or not sellers:
            raise RuntimeError(
                "The demo database has no catalog; delete it to rebuild."
            )
        return cls(
            [(row.id, row.price) for row in items],
            _cumulative(row.popularity for row in items),
            [row.id for row in places],
            _cumulative(row.weight for row in places),
            [row.id for row in sellers],
            _cumulative(row.weight for row in sellers),
        )

    def orders(
        self,
        rng: random.Random,
        times: t.Sequence[datetime.datetime],
        buyers: Customers,
    ) -> list[dict[str, t.Any]]:
        """One random order at each of ``times``, each by a customer of
        ``buyers`` (new customers join it: insert its :meth:`Customers.joined`
        before the orders)."""
        count = len(times)
        chosen = rng.choices(self.products, cum_weights=self.product_weights, k=count)
        places = rng.choices(self.provinces, cum_weights=self.province_weights, k=count)
        sellers = rng.choices(self.channels, cum_weights=self.channel_weights, k=count)
        rows = []
        for moment, (product, price), place, seller in zip(
            times, chosen, places, sellers, strict=True
        ):
            quantity = 1 if price > 1000 else rng.choice((1, 1, 1, 2, 2, 3))
            discount = rng.choice((1.0, 1.0, 0.95, 0.9, 0.85, 0.8))
            rows.append(
                {
                    "created_at": stamp(moment),
                    "product_id": product,
                    "province_id": place,
                    "channel_id": seller,
                    "customer_id": buyers.pick(rng, place, moment),
                    "quantity": quantity,
                    "amount": round(price * quantity * discount, 2),
                }
            )
        return rows


class Customers:
    """The customers orders are drawn from, by province; new ones join as
    orders come (:data:`NEW_CUSTOMER`)."""

    def __init__(self, by_province: dict[int, list[int]], last_id: int) -> None:
        self.by_province = by_province
        self.last_id = last_id
        self._joined: list[dict[str, t.Any]] = []

    @classmethod
    def load(cls, engine: Engine) -> Customers:
        by_province: dict[int, list[int]] = {}
        with engine.connect() as connection:
            rows = connection.execute(
                select(customers.c.id, customers.c.province_id).order_by(customers.c.id)
            ).all()
        for row in rows:
            by_province.setdefault(row.province_id, []).append(row.id)
        return cls(by_province, rows[-1].id if rows else 0)

    def pick(self, rng: random.Random, province: int, moment: datetime.datetime) -> int:
        """The customer of an order placed in ``province`` at ``moment``."""
        known = self.by_province.setdefault(province, [])
        if known and rng.random() >= NEW_CUSTOMER:
            return rng.choice(known)
        self.last_id += 1
        known.append(self.last_id)
        self._joined.append(
            {"id": self.last_id, "province_id": province, "created_at": stamp(moment)}
        )
        return self.last_id

    def joined(self) -> list[dict[str, t.Any]]:
        """The customers who joined since the last call, to insert."""
        rows, self._joined = self._joined, []
        return rows


def _cumulative(weights: t.Iterable[float]) -> list[float]:
    total, result = 0.0, []
    for weight in weights:
        total += weight
        result.append(total)
    return result


def generate_orders(
    engine: Engine,
    start: datetime.datetime,
    end: datetime.datetime,
    rng: random.Random,
    progress: bool = True,
) -> int:
    """Insert orders between ``start`` and ``end`` at the historical rate.

    One transaction, one ``executemany`` per day: 90 days take about a second.
    Orders are inserted in time order, so ids increase with time.
    """
    catalog = Catalog.load(engine)
    buyers = Customers.load(engine)
    mean_hourly = sum(HOURLY) / len(HOURLY)
    first = start.replace(minute=0, second=0)
    hours = max(0, math.ceil((end - first).total_seconds() / 3600))
    span = max((end - start).total_seconds(), 1.0)
    total = 0
    label = f"Generating {span // 86400:.0f} days of orders"
    with engine.begin() as connection, _progress(progress, hours, label) as bar:
        pending: list[dict[str, t.Any]] = []
        for index in range(hours):
            slot = first + datetime.timedelta(hours=index)
            begin, stop = max(slot, start), min(slot + datetime.timedelta(hours=1), end)
            seconds = (stop - begin).total_seconds()
            if seconds > 0:
                trend = 0.8 + 0.4 * (slot - start).total_seconds() / span
                rate = (
                    ORDERS_PER_DAY
                    / 24
                    * HOURLY[slot.hour]
                    / mean_hourly
                    * WEEKDAY[slot.weekday()]
                    * trend
                    * seconds
                    / 3600
                )
                count = _poisson(rng, rate)
                offsets = sorted(rng.random() * seconds for _ in range(count))
                times = [begin + datetime.timedelta(seconds=int(s)) for s in offsets]
                pending += catalog.orders(rng, times, buyers)
            if len(pending) >= 5000 or index == hours - 1:
                joined = buyers.joined()
                if joined:
                    connection.execute(customers.insert(), joined)
                if pending:
                    connection.execute(orders.insert(), pending)
                total += len(pending)
                pending = []
            bar.update(1)
    return total


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (normal approximation for large means)."""
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, steps: int) -> None:
        return None


def _progress(show: bool, length: int, label: str) -> t.Any:
    if not show or length < 24:
        return _NoBar()
    return click.progressbar(length=length, label=label, width=30, show_eta=False)


class Simulator:
    """Inserts new orders every second on a daemon thread, like a live shop.

    :param engine: the demo database.
    :param rate: the average number of orders per second.
    """

    def __init__(self, engine: Engine, rate: float = 0.5, seed: int | None = None):
        self.engine = engine
        self.rate = rate
        self._rng = random.Random(seed)
        self._catalog: Catalog | None = None
        self._customers: Customers | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="pyecharts-demo-simulator", daemon=True
        )

    def start(self) -> None:
        """Start inserting orders."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop inserting orders and wait for the thread to end."""
        self._stopped.set()
        # The app's finalizer may run in this very thread (garbage collection).
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def insert(self, count: int = 1) -> list[int]:
        """Insert ``count`` orders placed now; return their ids."""
        if self._catalog is None or self._customers is None:
            self._catalog = Catalog.load(self.engine)
            self._customers = Customers.load(self.engine)
        rows = self._catalog.orders(self._rng, [now()] * count, self._customers)
        with self.engine.begin() as connection:
            joined = self._customers.joined()
            if joined:
                connection.execute(customers.insert(), joined)
            inserted = [connection.execute(orders.insert(), row) for row in rows]
        return [int(result.inserted_primary_key[0]) for result in inserted]  # type: ignore[index]

    def _run(self) -> None:
        while not self._stopped.wait(1.0):
            try:
                count = _poisson(self._rng, self.rate)
                if count:
                    self.insert(count)
            except Exception:
                logger.exception("The order simulator failed; retrying")
