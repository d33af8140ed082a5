"""S8: viewers served by nginx, next to the recipe, and event streams at scale.

Side by side at 1,000 viewers (``--s8-ways``), each way on a fresh deployment:

- ``classic``: the recipe (gunicorn, 2 gevent workers), as in S1 (a);
- ``poll-cache``: ours polling ``/api/updates`` through nginx with the
  configuration ``flask pyecharts nginx`` prints (its cache answers each
  question once);
- ``sse-nginx``: ours, event streams through the same nginx (a plain proxy);
- ``sse-nchan``: ours, event streams handed to nchan, when the installed
  package can do it (the runner says so when it cannot).

Then the scale run (``--s8-scale N``): one deployment (gunicorn workers
sharing a Redis store, the appender in a process of its own, nginx with
several workers) measured at 1,000 and at N event-stream viewers. The viewers
run in several processes (at most :data:`PER_PROCESS` each), each from its own
127.0.0.x address; the first process holds the sample that measures delays,
the others count their points. Every event-stream viewer checks exactly-once
(see ``bench.viewers.Ledger``).

Server CPU and memory: every process of the deployment (nginx master and
workers, gunicorn master and workers, Redis, the appender), from ``/proc``,
over the measured window.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import typing as t
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench import world
from bench.run import LOGS, PYTHON, ROOT, VENV, free_port, log, wait_quiet
from bench.viewers import cpu_seconds, process_tree, rss_mb

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NCHAN_MODULE = Path("/usr/lib/nginx/modules/ngx_nchan_module.so")
#: Viewers per viewer process (each holds one socket per viewer, under the
#: 20,000 open files a process may have here).
PER_PROCESS = 6000
#: Viewers of the scale run's sample (delays measured; they parse everything).
SAMPLE = 500
#: Seconds event streams may read on after the window for the last points.
DRAIN = 10.0
#: The environment of every process started: bench/ importable, and the
#: package that PYTHONPATH names, if any (a work tree's src/).
PYTHONPATH = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


def environment(**extra: str) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=PYTHONPATH, **extra)


@dataclass(frozen=True)
class Way:
    label: str
    app: str
    mode: str  # bench.viewers' mode
    front: str | None  # nginx in front: "cache" (the printed config), "nchan"
    workers: int = 1
    #: seconds between the last arrival and the window, at least
    warmup: float = 4.0


CLASSIC, OURS = "bench.apps:create_classic()", "bench.apps:create_ours()"
WAYS = {
    "classic": Way("(a) classic recipe", CLASSIC, "classic", None, 2),
    "poll-cache": Way("ours, polls through nginx's cache", OURS, "poll", "cache"),
    "sse-nginx": Way("ours, event streams through nginx (proxy)", OURS, "sse", "cache"),
    "sse-nchan": Way("ours, event streams through nchan", OURS, "sse", "nchan"),
}


def nchan_unavailable() -> str | None:
    """Why event streams cannot go through nchan here, or ``None``."""
    if not NCHAN_MODULE.exists():
        return f"{NCHAN_MODULE} is missing (apt-get install libnginx-mod-nchan)"
    if not nchan_option():
        return (
            "the installed flask-pyecharts does not hand event streams to nchan"
            " (`flask pyecharts nginx --help` names no nchan option)"
        )
    return None


def nchan_option() -> bool:
    """Whether ``flask pyecharts nginx`` has ``--nchan`` (nchan's locations;
    the app then publishes to ``PYECHARTS_NCHAN``)."""
    return re.search(r"--nchan\b(?!-)", flask_cli(["nginx", "--help"])) is not None


def flask_cli(args: list[str], env: dict[str, str] | None = None) -> str:
    """``flask --app bench.apps:create_ours() pyecharts ARGS``: its output."""
    done = subprocess.run(
        [PYTHON, "-m", "flask", "--app", OURS, "pyecharts", *args],
        cwd=ROOT,
        env=environment(**{**(env or {}), "BENCH_APPENDER": "0"}),
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"flask pyecharts {' '.join(args)}: {done.stderr[-1000:]}")
    return done.stdout


def nginx_config(
    front: str,
    listen: int,
    upstreams: list[str],
    prefix: Path,
    workers: int,
    env: dict[str, str],
) -> str:
    """The configuration ``flask pyecharts nginx`` prints, with what a machine
    serving tens of thousands of connections changes: ``workers`` processes
    of 19,000 connections each, and several upstream addresses (each address
    pair has about 28,000 ports)."""
    args = ["nginx", "--listen", f"127.0.0.1:{listen}", "--upstream", upstreams[0]]
    args += ["--prefix", str(prefix)]
    if front == "nchan":
        args.append("--nchan")
    text = flask_cli(args, env)
    servers = "\n".join(f"server {upstream};" for upstream in upstreams)
    for pattern, replacement in (
        (r"worker_processes \w+;", f"worker_processes {workers};"),
        (r"worker_connections \d+;", "worker_connections 19000;"),
        (rf"server {re.escape(upstreams[0])};", servers),
    ):
        text, count = re.subn(pattern, replacement, text)
        if count != 1:
            raise RuntimeError(f"the printed nginx configuration has no {pattern!r}")
    return "worker_rlimit_nofile 20000;\n" + text


@dataclass
class Deployment:
    """Where viewers connect, and the server's processes by group."""

    port: int
    groups: dict[str, list[int]]  # group -> root pids (children included)


@contextlib.contextmanager
def deploy(
    way: Way,
    name: str,
    workers: int | None = None,
    redis: bool = False,
    nginx_workers: int = 2,
    upstream_addresses: int = 1,
    env: dict[str, str] | None = None,
) -> t.Iterator[Deployment]:
    """Start ``way``'s server (and nginx in front, and Redis with the appender
    in a process of its own when ``redis``); stop them all at the end."""
    wait_quiet()
    LOGS.mkdir(exist_ok=True)
    env = dict(env or {})
    started: list[tuple[str, subprocess.Popen]] = []
    prefix = Path(tempfile.mkdtemp(prefix="fpe-s8-"))
    prefix.chmod(0o755)  # nginx's workers run as another user under root
    try:
        if redis:
            redis_port = free_port()
            started.append(("redis", subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--maxclients", "10000"],
                stdout=subprocess.DEVNULL,
            )))  # fmt: skip
            env.update(
                PYECHARTS_STORE=f"redis://127.0.0.1:{redis_port}/0?max_connections=5000",
                BENCH_APPENDER="0",
            )
            time.sleep(0.5)
            started.append(("appender", subprocess.Popen(
                [PYTHON, "-m", "bench.apps"], cwd=ROOT,
                env=environment(**env),
            )))  # fmt: skip
        if way.front == "nchan":  # where nginx takes the app's publications
            env["PYECHARTS_NCHAN"] = f"http://127.0.0.1:{free_port()}"
        port = free_port()
        binds = [f"127.0.0.{1 + i}:{port}" for i in range(upstream_addresses)]
        command = [
            str(VENV / "gunicorn"), "-k", "gevent", "-w", str(workers or way.workers),
            "--worker-connections", "20000", "--keep-alive", "30",
            "--timeout", "120", "--graceful-timeout", "3", "--backlog", "4096",
            "--chdir", str(ROOT), *[f"-b{bind}" for bind in binds], way.app,
        ]  # fmt: skip
        with open(LOGS / f"{name}-gunicorn.log", "w") as output:
            started.append(("gunicorn", subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT,
                env=environment(**env),
            )))  # fmt: skip
        health = "/lineDynamicData/0" if way.mode == "classic" else "/charts/api/charts"
        wait_answer(port, health, started)
        entry = port
        if way.front:
            entry = free_port()
            config = prefix / "nginx.conf"
            config.write_text(
                nginx_config(way.front, entry, binds, prefix, nginx_workers, env)
            )
            started.append(("nginx", subprocess.Popen(
                [NGINX, "-c", str(config), "-p", str(prefix), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )))  # fmt: skip
            wait_answer(entry, health, started)
        time.sleep(1.0)  # every worker booted
        groups: dict[str, list[int]] = {}
        for group, process in started:
            key = "python" if group in ("gunicorn", "appender") else group
            groups.setdefault(key, []).append(process.pid)
        yield Deployment(entry, groups)
    finally:
        for _, process in reversed(started):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if (prefix / "error.log").exists():
            shutil.copy(prefix / "error.log", LOGS / f"{name}-nginx-error.log")
        shutil.rmtree(prefix, ignore_errors=True)


def wait_answer(
    port: int, path: str, started: list[tuple[str, subprocess.Popen]]
) -> None:
    deadline = time.time() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):
                return
        except OSError as error:
            dead = [group for group, p in started if p.poll() is not None]
            if dead or time.time() > deadline:
                raise RuntimeError(
                    f"{dead or path} did not start; see {LOGS}"
                ) from error
            time.sleep(0.2)


class Meter:
    """CPU and RSS of each group of server processes over the window, from
    ``/proc``; RSS sampled every second, its peak kept. And the CPU of the
    ``arrivals`` (first and last viewer due), the share as ``arrival_cpu_share``."""

    def __init__(
        self,
        groups: dict[str, list[int]],
        arrivals: tuple[float, float],
        start: float,
        end: float,
    ) -> None:
        self.groups, self.arrivals, self.start, self.end = groups, arrivals, start, end
        self.result: dict[str, dict[str, float]] = {}
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def trees(self) -> dict[str, list[int]]:
        return {group: process_tree(pids) for group, pids in self.groups.items()}

    def run(self) -> None:
        first, last = self.arrivals
        time.sleep(max(0.0, first - time.time()))
        trees = self.trees()
        arriving = {group: cpu_seconds(pids) for group, pids in trees.items()}
        time.sleep(max(0.0, last - time.time()))
        arrived = {group: cpu_seconds(pids) for group, pids in trees.items()}
        spent = max(time.time() - first, 0.1)
        time.sleep(max(0.0, self.start - time.time()))
        trees = self.trees()
        before = {group: cpu_seconds(pids) for group, pids in trees.items()}
        began = time.time()
        peak = dict.fromkeys(trees, 0.0)
        while time.time() < self.end:
            for group, pids in trees.items():
                peak[group] = max(peak[group], rss_mb(pids))
            time.sleep(min(1.0, max(0.0, self.end - time.time())))
        span = time.time() - began
        for group, pids in trees.items():
            self.result[group] = {
                "cpu_share": (cpu_seconds(pids) - before[group]) / span,
                "rss_mb": max(peak[group], rss_mb(pids)),
                "processes": len(pids),
                "arrival_cpu_share": (arrived[group] - arriving[group]) / spent,
            }

    def join(self) -> dict[str, dict[str, float]]:
        self.thread.join(self.end - time.time() + 30)
        return self.result


def run_viewers(
    deployment: Deployment, way: Way, n: int, duration: float, name: str
) -> dict:
    """``n`` viewers of ``way`` in several processes; the deployment metered
    over their window. One row: the sample's figures, everyone's counts."""
    ramp = world.ramp_seconds(n)
    warmup = max(way.warmup, 4.0 if n <= 1000 else 20.0)
    # the sample in a process of its own: the others' load does not delay it
    sample = n if n <= 1000 else SAMPLE
    sizes = [sample] + [
        len(part) for part in _split(n - sample, PER_PROCESS) if len(part)
    ]
    begin = time.time() + 3.0  # every process started
    start = begin + ramp + warmup
    meter = Meter(deployment.groups, (begin, begin + ramp), start, start + duration)
    processes = []
    for index, size in enumerate(sizes):
        command = [
            PYTHON, "-m", "bench.viewers", way.mode,
            "--port", str(deployment.port), "--viewers", str(size),
            "--duration", str(duration), "--begin", f"{begin:.3f}",
            "--ramp", f"{ramp:.3f}", "--warmup", f"{warmup:.3f}",
            "--source", f"127.0.0.{10 + index}",
            "--measured", str(size if index == 0 else 0),
            "--drain", str(DRAIN if way.mode == "sse" else 0),
        ]  # fmt: skip
        processes.append(
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=environment(),
                stdout=subprocess.PIPE,
                stderr=open(LOGS / f"{name}-viewers-{index}.log", "w"),  # noqa: SIM115
                text=True,
            )
        )
    parts = []
    for index, process in enumerate(processes):
        out, _ = process.communicate(timeout=ramp + warmup + duration + DRAIN + 180)
        if process.returncode != 0:
            raise RuntimeError(
                f"viewers {index} failed: see {name}-viewers-{index}.log"
            )
        parts.append(json.loads(out.strip().splitlines()[-1]))
    servers = meter.join()
    return combine(parts, servers, n, duration, sizes)


def _split(count: int, size: int) -> list[range]:
    processes = math.ceil(count / size) if count > 0 else 0
    return [range(i, count, processes) for i in range(processes)]


def combine(
    parts: list[dict], servers: dict[str, dict], n: int, duration: float, sizes: list
) -> dict:
    """One row from the viewer processes' figures and the server's."""
    sample = parts[0]
    own = sum(p["client_cpu_share"] for p in parts)
    exact = {key: sum(p["exact"][key] for p in parts) for key in parts[0]["exact"]}
    cpu = sum(group["cpu_share"] for group in servers.values())
    points = sum(p["points_received"] for p in parts)
    expected = n * 3 * 10 * duration  # 3 streams x 10 points a second
    return {
        "viewers": n,
        "duration": duration,
        "processes": sizes,
        "server_cpu_share": cpu,
        "cpu_s_per_viewer_min": cpu * 60 / n,
        "servers": servers,
        "bytes_per_viewer_min": sum(
            p["bytes_per_viewer_min"] * p["viewers"] for p in parts
        )
        / n,  # noqa: E501
        "delay": sample["delay"],
        "staleness": sample["staleness"],
        "sample": sample["viewers"],
        # what each sampled event-stream viewer got a second: events, and
        # reads of them (the server's writes, or fewer)
        "events_per_viewer_s": sample["events"] / sample["viewers"] / duration,
        "reads_per_viewer_s": sample["reads"] / sample["viewers"] / duration,
        "points_delivered": points / expected,
        "exact": exact,
        "streaming": [sum(p["streaming"][i] for p in parts) for i in (0, 1)],
        # streams handed to nchan; streams resumed after the server ended one
        "relayed": sum(p["relayed"] for p in parts),
        "resumed": sum(p["resumed"] for p in parts),
        "errors": sum(p["errors"] for p in parts),
        "error_samples": [e for p in parts for e in p["error_samples"]][:5],
        "client_cpu_share": own,
        "client_rss_mb": sum(p["client_rss_mb"] for p in parts),
        # the machine's busy cores, less the server's and the viewers'
        "other_cpu_share": sample["other_cpu_share"]
        + sample["client_cpu_share"]
        - cpu
        - own,
    }


def side_by_side(ways: list[str], n: int, duration: float) -> list[dict]:
    """Each way at ``n`` viewers on a fresh deployment."""
    rows = []
    for key in ways:
        way = WAYS[key]
        if way.front == "nchan" and (why := nchan_unavailable()):
            log(f"S8 {way.label}: not run: {why}")
            rows.append({"way": key, "viewers": n, "unavailable": why})
            continue
        log(f"S8 {way.label}, {n} viewers, {duration:.0f} s")
        try:
            with deploy(way, f"s8-{key}-{n}") as deployment:
                row = run_viewers(deployment, way, n, duration, f"s8-{key}-{n}")
        except Exception as error:  # one failed run does not end the others
            log(f"  failed: {error}")
            continue
        row["way"] = key
        rows.append(row)
        log_row(row)
    return rows


def scale(key: str, ns: list[int], duration: float) -> list[dict]:
    """``key``'s event streams at 1,000 and at each of ``ns`` viewers, one
    deployment for all (sized for the most): gunicorn workers on a Redis
    store, the appender apart, nginx with several workers."""
    way = WAYS[key]
    n = max(ns)
    if way.front == "nchan" and (why := nchan_unavailable()):
        log(f"S8 scale through nchan: not run: {why}")
        return [{"way": key, "viewers": n, "unavailable": why}]
    proxied = way.front != "nchan"  # every stream also holds an upstream socket
    shape = {
        "workers": max(2, math.ceil(n / 15000)) if proxied else 2,
        "redis": True,
        "nginx_workers": max(2, math.ceil(n * (2 if proxied else 1) / 15000)),
        "upstream_addresses": max(1, math.ceil(n / 20000)),
    }
    rows: list[dict] = []
    try:
        with deploy(way, f"s8-scale-{key}-{n}", **shape) as deployment:
            for count in (1000, *ns):
                log(f"S8 scale: {way.label}, {count} viewers ({shape})")
                name = f"s8-scale-{key}-{n}-{count}"
                row = run_viewers(deployment, way, count, duration, name)
                row.update(way=key, scale=True, shape=shape)
                rows.append(row)
                log_row(row)
                time.sleep(3.0)  # the last streams closed
    except Exception as error:  # the figures so far are kept
        log(f"  failed: {error}")
    return rows


def base_of(rows: list[dict], row: dict) -> dict | None:
    """The row at 1,000 viewers of ``row``'s deployment (its shape)."""
    return next(
        (
            r
            for r in rows
            if r.get("viewers") == 1000
            and "servers" in r
            and r.get("shape") == row.get("shape")
        ),
        None,
    )


def memory_per_viewer(base: dict, row: dict) -> str:
    """What each stream open past the 1,000 of ``base`` cost the server."""
    if row["streaming"][1] < 0.95 * row["viewers"]:
        return (
            f"\nMemory per viewer at {row['viewers']:,}: not measured (only"
            f" {row['streaming'][1]:,} streams were open at the window's end)."
        )
    grown = {
        group: row["servers"][group]["rss_mb"] - base["servers"][group]["rss_mb"]
        for group in row["servers"]
    }
    streams = row["streaming"][1] - base["streaming"][1]
    per = sum(grown.values()) * 2**20 / streams
    return (
        f"\nMemory per viewer at {row['viewers']:,}: {per / 1000:.1f} KB (server"
        f" RSS from 1,000 viewers, {streams:,} more streams open: "
        + ", ".join(f"{g} +{v:,.0f} MiB" for g, v in grown.items())
        + ")."
    )


def log_row(row: dict) -> None:
    exact = row["exact"]
    groups = ", ".join(f"{g} {v['cpu_share']:.0%}" for g, v in row["servers"].items())
    log(
        f"  cpu {row['cpu_s_per_viewer_min']:.4f} s/viewer-min ({groups}),"
        f" append p99 {row['delay']['append']['p99']},"
        f" exact {exact['received']}/{exact['owed']} missing {exact['missing']}"
        f" repeated {exact['repeated']}, errors {row['errors']},"
        f" relayed {row['relayed']}, resumed {row['resumed']},"
        f" events {row['events_per_viewer_s']:.1f}/viewer-s"
        f" (reads {row['reads_per_viewer_s']:.1f}), Python during arrivals"
        f" {row['servers'].get('python', {}).get('arrival_cpu_share', 0):.0%}"
    )


def run(ways: list[str], n: int, scale_ns: list[int], duration: float) -> dict:
    """S8: the side by side, then the scale run (``scale_ns`` empty: not)."""
    result: dict[str, t.Any] = {}
    if ways:
        result["side_by_side"] = side_by_side(ways, n, duration)
    if scale_ns:
        key = "sse-nchan" if nchan_unavailable() is None else "sse-nginx"
        if key == "sse-nginx":
            why = nchan_unavailable()
            log(f"S8 scale through nginx's proxy: nchan unavailable ({why})")
        result["scale"] = scale(key, scale_ns, duration)
    return result


def percent(value: float) -> str:
    return f"{value:.1%}" if value < 0.1 else f"{value:.0%}"


def arriving(group: dict) -> str:
    """A group's CPU during the arrivals ("–" in runs that did not meter it)."""
    share = group.get("arrival_cpu_share")
    return "–" if share is None else percent(share)


def per_viewer(row: dict) -> str:
    """Events (and reads of them) a second per event-stream viewer."""
    if not row.get("events_per_viewer_s"):
        return "–"
    return f"{row['events_per_viewer_s']:.1f} ({row['reads_per_viewer_s']:.1f})"


def groups_cpu(row: dict) -> str:
    return ", ".join(
        f"{group} {percent(v['cpu_share'])}" for group, v in row["servers"].items()
    )


def exactly_once(row: dict) -> str:
    exact = row["exact"]
    if not exact["owed"]:
        return "–"
    faults = [
        f"{exact[key]:,} {key}"
        for key in ("missing", "repeated", "breaks", "resets", "miscounted")
        if exact[key]
    ]
    share = (exact["received"] - exact["repeated"]) / exact["owed"]
    return f"{share:.2%} of {exact['owed']:,}" + (
        f" ({', '.join(faults)})" if faults else ""
    )


def unavailable(label: str, row: dict, columns: int) -> str:
    """A table row for a way that could not run, and why."""
    why = f"not run: {row['unavailable']}"
    return f"| {label} | {row['viewers']:,} | {why} |" + "|" * (columns - 3)


def report(result: dict, fmt_s: t.Callable[[float | None], str]) -> list[str]:
    """The S8 tables (markdown lines)."""
    lines: list[str] = []
    rows = result.get("side_by_side", [])
    classic = next((r for r in rows if r["way"] == "classic" and "servers" in r), None)
    if rows:
        lines += [
            "**S8 nginx in front, side by side** (S1's dashboard; every server"
            " process counted: nginx, gunicorn, Redis; 1 core = 100 %)",
            "",
            "| way | viewers | server CPU s / viewer-min | vs (a) | server CPU"
            " (by process group) | events (reads) / viewer-s | stream-point delay"
            " p50 / p99 | stale full / stream (p99) | every point once | errors |"
            " other load |",
            "|---|---:|---:|---:|---|---|---|---|---|---:|---:|",
        ]
        for row in rows:
            label = WAYS[row["way"]].label
            if "unavailable" in row:
                lines.append(unavailable(label, row, 11))
                continue
            vs = (
                f"{classic['cpu_s_per_viewer_min'] / row['cpu_s_per_viewer_min']:.1f}x"
                if classic and row["cpu_s_per_viewer_min"]
                else "–"
            )
            delay = row["delay"]["point"]
            lines.append(
                f"| {label} | {row['viewers']:,} | {row['cpu_s_per_viewer_min']:.4f}"
                f" | {vs} | {percent(row['server_cpu_share'])} ({groups_cpu(row)})"
                f" | {per_viewer(row)}"
                f" | {fmt_s(delay['p50'])} / {fmt_s(delay['p99'])}"
                f" | {fmt_s(row['staleness']['full']['p99'])}"
                f" / {fmt_s(row['staleness']['stream']['p99'])}"
                f" | {exactly_once(row)} | {row['errors']}"
                f" | {row['other_cpu_share']:.1f} |"
            )
        lines.append("")
    rows = result.get("scale", [])
    if rows:
        lines += [
            "**S8 event streams at scale** (one deployment measured at 1,000 and"
            " at N viewers; delays from `append`, measured by a sample of"
            f" {SAMPLE} viewers in a process of its own past 1,000)",
            "",
            "| way | viewers | streams open (window start / end) | append → client"
            " p50 / p99 | every point once | Python CPU | vs 1,000 | Python CPU"
            " during arrivals | nginx CPU | Redis CPU | server RSS (MiB) | errors"
            " | viewers' CPU | other load |",
            "|---|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in rows:
            label = WAYS[row["way"]].label
            if "unavailable" in row:
                lines.append(unavailable(label, row, 14))
                continue
            base = base_of(rows, row)
            servers = row["servers"]
            python = servers["python"]["cpu_share"]
            vs = (
                f"{python / base['servers']['python']['cpu_share']:.2f}x"
                if base
                else "–"
            )
            rss = sum(group["rss_mb"] for group in servers.values())
            delay = row["delay"]["append"]
            lines.append(
                f"| {label} | {row['viewers']:,}"
                f" | {row['streaming'][0]:,} / {row['streaming'][1]:,}"
                f" | {fmt_s(delay['p50'])} / {fmt_s(delay['p99'])}"
                f" | {exactly_once(row)} | {percent(python)} | {vs}"
                f" | {arriving(servers['python'])}"
                f" | {percent(servers.get('nginx', {}).get('cpu_share', 0.0))}"
                f" | {percent(servers.get('redis', {}).get('cpu_share', 0.0))}"
                f" | {rss:,.0f} | {row['errors']}"
                f" | {percent(row['client_cpu_share'])}"
                f" | {row['other_cpu_share']:.1f} |"
            )
        for row in [r for r in rows if "servers" in r and r["viewers"] > 1000]:
            if base := base_of(rows, row):
                lines.append(memory_per_viewer(base, row))
        lines.append("")
    return lines
