"""Run the benchmarks and print the tables: ``.venv/bin/python -m bench.run``.

Options: ``--quick`` (shorter windows, 100 charts in the memory test),
``--only S1,S3`` (scenarios: S1 to S8), ``--viewers 10,100``, ``--ways``,
``--scale 10000`` (S1 also at that many event-stream viewers, two workers and
Redis), ``--s8-ways``, ``--s8-viewers``, ``--s8-scale`` (S8, nginx in front:
bench/s8.py), ``--update-readme`` (replace the results section of bench/README.md),
``--merge``, ``--profile`` (py-spy the busiest S1 server at the largest N).
Raw results go to ``bench/results/latest.json``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import typing as t
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
VENV = ROOT / ".venv/bin"
PYTHON = str(VENV / "python")
LOGS = BENCH / "logs"

#: How each way is served (gunicorn worker class and count).
SERVERS = {
    "classic": ("bench.apps:create_classic()", "gevent", 2),
    "poll": ("bench.apps:create_ours()", "gevent", 1),
    "sse": ("bench.apps:create_ours()", "gevent", 1),
    "sse-redis": ("bench.apps:create_ours()", "gevent", 2),
    "sse-1fps": ("bench.apps:create_ours()", "gevent", 1),
}
#: The settings a way changes from the defaults.
SETTINGS = {"sse-1fps": {"PYECHARTS_MAX_FPS": "1"}}
LABELS = {
    "classic": "(a) classic recipe",
    "poll": "(b) ours, /api/updates",
    "sse": "(c) ours, /api/events",
    "sse-1fps": "(c1) ours, /api/events, PYECHARTS_MAX_FPS=1",
    "sse-redis": "(c2) ours, /api/events, 2 workers + Redis",
}
#: Ways run at the largest number of viewers only (and at --scale).
LARGEST_ONLY = ("sse-redis",)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def busy_cores(seconds: float = 2.0) -> float:
    """How many cores the machine kept busy over the next ``seconds``."""

    def busy() -> float:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")

    before = busy()
    time.sleep(seconds)
    return (busy() - before) / seconds


QUIET = {"wait": 60.0, "waited": 0.0}


def wait_quiet(threshold: float = 0.3) -> float:
    """Wait (up to ``QUIET['wait']`` s) until other jobs leave the machine idle.

    Returns the load seen last, in cores. Everything else on the machine (other
    people's test suites) competes with the server and the viewers.
    """
    deadline = time.time() + QUIET["wait"]
    load = busy_cores()
    while load > threshold and time.time() < deadline:
        load = busy_cores()
    QUIET["waited"] += QUIET["wait"] - max(0.0, deadline - time.time())
    if load > threshold:
        log(f"  the machine is busy ({load:.1f} cores used by others); going on")
    return load


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(way: str, env: dict[str, str] | None = None, name: str = "server"):
    """A gunicorn serving ``way``; yields ``(port, [pids])``: the master, and
    for ``sse-redis`` a redis-server and the appender process too."""
    app, worker_class, workers = SERVERS[way]
    wait_quiet()
    port = free_port()
    LOGS.mkdir(exist_ok=True)
    extra: list[subprocess.Popen] = []
    env = dict(env or {})
    if way == "sse-redis":
        redis_port = free_port()
        extra.append(
            subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
        )  # fmt: skip
        env.update(
            PYECHARTS_STORE=f"redis://127.0.0.1:{redis_port}/0?max_connections=5000",
            BENCH_APPENDER="0",
        )
        time.sleep(0.5)
        extra.append(
            subprocess.Popen(
                [PYTHON, "-m", "bench.apps"],
                cwd=ROOT,
                env=dict(os.environ, PYTHONPATH=str(ROOT), **env),
            )
        )
    command = [
        str(VENV / "gunicorn"),
        "-k", worker_class,
        "-w", str(workers),
        "--worker-connections", "20000",
        "--keep-alive", "30",
        "--timeout", "120",
        "--graceful-timeout", "3",
        "--backlog", "4096",
        "-b", f"127.0.0.1:{port}",
        "--chdir", str(ROOT),
        app,
    ]  # fmt: skip
    environment = dict(os.environ, PYTHONPATH=str(ROOT), **env)
    with open(LOGS / f"{name}.log", "w") as output:
        process = subprocess.Popen(
            command, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        health = "/lineDynamicData/0" if way == "classic" else "/charts/api/charts"
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}{health}", timeout=2
                ):
                    break
            except OSError as error:
                if process.poll() is not None or time.time() > deadline:
                    message = f"{way} server did not start; see {output.name}"
                    raise RuntimeError(message) from error
                time.sleep(0.2)
        time.sleep(1.0 if workers > 1 else 0.3)  # let every worker boot
        yield port, [process.pid] + [p.pid for p in extra]
    finally:
        for proc in [process, *reversed(extra)]:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def viewers(
    way: str, port: int, pids: list[int], n: int, duration: float, **shape: t.Any
):
    command = [
        PYTHON, "-m", "bench.viewers", way.split("-")[0],
        "--port", str(port), "--viewers", str(n), "--duration", str(duration),
    ]  # fmt: skip
    for pid in pids:
        command += ["--pid", str(pid)]
    for key, value in shape.items():
        command += [f"--{key}", str(value)]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=duration + 120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"viewers failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- scenarios


def s1(
    ns: list[int], duration: float, profile: bool, ways: list[str], scale: int
) -> list[dict]:
    rows = []
    runs = [(way, n) for way in ways if way not in LARGEST_ONLY for n in ns]
    runs += [(way, max(ns)) for way in ways if way == "sse-redis"]
    if scale and "sse-redis" in ways:
        runs.append(("sse-redis", scale))
    for way, n in runs:
        log(f"S1 {LABELS[way]}, {n} viewers, {duration:.0f} s")
        try:
            row = s1_run(way, n, duration, profile and n == max(ns))
        except Exception as error:  # one failed run does not end the others
            log(f"  failed: {error}")
            continue
        row["way"] = way
        rows.append(row)
        log(
            f"  cpu {row['cpu_s_per_viewer_min']:.4f} s/viewer-min, "
            f"server {row['server_cpu_share']:.0%} of a core, "
            f"stream p99 {fmt_s(row['delay']['point']['p99'])}, "
            f"errors {row['errors']}"
        )
    return rows


def s1_run(way: str, n: int, duration: float, profile: bool) -> dict:
    with server(way, SETTINGS.get(way), name=f"s1-{way}-{n}") as (port, pids):
        spy = None
        if profile:
            from bench.world import ramp_seconds

            spy = py_spy(pids[0], ramp_seconds(n) + 4.5, duration, f"s1-{way}-{n}")
        # Thousands of viewers in one process cannot all parse what they get:
        # past 1,000, 500 are measured and the others count their points; and
        # their arrivals (six documents each) fall behind their schedule on a
        # busy machine: the window starts 20 s after the last one is due.
        shape = {"measured": 500, "warmup": 20} if n > 1000 else {}
        row = viewers(way, port, pids, n, duration, **shape)
        if spy:
            spy.wait(30)
            from bench.profile_summary import summarize

            log(summarize(str(LOGS / f"profile-s1-{way}-{n}.txt"), 30))
    return row


def py_spy(pid: int, delay: float, seconds: float, name: str) -> subprocess.Popen:
    """Profile one worker of ``pid`` for ``seconds`` after ``delay`` (raw
    collapsed stacks in bench/logs/, summarized by bench/profile_summary.py)."""
    worker = min(int(p) for p in children(pid))
    command = [
        str(VENV / "py-spy"), "record", "--pid", str(worker),
        "--duration", str(int(seconds)), "--rate", "200", "--nonblocking",
        "--format", "raw", "--output", str(LOGS / f"profile-{name}.txt"),
    ]  # fmt: skip
    return subprocess.Popen(
        ["sh", "-c", f'sleep {delay:.1f}; exec "$@"', "py-spy", *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def children(pid: int) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_bytes().rsplit(b")", 1)[1]
            except OSError:
                continue
            if int(fields.split()[1]) == pid:
                found.append(entry)
    return found


#: S7: our server (c) part by part, with no viewer or one: (label, settings,
#: event-stream viewers).
FIXED_PARTS = [
    ("gunicorn and the app, idle", {"BENCH_APPENDER": "0"}, 0),
    ("+ the appender making its points, not appending", {"BENCH_APPENDER": "dry"}, 0),
    ("+ appending them (30 appends a second)", {}, 0),
    ("+ 1 event stream, PYECHARTS_MAX_FPS=1", {"PYECHARTS_MAX_FPS": "1"}, 1),
    ("+ 1 event stream, defaults (5 publications a second)", {}, 1),
]


def s7(duration: float) -> list[dict]:
    """The fixed cost of (c): the server's CPU without viewers, then with one."""
    rows = []
    for index, (part, settings, n) in enumerate(FIXED_PARTS):
        log(f"S7 fixed cost: {part}, {duration:.0f} s")
        with server("sse", settings, name=f"s7-{index}") as (port, pids):
            share = viewers("sse", port, pids, n, duration)["server_cpu_share"]
        rows.append({"part": part, "viewers": n, "server_cpu_share": share})
        log(f"  server {share:.2%} of a core")
    return rows


def s2(duration: float) -> list[dict]:
    from bench import browser

    rows = []
    for way, transport in (("sse", "sse"), ("poll", "poll"), ("classic", None)):
        log(f"S2 browser, {LABELS[way]}, {duration:.0f} s")
        env = {"PYECHARTS_TRANSPORT": transport} if transport else {}
        with server(way, env, name=f"s2-{way}") as (port, _):
            url = f"http://127.0.0.1:{port}/"
            row = browser.measure(url, duration)
            row.update(browser.page_cost(url, duration, {way: {}})[way])
        row["way"] = way
        rows.append(row)
    return rows


#: The demo dashboard as the client draws it, and as it drew before its
#: page-cost measures (ECharts' own update animations, the canvas renderer).
DEMO_PAGES = {
    "ours": {},
    "ours, no update animations": {"data-animation-share": "0"},
    "echarts-defaults": {"data-animation-share": "1", "data-renderer": "canvas"},
}


def s6(duration: float) -> list[dict]:
    """The page cost of the demo's overview report (number cards and charts)
    in Chromium, and of the demo's screen at 1920x1080."""
    from bench import browser

    with demo_server() as url:
        log(f"S6 demo overview, {', '.join(DEMO_PAGES)} side by side, {duration:.0f} s")
        wait_quiet()
        # The overview report: its number cards and charts (the home page has none).
        costs = browser.page_cost(
            url + "overview", duration, DEMO_PAGES, screenshots=LOGS
        )
        log(f"S6 demo screen at 1920x1080, {duration:.0f} s")
        wait_quiet()
        costs.update(
            browser.page_cost(
                url + "screen",
                duration,
                {"screen (1920x1080)": {}},
                screenshots=LOGS,
                viewport={"width": 1920, "height": 1080},
            )
        )
    return [{"page": page, **row} for page, row in costs.items()]


@contextlib.contextmanager
def demo_server():
    """``flask-pyecharts demo`` on a fresh database, with its order simulator."""
    import tempfile

    port = free_port()
    LOGS.mkdir(exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as folder,
        open(LOGS / "s6-demo.log", "w") as out,
    ):
        command = [
            str(VENV / "flask-pyecharts"), "demo", "--port", str(port),
            "--database", str(Path(folder) / "demo.sqlite3"),
        ]  # fmt: skip
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.time() + 60
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=2):
                        break
                except OSError as error:
                    if process.poll() is not None or time.time() > deadline:
                        raise RuntimeError("the demo did not start") from error
                    time.sleep(0.3)
            yield url
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def s3(quick: bool) -> list[dict]:
    from bench import options_bench

    log("S3 option building")
    wait_quiet()
    return options_bench.run(quick)


def s4(duration: float, quick: bool) -> list[dict]:
    rows = []
    env = {"BENCH_FULL": "0", "BENCH_STREAMS": "6", "BENCH_RATE": "100"}
    for n in (1,) if quick else (1, 100):
        log(f"S4 streams: 6 charts x 100 points/s, {n} event-stream client(s)")
        with server("sse", env, name=f"s4-{n}") as (port, pid):
            row = viewers("sse", port, pid, n, duration, full=0, streams=6, rate=100)
        rows.append(row)
    return rows


def s5(quick: bool) -> dict:
    charts = 100 if quick else 1000
    log(f"S5 MemoryStore memory: {charts} charts x window 10,000")
    wait_quiet()
    done = subprocess.run(
        [PYTHON, "-m", "bench.memory_bench", str(charts), "10000"],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout)


# ---------------------------------------------------------------- report


def fmt_s(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 0.01:
        return f"{value * 1000:.1f} ms"
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.0f} s"


def pair(stats: dict) -> str:
    return f"{fmt_s(stats['p50'])} / {fmt_s(stats['p99'])}"


def ratio(value: float, reference: float) -> str:
    return f"{reference / value:.1f}x" if value else "–"


def revision(meta: dict) -> str:
    dirty = " + uncommitted changes in src/" if meta["dirty"] else ""
    return meta["commit"] + dirty


def report(results: dict) -> str:
    lines: list[str] = []
    meta = results["meta"]
    lines += [
        f"Run {meta['date']} on {meta['machine']}; commit {revision(meta)};"
        f" `{meta['command']}`.",
    ]
    for later in meta.get("merged", []):
        lines.append(
            f"Rows re-measured on {later['date']} (commit {revision(later)}):"
            f" `{later['command']}`."
        )
    lines += [
        "",
        "Delays are from the data change (S1), from `append` (S2 ours, S4);"
        " the JSON has both for every run.",
        "",
    ]
    if "S1" in results:
        rows = results["S1"]
        classic = {r["viewers"]: r for r in rows if r["way"] == "classic"}
        lines += [
            "**S1 dashboard load** (3 full charts refreshed every 2 s + 3 streams"
            " at 10 points/s; delays are data change → client, p50 / p99)",
            "",
            "| way | viewers | server CPU s / viewer-min | vs (a) | server CPU"
            " (1 core = 100 %) | KB / viewer-min | full-chart delay | stream-point"
            " delay | points delivered | stale full / stream (p99) | errors"
            " | other load |",
            "|---|---:|---:|---:|---:|---:|---|---|---:|---|---:|---:|",
        ]
        for row in rows:
            reference = classic.get(row["viewers"])
            lines.append(
                f"| {LABELS[row['way']]} | {row['viewers']:,}"
                f" | {row['cpu_s_per_viewer_min']:.4f}"
                f" | {ratio(row['cpu_s_per_viewer_min'], reference['cpu_s_per_viewer_min']) if reference else '–'}"  # noqa: E501
                f" | {row['server_cpu_share']:.0%}"
                f" | {row['bytes_per_viewer_min'] / 1000:,.0f}"
                f" | {pair(row['delay']['full'])}"
                f" | {pair(row['delay']['point'])}"
                f" | {row['points_delivered']:.0%}"
                f" | {fmt_s(row['staleness']['full']['p99'])}"
                f" / {fmt_s(row['staleness']['stream']['p99'])}"
                f" | {row['errors']} | {row['other_cpu_share']:.1f} |"
            )
        lines.append("")
    if "S7" in results:
        lines += fixed_cost_table(results)
    if "S2" in results:
        lines += [
            "**S2 browser** (one Chromium page; delay from the append on the server"
            " (classic: from the data change) to the point in the ECharts instance)",
            "",
            "| page | stream point p50 / p99 | full chart p50 / p99 | updates"
            " | long tasks (total ms, max ms) | dropped frames / frames"
            " | main thread (CPU ms / min) |",
            "|---|---|---|---:|---|---|---:|",
        ]
        for row in results["S2"]:
            lines.append(
                f"| {LABELS[row['way']]} | {pair(row['stream'])}"
                f" | {pair(row['full'])} | {row['updates']}"
                f" | {row['long_tasks']} ({row['long_task_ms']:.0f}, "
                f"{row['long_task_max_ms']:.0f})"
                f" | {row['dropped_frames']} / {row['frames']}"
                f" | {row.get('main_thread_ms_per_min', 0):,.0f} |"
            )
        lines.append("")
    if "S6" in results:
        rows = {row["page"]: row for row in results["S6"]}
        base = rows.get("echarts-defaults")
        lines += [
            "**S6 the demo's pages' cost** (headless Chromium, the overview"
            " report at 1800x1000, the screen at 1920x1080; CPU time of the"
            " page's main thread)",
            "",
            "| page | main thread (CPU ms / min) | of which script | updates / min"
            " | vs ECharts' defaults |",
            "|---|---:|---:|---:|---:|",
        ]
        for page, row in rows.items():
            lines.append(
                f"| {page} | {row['main_thread_ms_per_min']:,.0f}"
                f" | {row['script_ms_per_min']:,.0f} | {row['updates_per_min']:.0f}"
                f" | {ratio(row['main_thread_ms_per_min'], base['main_thread_ms_per_min']) if base else '–'} |"  # noqa: E501
            )
        lines.append("")
    if "S3" in results:
        lines += [
            "**S3 option building** (a built pyecharts chart → JSON text; best of"
            " 5 rounds, per call)",
            "",
            "| chart | construct chart | dump_options_with_quotes | bytes (gzip)"
            " | build_document | bytes (gzip) | time ratio | size ratio"
            " | data-only rebuild: patch bytes (share of the option) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in results["S3"]:
            lines.append(
                f"| {row['chart']} | {row['construct_us']:,.0f} µs"
                f" | {row['classic_us']:,.0f} µs"
                f" | {row['classic_bytes']:,} ({row['classic_gzip']:,})"
                f" | {row['ours_us']:,.0f} µs"
                f" | {row['ours_bytes']:,} ({row['ours_gzip']:,})"
                f" | {row['ours_us'] / row['classic_us']:.2f}"
                f" | {row['ours_bytes'] / row['classic_bytes']:.2f}"
                f" | {row.get('patch_bytes', 0):,} ({row.get('patch_share', 0):.0%}) |"
            )
        lines.append("")
    if "S4" in results:
        lines += [
            "**S4 streams** (6 stream charts x 100 points/s, event stream;"
            " append → event at the client)",
            "",
            "| clients | p50 | p99 | max | points delivered | server CPU"
            " | other load |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in results["S4"]:
            delay = row["delay"]["append"]
            lines.append(
                f"| {row['viewers']} | {fmt_s(delay['p50'])} | {fmt_s(delay['p99'])}"
                f" | {fmt_s(delay['max'])} | {row['points_delivered']:.0%}"
                f" | {row['server_cpu_share']:.0%} | {row['other_cpu_share']:.1f} |"
            )
        lines.append("")
    if "S8" in results:
        from bench import s8

        lines += s8.report(results["S8"], fmt_s)
    if "S5" in results:
        row = results["S5"]
        lines += [
            "**S5 MemoryStore memory**",
            "",
            f"{row['charts']:,} charts x window {row['window']:,} ="
            f" {row['points']:,} points: RSS +{row['rss_growth_bytes'] / 2**20:,.0f}"
            f" MiB, {row['bytes_per_point']:.0f} bytes per point"
            f" (filled in {row['fill_s']:.1f} s); reading a whole window"
            f" {row['full_window_read_ms']:.1f} ms, 10 new points"
            f" {row['read_10_points_us']:.1f} µs.",
            "",
        ]
    return "\n".join(lines)


def fixed_cost_table(results: dict) -> list[str]:
    """S7's rows, next to the 10x budget at 100 viewers when S1 measured (a)."""
    recipe = [
        row["server_cpu_share"]
        for row in results.get("S1", [])
        if row["way"] == "classic" and row["viewers"] == 100
    ]
    lines = [
        "**S7 the fixed cost of (c)** (our server with no viewer, then one:"
        " CPU of gunicorn's master and worker, 1 core = 100 %)",
        "",
        "| server | CPU | share of the 10x budget at 100 viewers |",
        "|---|---:|---:|",
    ]
    budget = recipe[0] / 10 if recipe else None
    for row in results["S7"]:
        share = row["server_cpu_share"]
        of_budget = f"{share / budget:.0%}" if budget else "–"
        lines.append(f"| {row['part']} | {share:.2%} | {of_budget} |")
    if budget:
        lines.append(
            f"\nThe budget: (a) at 100 viewers used {recipe[0]:.1%} of a core in"
            f" this run; a tenth of it is {budget:.2%}."
        )
    return lines + [""]


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Linux"
        f" {platform.release()}, Python {platform.python_version()}"
    )


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def update_readme(text: str) -> None:
    readme = BENCH / "README.md"
    content = readme.read_text()
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    content = pattern.sub(lambda _: f"{start}\n{text}\n{end}", content)
    readme.write_text(content)


def merge(old: dict, new: dict) -> dict:
    """``old`` with the scenarios (S1: the rows) that ``new`` measured again."""
    merged = dict(old)
    for key, value in new.items():
        if key == "S1" and "S1" in old:
            fresh = {(row["way"], row["viewers"]) for row in value}
            kept = [r for r in old["S1"] if (r["way"], r["viewers"]) not in fresh]
            order = list(LABELS)
            merged["S1"] = sorted(
                kept + value, key=lambda r: (order.index(r["way"]), r["viewers"])
            )
        elif key == "S8" and "S8" in old:  # the side by side and the scale run
            merged["S8"] = {**old["S8"], **value}
            if "scale" in old["S8"] and "scale" in value:
                # the same way's runs on deployments of other shapes stay
                ways = {row["way"] for row in value["scale"]}
                shapes = {json.dumps(row.get("shape")) for row in value["scale"]}
                kept = [
                    row
                    for row in old["S8"]["scale"]
                    if row["way"] in ways and json.dumps(row.get("shape")) not in shapes
                ]
                merged["S8"]["scale"] = kept + value["scale"]
        elif key == "meta":
            earlier = old["meta"].get("merged", [])
            merged["meta"] = dict(old["meta"], merged=[*earlier, new["meta"]])
        else:
            merged[key] = value
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description="Flask-PyEcharts benchmarks")
    parser.add_argument("--quick", action="store_true", help="shorter, about 3 min")
    parser.add_argument("--only", default="S1,S2,S3,S4,S5,S6,S7")
    parser.add_argument("--viewers", default="10,100,1000")
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the other figures of bench/results/latest.json: S1 rows are"
        " replaced by (way, viewers), other scenarios whole",
    )
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--ways",
        default="classic,poll,sse,sse-1fps,sse-redis",
        help="S1 ways: classic (a), poll (b), sse (c), sse-1fps (c1); at the"
        " largest N only: sse-redis (c2)",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=10_000,
        help="S1: also run (c2) with this many viewers (0: not)",
    )
    parser.add_argument(
        "--s8-ways",
        default="classic,poll-cache,sse-nginx,sse-nchan",
        help="S8 side by side: classic, poll-cache, sse-nginx, sse-nchan",
    )
    parser.add_argument("--s8-viewers", type=int, default=1000)
    parser.add_argument(
        "--s8-scale",
        default="50000",
        help="S8: event-stream viewers of the scale run, comma-separated (each"
        " measured after 1,000 on one deployment; 0: not)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60.0,
        help="seconds to wait before each run for other jobs to leave the CPUs"
        " idle (default 60; 0: never wait)",
    )
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.profile and not (VENV / "py-spy").exists():
        parser.error("--profile needs py-spy: .venv/bin/pip install py-spy")
    QUIET["wait"] = args.quiet_wait
    only = {name.strip().upper() for name in args.only.split(",")}
    ns = [int(n) for n in args.viewers.split(",")]
    window = 8.0 if args.quick else 20.0
    results: dict[str, t.Any] = {
        "meta": {
            "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "machine": machine(),
            "commit": git("rev-parse", "--short", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--", "src")),
            "command": "python -m bench.run " + " ".join(sys.argv[1:]),
            "window_s": window,
        }
    }
    started = time.time()
    if "S3" in only:
        results["S3"] = s3(args.quick)
    if "S5" in only:
        results["S5"] = s5(args.quick)
    if "S1" in only:
        ways = [way.strip() for way in args.ways.split(",")]
        if "sse-redis" in ways and not shutil.which("redis-server"):
            log("no redis-server: skipping (c2); bash scripts/setup.sh installs it")
            ways.remove("sse-redis")
        results["S1"] = s1(ns, window, args.profile, ways, args.scale)
    if "S4" in only:
        results["S4"] = s4(window, args.quick)
    if "S2" in only:
        results["S2"] = s2(8.0 if args.quick else 15.0)
    if "S6" in only:
        results["S6"] = s6(20.0 if args.quick else 60.0)
    if "S7" in only:
        results["S7"] = s7(window)
    if "S8" in only:
        from bench import s8

        ways = [way.strip() for way in args.s8_ways.split(",") if way.strip()]
        unknown = set(ways) - set(s8.WAYS)
        if unknown:
            parser.error(f"--s8-ways: unknown {', '.join(sorted(unknown))}")
        try:
            scale_ns = [int(n) for n in args.s8_scale.split(",") if int(n) > 0]
        except ValueError:
            parser.error(f"--s8-scale: numbers expected, not {args.s8_scale!r}")
        results["S8"] = s8.run(ways, args.s8_viewers, scale_ns, window)
    elapsed = results["meta"]["elapsed_s"] = round(time.time() - started)
    results["meta"]["waited_for_quiet_s"] = round(QUIET["waited"])
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    if args.merge and (out / "latest.json").exists():
        results = merge(json.loads((out / "latest.json").read_text()), results)
    (out / "latest.json").write_text(json.dumps(results, indent=1))
    text = report(results)
    print(text)
    if args.update_readme:
        update_readme(text)
    log(f"done in {elapsed} s")


if __name__ == "__main__":
    main()
