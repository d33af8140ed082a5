"""Simulated viewers of the S1 dashboard: one process, gevent greenlets, raw sockets.

Each viewer holds one keep-alive connection and behaves as its page does:

- ``classic`` (a): loads the page and the initial line options, then every 2 s
  (setInterval: one tick per 2 s, never more than one tick in flight; a real
  browser would pile requests up) GETs ``/barChart/<j>`` for each full chart
  and ``/lineDynamicData/<j>`` for each stream;
- ``poll`` (b): GETs the chart documents, then ``/charts/api/updates`` with the
  ``since`` the server returned, 2 s after the previous answer (what the
  client runtime does with ``min(refresh) = 2 s``);
- ``sse`` (c): GETs the chart documents, then reads ``/charts/api/events``;
  every event-stream viewer checks that each point the appender made after
  its documents arrives exactly once (:class:`Ledger`).

Delays are measured at the client against times the server embedded in the
data (same machine clock): ``T=<changed_at>`` in full charts' subtext, the x
label (when the point exists) and the third value (when ``append`` was called)
of each stream point. Only what arrives inside the measurement window counts;
server CPU is read from ``/proc/<pid>/stat`` of the gunicorn master and its
workers at the window's ends. Prints one JSON object.

Several processes can share one run (S8): ``--begin`` gives them the same
clock, ``--source`` each its own 127.0.0.x address (a few tens of thousands
of ports per address pair).
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import functools  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import typing as t  # noqa: E402
from array import array  # noqa: E402
from urllib.parse import quote  # noqa: E402

import gevent  # noqa: E402
import orjson  # noqa: E402

from bench import world  # noqa: E402

PERIOD = 2.0
FULL_T = re.compile(rb"T=(\d+\.\d+)")
OUR_POINT = re.compile(rb'\["(\d+\.\d+)",[-0-9.eE+]+,(\d+\.\d+)\]')
CLASSIC_T = re.compile(rb'"t":\s*(\d+\.\d+)')
CLK_TCK = os.sysconf("SC_CLK_TCK")


class Window:
    start = float("inf")
    end = float("inf")

    @classmethod
    def holds(cls, now: float) -> bool:
        return cls.start <= now < cls.end


class Stats:
    down = 0
    up = 0
    requests = 0
    errors: list[str] = []
    late_ticks = 0
    points = 0
    versions = 0
    events = 0
    #: reads of whole events by the measured viewers in the window: the
    #: server's writes (fewer when writes arrive together)
    reads = 0
    streaming = 0  # viewers that have opened their event stream
    resumed = 0  # event streams opened again (Last-Event-ID) after one ended
    relayed = 0  # event streams the app handed to nchan
    delays = {"full": array("d"), "point": array("d"), "append": array("d")}

    @classmethod
    def record(cls, kind: str, value: float) -> None:
        cls.delays[kind].append(value)


class Exact:
    """Exactly-once over all event-stream viewers (:class:`Ledger`)."""

    owed = 0  # points the appender made after the viewers' documents, to the end
    received = 0  # of those, points received (repeats included)
    missing = 0  # points skipped (gaps) or never received by the end
    repeated = 0  # points received again
    breaks = 0  # events whose ``from`` is not the cursor the last one ended at
    resets = 0  # ``reset`` events (the server could not resume: a gap)
    miscounted = 0  # events whose points do not match their cursors
    complete = 0  # viewers that had every owed point when they stopped


#: Where the event-stream viewers connect from (``--source``).
SOURCE = {"address": "127.0.0.1"}


class Conn:
    """One keep-alive HTTP/1.1 connection, parsed as little as possible."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(
            ("127.0.0.1", port), timeout=60, source_address=(SOURCE["address"], 0)
        )
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def recv(self) -> bytes:
        data = self.sock.recv(262144)
        if not data:
            raise ConnectionError("server closed the connection")
        if Window.holds(time.time()):
            Stats.down += len(data)
        return data

    def send(self, path: str, headers: str = "") -> None:
        request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n").encode()
        self.sock.sendall(request)
        if Window.holds(time.time()):
            Stats.up += len(request)
            Stats.requests += 1

    def head(self) -> tuple[int, dict[bytes, bytes]]:
        while (end := self.buf.find(b"\r\n\r\n")) < 0:
            self.buf += self.recv()
        lines = bytes(self.buf[:end]).split(b"\r\n")
        del self.buf[: end + 4]
        status = int(lines[0][9:12])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        return status, headers

    def get(self, path: str) -> tuple[int, bytes]:
        self.send(path)
        status, headers = self.head()
        if b"content-length" in headers:
            size = int(headers[b"content-length"])
            while len(self.buf) < size:
                self.buf += self.recv()
            body = bytes(self.buf[:size])
            del self.buf[:size]
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            body = self._chunked()
        else:
            raise ConnectionError(f"no length for {path}")
        if status != 200:
            raise ConnectionError(f"{path}: HTTP {status}")
        return status, body

    def _chunked(self) -> bytes:
        parts = []
        while True:
            while (end := self.buf.find(b"\r\n")) < 0:
                self.buf += self.recv()
            size = int(bytes(self.buf[:end]).split(b";")[0], 16)
            del self.buf[: end + 2]
            while len(self.buf) < size + 2:
                self.buf += self.recv()
            parts.append(bytes(self.buf[:size]))
            del self.buf[: size + 2]
            if size == 0:
                return b"".join(parts)


def sleep_until(when: float) -> None:
    delay = when - time.time()
    if delay > 0:
        gevent.sleep(delay)


class Viewer:
    """What one viewer has seen: the newest data time of each chart, over time.

    ``log[name]`` holds ``(received_at, data_time)`` each time the newest data
    of chart ``name`` moves forward; :func:`staleness` samples it afterwards.
    """

    def __init__(self) -> None:
        self.newest: dict[str, float] = {}
        self.log: dict[str, tuple[array, array]] = {}

    def saw(self, name: str, data_time: float, now: float) -> None:
        if data_time > self.newest.get(name, 0.0):
            self.newest[name] = data_time
            received, data = self.log.setdefault(name, (array("d"), array("d")))
            received.append(now)
            data.append(data_time)

    def full(self, name: str, body: bytes, now: float) -> None:
        """A full chart's option arrived: record its version if it is new."""
        for match in FULL_T.findall(body):
            changed = float(match)
            if changed > self.newest.get(name, 0.0):
                if Window.holds(now):
                    Stats.versions += 1
                    Stats.record("full", now - changed)
                self.saw(name, changed, now)

    def points(self, name: str, body: bytes, now: float) -> None:
        """Our stream points arrived (``[x, y, t_append]``)."""
        newest = 0.0
        measured = Window.holds(now)
        for x, appended in OUR_POINT.findall(body):
            x = float(x)
            newest = max(newest, x)
            if measured:
                Stats.points += 1
                Stats.record("point", now - x)
                Stats.record("append", now - float(appended))
        if newest:
            self.saw(name, newest, now)

    def updates(self, body: bytes, now: float) -> None:
        """An ``/api/updates`` answer or event data: split by chart."""
        for part in body.split(b'"chart":"')[1:]:
            name = part[: part.index(b'"')].decode()
            if name.startswith("full"):
                self.full(name, part, now)
            else:
                self.points(name, part, now)


VIEWERS: list[Viewer] = []


def staleness(following: dict[str, t.Callable[[float], float]], step: float = 0.1):
    """Sampled every ``step`` s of the window, for every viewer and chart: the
    time since the first change that viewer has not seen yet (0 when it is up
    to date). ``following[name](data_time)``: the chart's next change."""
    out = array("d")
    grid = []
    instant = Window.start
    while instant < Window.end:
        grid.append(instant)
        instant += step
    for viewer in VIEWERS:
        for name, following_change in following.items():
            received, data = viewer.log.get(name, ((), ()))
            i, current = 0, None
            for instant in grid:
                while i < len(received) and received[i] <= instant:
                    current = data[i]
                    i += 1
                if current is not None:
                    out.append(max(0.0, instant - following_change(current)))
    return out


# ------------------------------------------------------------------ viewers


def classic(port: int, start: float, end: float, full: int, streams: int) -> None:
    me = Viewer()
    VIEWERS.append(me)
    conn = Conn(port)
    try:
        conn.get("/")
        for j in range(streams):
            conn.get(f"/lineChart/{j}")
        tick = start
        while tick < end:
            sleep_until(tick)
            for j in range(full):
                _, body = conn.get(f"/barChart/{j}")
                me.full(f"full{j}", body, time.time())
            for j in range(streams):
                _, body = conn.get(f"/lineDynamicData/{j}")
                now = time.time()
                match = CLASSIC_T.search(body)
                if match:
                    x = float(match.group(1))
                    if x > me.newest.get(f"stream{j}", 0.0) and Window.holds(now):
                        Stats.points += 1
                        Stats.record("point", now - x)
                    me.saw(f"stream{j}", x, now)
            tick += PERIOD
            if tick < time.time():  # setInterval would pile up; we skip
                Stats.late_ticks += Window.holds(time.time())
                tick = time.time()
    finally:
        conn.close()


def documents(conn: Conn, me: Viewer, names: list[str]) -> list[str]:
    """The initial chart documents: their ``since`` tokens."""
    tokens = []
    for name in names:
        _, body = conn.get(f"/charts/api/charts/{name}")
        document = orjson.loads(body)
        stream = document["kind"] == "stream"
        tokens.append(document["cursor"] if stream else document["etag"])
        if stream:
            xs = [float(x) for x, _ in OUR_POINT.findall(body)]
            if xs:
                me.saw(name, max(xs), time.time())
        else:
            me.full(name, body, time.time())
    return tokens


def query(names: list[str], tokens: list[str]) -> str:
    since = ",".join(quote(token or "", safe="") for token in tokens)
    return f"charts={','.join(names)}&since={since}"


def poll(port: int, start: float, end: float, names: list[str]) -> None:
    me = Viewer()
    VIEWERS.append(me)
    conn = Conn(port)
    try:
        tokens = documents(conn, me, names)
        while time.time() < end:
            _, body = conn.get(f"/charts/api/updates?{query(names, tokens)}")
            now = time.time()
            at = body.rfind(b'"since":')
            if at < 0:
                raise ConnectionError("no since in /api/updates answer")
            tail = orjson.loads(b"{" + body[at:])
            tokens = tail["since"].split(",")
            me.updates(body[:at], now)
            sleep_until(min(now + next_poll(tail.get("next")), end))
    finally:
        conn.close()


def next_poll(next_rebuild: float | None) -> float:
    """When the client runtime polls again: just after the next rebuild is due
    (20 ms + up to 40 ms of jitter), at most every ``PERIOD`` (its interval)."""
    if next_rebuild is None:
        return PERIOD
    return min(PERIOD, max(0.1, next_rebuild + 0.02 + random.random() * 0.04))


#: The bytes that start a point of a stream in an update (series 0).
POINT = b'[0,["'
#: A points event: its chart, the cursor after it, the cursor before it
#: (``<epoch>.<seq>``, ``seq`` counts points) and its first point's x label.
POINTS_EVENT = re.compile(
    rb'"type":"(points|reset)","chart":"([^"]+)","cursor":"[^"]*?\.(\d+)"'
    rb'(?:,"from":"[^"]*?\.(\d+)","points":\[\[0,\["(\d+\.\d+)")?'
)
#: The framing of chunked transfer encoding (SSE data holds no ``\r``).
CHUNK_SIZE = re.compile(rb"(?:^|\r\n)[0-9a-fA-F]+\r\n")


class Ledger:
    """Exactly-once for one event-stream viewer, chart by chart.

    The appender makes point ``k`` of stream ``j`` at ``world.point_time``,
    which is its x label: from an event's first x label and its cursors
    (``seq`` counts points) the ledger knows which points it carries, and
    checks that each event starts where the last one ended, with the point
    the appender made next. Points past the end of the window are not owed.
    """

    def __init__(self, me: Viewer, names: list[str], rate: float) -> None:
        self.rate = rate
        self.last_k: dict[bytes, int] = {}  # the last point owed, per chart
        self.next_k: dict[bytes, int] = {}  # the next point due, per chart
        self.first_k: dict[bytes, int] = {}
        self.seq: dict[bytes, bytes] = {}
        self.offset: dict[bytes, int] = {}  # point number - seq, per chart
        for name in names:
            if name.startswith("stream"):
                j = int(name[6:])
                key = name.encode()
                self.last_k[key] = world.latest_index(j, rate, Window.end)
                newest = me.newest.get(name)
                if newest is not None:
                    self.first_k[key] = self.next_k[key] = self._k(key, newest) + 1

    def _k(self, chart: bytes, x: float) -> int:
        j = int(chart[6:])
        return round((x - world.stream_offset(j, self.rate)) * self.rate)

    def feed(self, events: bytes) -> None:
        """Whole events (chunked framing removed)."""
        carried, resets = 0, 0
        for kind, chart, cursor, since, first_x in POINTS_EVENT.findall(events):
            if kind == b"reset":  # the window again, up to ``cursor``
                resets += 1
                self.seq[chart] = cursor
                if chart in self.offset:
                    due = self.next_k[chart]
                    after = int(cursor) + self.offset[chart] + 1
                    Exact.received += max(0, min(after, self.last_k[chart] + 1) - due)
                    self.next_k[chart] = max(due, after)
                continue
            count = int(cursor) - int(since)
            carried += count
            k = self._k(chart, float(first_x))
            self.offset[chart] = k - int(since) - 1
            if chart in self.seq and since != self.seq[chart]:
                Exact.breaks += 1
            self.seq[chart] = cursor
            due = self.next_k.setdefault(chart, k)
            self.first_k.setdefault(chart, k)
            if k > due:
                Exact.missing += k - due
            elif k < due:
                Exact.repeated += min(due, k + count) - k
            Exact.received += max(0, min(k + count, self.last_k[chart] + 1) - k)
            self.next_k[chart] = max(due, k + count)
        if not resets and carried != events.count(POINT):
            Exact.miscounted += 1
        Exact.resets += resets

    def done(self) -> bool:
        """Whether every owed point has arrived (or been skipped)."""
        return all(
            self.next_k.get(chart, 0) > last for chart, last in self.last_k.items()
        )

    def close(self) -> None:
        """Count what was owed and what never came."""
        for chart, last in self.last_k.items():
            first = self.first_k.get(chart)
            if first is not None:
                Exact.owed += max(0, last + 1 - first)  # none if it came late
                Exact.missing += max(0, last + 1 - self.next_k[chart])
        Exact.complete += self.done()


#: What is left of a chunked response once the server ended it.
LAST_CHUNK = re.compile(rb"(?:\r\n)?0\r\n\r\n")


def sse(
    port: int,
    start: float,
    end: float,
    names: list[str],
    measured: bool = True,
    rate: float = 10.0,
    drain: float = 0.0,
) -> None:
    """An event-stream viewer. One not ``measured`` only counts the points it
    receives (thousands of viewers in one process cannot all parse). Past
    ``end`` it reads on, ``drain`` s at most, until every point made before
    the window's end has arrived. A stream the server ends is resumed at
    once with ``Last-Event-ID``, as the page does (the app ends its own
    streams where nchan can take them over)."""
    me = Viewer()
    if measured:
        VIEWERS.append(me)
    conn = Conn(port)
    ledger = None
    try:
        tokens = documents(conn, me, names)
        ledger = Ledger(me, names, rate)
        path = f"/charts/api/events?{query(names, tokens)}"
        last_id = b""
        while True:  # one stream after the other
            resume = f"Last-Event-ID: {last_id.decode()}\r\n" if last_id else ""
            conn.send(path, "Accept: text/event-stream\r\n" + resume)
            status, headers = conn.head()
            if status != 200:
                raise ConnectionError(f"events: HTTP {status}")
            Stats.relayed += headers.get(b"x-stream-relay") == b"nchan"
            if last_id:
                Stats.resumed += 1
            else:
                Stats.streaming += 1
            pending = bytes(conn.buf)
            conn.buf.clear()
            while not LAST_CHUNK.fullmatch(pending):
                now = time.time()
                if now >= end and (ledger.done() or now >= end + drain):
                    return
                try:
                    pending += conn.recv()
                except ConnectionError:  # closed, not ended: a new connection
                    conn.close()
                    conn = Conn(port)
                    break
                cut = pending.rfind(b"\n\n")
                if cut < 0:
                    continue
                now = time.time()
                chunk = CHUNK_SIZE.sub(b"", pending[: cut + 2])
                pending = pending[cut + 2 :]
                ledger.feed(chunk)
                at = chunk.rfind(b"\nid: ")
                if at >= 0:
                    last_id = chunk[at + 5 : chunk.index(b"\n", at + 5)]
                if Window.holds(now):
                    if measured:
                        Stats.events += chunk.count(b"event: ")
                        Stats.reads += 1
                    else:
                        Stats.points += chunk.count(POINT)
                if measured:
                    me.updates(chunk, now)
            if not last_id:
                raise ConnectionError("the event stream ended before its first id")
    finally:
        if ledger is not None:
            ledger.close()
        conn.close()


# ------------------------------------------------------------------ CPU


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def process_tree(pids: list[int]) -> list[int]:
    tree = []
    for pid in pids:
        tree.append(pid)
        tree.extend(_children(pid))
    return tree


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def machine_busy() -> float:
    """CPU seconds all cores spent busy since boot (from /proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / CLK_TCK


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ------------------------------------------------------------------ main


def percentiles(values: array) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p99": None, "max": None, "n": 0}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": pick(0.50), "p99": pick(0.99), "max": ordered[-1], "n": len(ordered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["classic", "poll", "sse"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--viewers", type=int, default=10)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--ramp", type=float, default=None)
    parser.add_argument("--warmup", type=float, default=4.0)
    parser.add_argument("--full", type=int, default=3)
    parser.add_argument("--streams", type=int, default=3)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument(
        "--measured",
        type=int,
        default=1000,
        help="event-stream viewers whose delays are measured; the others"
        " count the points they receive",
    )
    parser.add_argument(
        "--source", default="127.0.0.1", help="the address viewers connect from"
    )
    parser.add_argument(
        "--begin",
        type=float,
        default=None,
        help="when the first viewer arrives (seconds since the epoch): the"
        " same in every process of one run",
    )
    parser.add_argument(
        "--drain",
        type=float,
        default=0.0,
        help="event streams read on, this many seconds at most after the"
        " window, until every point made in it has arrived",
    )
    parser.add_argument(
        "--pid",
        type=int,
        action="append",
        default=[],
        help="server process (its children are included)",
    )
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    n = args.viewers
    ramp = args.ramp if args.ramp is not None else world.ramp_seconds(n)
    names = [f"full{j}" for j in range(args.full)] + [
        f"stream{j}" for j in range(args.streams)
    ]
    SOURCE["address"] = args.source
    begin = args.begin if args.begin is not None else time.time() + 0.2
    Window.start = begin + ramp + args.warmup
    Window.end = Window.start + args.duration
    stop = Window.end + 0.5

    def viewer(i: int) -> None:
        sleep_until(begin + ramp * i / n)
        # the classic page's timers start with the page: spread their phase
        started = time.time() + (
            random.uniform(0, PERIOD) if args.mode == "classic" else 0
        )
        try:
            if args.mode == "classic":
                classic(args.port, started, stop, args.full, args.streams)
            elif args.mode == "poll":
                poll(args.port, started, stop, names)
            else:
                sse(
                    args.port,
                    started,
                    stop,
                    names,
                    measured=i < args.measured,
                    rate=args.rate,
                    drain=args.drain,
                )
        except Exception as error:  # noqa: BLE001 - counted and reported
            if len(Stats.errors) < 20:
                Stats.errors.append(f"viewer {i}: {type(error).__name__}: {error}")
            else:
                Stats.errors.append("")

    marks = {}

    def meter() -> None:
        sleep_until(Window.start)
        tree = process_tree(args.pid)
        marks["streaming0"] = Stats.streaming
        marks["per0"] = [cpu_seconds([pid]) for pid in tree]
        marks["busy0"] = machine_busy()
        marks["t0"], marks["cpu0"], marks["own0"] = (
            time.time(),
            cpu_seconds(tree),
            own_cpu(),
        )
        sleep_until(Window.end)
        marks["t1"], marks["cpu1"], marks["own1"] = (
            time.time(),
            cpu_seconds(tree),
            own_cpu(),
        )
        marks["tree"] = tree
        marks["streaming1"] = Stats.streaming
        marks["per1"] = [cpu_seconds([pid]) for pid in tree]
        marks["busy1"] = machine_busy()
        marks["tree_after"] = process_tree(args.pid)
        marks["rss"] = rss_mb(tree)

    greenlets = [gevent.spawn(viewer, i) for i in range(n)]
    metering = gevent.spawn(meter)
    gevent.joinall(greenlets, timeout=stop - time.time() + args.drain + 5)
    gevent.killall(greenlets, timeout=2)
    metering.join(timeout=max(5.0, stop - time.time() + 5))  # no viewers: all of it
    if "t1" not in marks:
        raise SystemExit(f"the measurement did not complete: {Stats.errors[:3]}")

    span = marks["t1"] - marks["t0"]
    server_cpu = (marks["cpu1"] - marks["cpu0"]) / span * args.duration
    viewer_minutes = n * args.duration / 60
    expected_points = n * args.streams * args.rate * args.duration
    # event-stream viewers past --measured count points, not versions
    parsing = min(n, args.measured) if args.mode == "sse" else n
    expected_versions = parsing * args.full * args.duration / PERIOD
    result = {
        "mode": args.mode,
        "viewers": n,
        "duration": args.duration,
        "server_cpu_s": server_cpu,
        "server_cpu_share": (marks["cpu1"] - marks["cpu0"]) / span,
        # no viewers (the server's fixed cost, S7): no per-viewer figures
        "cpu_s_per_viewer_min": server_cpu / viewer_minutes if n else None,
        "bytes_per_viewer_min": Stats.down / viewer_minutes if n else None,
        "bytes_up_per_viewer_min": Stats.up / viewer_minutes if n else None,
        "requests_per_s": Stats.requests / args.duration,
        # event streams opened by the start and by the end of the window
        "streaming": [marks["streaming0"], marks["streaming1"]],
        "client_cpu_share": (marks["own1"] - marks["own0"]) / span,
        # CPU used by everything else on the machine (other users' jobs):
        # results are only comparable when this stays near 0.
        "other_cpu_share": (
            (marks["busy1"] - marks["busy0"])
            - (marks["cpu1"] - marks["cpu0"])
            - (marks["own1"] - marks["own0"])
        )
        / span,
        "server_rss_mb": marks["rss"],
        "server_processes": len(marks["tree"]),
        "server_cpu_share_by_process": [
            round((b - a) / span, 3)
            for a, b in zip(marks["per0"], marks["per1"], strict=True)
        ],
        "server_restarted": sorted(marks["tree"]) != sorted(marks["tree_after"]),
        "points_received": Stats.points,
        "points_delivered": Stats.points / expected_points if expected_points else None,
        "versions_received": Stats.versions,
        "versions_delivered": (
            Stats.versions / expected_versions if expected_versions else None
        ),
        "events": Stats.events,
        "reads": Stats.reads,
        "resumed": Stats.resumed,
        "relayed": Stats.relayed,
        "late_ticks": Stats.late_ticks,
        "exact": {
            name: getattr(Exact, name)
            for name in (
                "owed",
                "received",
                "missing",
                "repeated",
                "breaks",
                "resets",
                "miscounted",
                "complete",
            )
        },  # fmt: skip
        "client_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "errors": len(Stats.errors),
        "error_samples": [e for e in Stats.errors if e][:5],
        "delay": {kind: percentiles(values) for kind, values in Stats.delays.items()},
        "staleness": {
            "full": percentiles(
                staleness(
                    {
                        f"full{j}": functools.partial(world.full_next_change, j)
                        for j in range(args.full)
                    }
                )
            ),
            "stream": percentiles(
                staleness(
                    {
                        f"stream{j}": lambda x, gap=1 / args.rate: x + gap
                        for j in range(args.streams)
                    }
                )
            ),
        },
    }
    sys.stdout.write(orjson.dumps(result).decode() + "\n")


if __name__ == "__main__":
    main()
