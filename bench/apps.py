"""The benchmark servers: the classic recipe (a) and Flask-PyEcharts (b, c).

Both show the same dashboard: ``BENCH_FULL`` bar charts whose data changes
every 2 s and ``BENCH_STREAMS`` line charts fed ``BENCH_RATE`` points a second
(see :mod:`bench.world`). Run them under gunicorn::

    gunicorn -k gevent -w 2 'bench.apps:create_classic()'   # (a)
    gunicorn -k gevent -w 1 'bench.apps:create_ours()'      # (b) and (c)

(b) and (c) are the same app: the viewers choose ``/api/updates`` or
``/api/events``, as the page does with ``PYECHARTS_TRANSPORT``.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from flask import Flask, jsonify, render_template_string, send_from_directory

from bench import world

VENDOR = Path(__file__).resolve().parents[1] / "src/flask_pyecharts/web/static/vendor"


def _env(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _shape() -> tuple[int, int, float, int]:
    return (
        int(_env("BENCH_FULL", 3)),
        int(_env("BENCH_STREAMS", 3)),
        _env("BENCH_RATE", 10),
        int(_env("BENCH_WINDOW", 300)),
    )


# ---------------------------------------------------------------- (a) classic

#: The tutorial's page (bench/classic_index.html): one chart per <div>, one
#: setInterval per chart. Two changes only: ECharts comes from this server (no
#: CDN here) and fetch() replaces jQuery's $.ajax. After each setOption it
#: dispatches "bench:update" so that the browser benchmark (S2) can look into
#: the ECharts instance.
CLASSIC_PAGE = (Path(__file__).parent / "classic_index.html").read_text()


def create_classic() -> Flask:
    """The recipe users have today, as the pyecharts tutorial writes it."""
    from random import randrange

    from pyecharts import options as opts
    from pyecharts.charts import Line

    full, streams, rate, _ = _shape()
    app = Flask(__name__)
    idx = [9] * streams  # the tutorial's `global idx`, one per stream chart

    def bar_base(j: int):
        return world.bar(j, time.time())

    def line_base(j: int) -> Line:
        return (
            Line()
            .add_xaxis([f"{i}" for i in range(10)])
            .add_yaxis(
                series_name="",
                y_axis=[randrange(50, 80) for _ in range(10)],
                is_smooth=True,
                label_opts=opts.LabelOpts(is_show=False),
            )
            .set_global_opts(
                title_opts=opts.TitleOpts(title=f"动态数据 {j}"),
                xaxis_opts=opts.AxisOpts(type_="value"),
                yaxis_opts=opts.AxisOpts(type_="value"),
            )
        )

    @app.route("/")
    def index():
        return render_template_string(CLASSIC_PAGE, full=full, streams=streams)

    @app.route("/static/echarts.min.js")
    def echarts_js():  # the tutorial loads it from a CDN
        return send_from_directory(VENDOR, "echarts.min.js")

    @app.route("/barChart/<int:j>")
    def get_bar_chart(j: int):
        c = bar_base(j)
        return c.dump_options_with_quotes()

    @app.route("/lineChart/<int:j>")
    def get_line_chart(j: int):
        c = line_base(j)
        return c.dump_options_with_quotes()

    @app.route("/lineDynamicData/<int:j>")
    def update_line_data(j: int):
        idx[j] = idx[j] + 1
        # The newest reading of the data source, and when it was taken ("t",
        # added so that the benchmark can measure its age at the client).
        k = world.latest_index(j, rate, time.time())
        return jsonify(
            {
                "name": idx[j],
                "value": world.point_value(j, k),
                "t": round(world.point_time(j, k, rate), 3),
            }
        )

    return app


# ---------------------------------------------------------------- (b), (c) ours


def create_ours() -> Flask:
    """The same dashboard with Flask-PyEcharts: refresh=2.0 and streams."""
    from flask_pyecharts import Charts

    full, streams, rate, window = _shape()
    app = Flask(__name__)
    # Every simulated viewer comes from 127.0.0.1: lift the per-address cap.
    # Other PYECHARTS_* keys come from the environment (e.g. the store).
    app.config["PYECHARTS_MAX_STREAMS_PER_CLIENT"] = 100_000
    app.config["PYECHARTS_MAX_STREAMS"] = 100_000
    charts = Charts(app)
    names = []
    for j in range(full):
        charts.chart(f"full{j}", refresh=world.PERIOD, title=f"Full {j}")(
            lambda j=j: world.bar(j, time.time())
        )
        names.append(f"full{j}")
    for j in range(streams):
        charts.chart(f"stream{j}", window=window, title=f"Stream {j}")(
            lambda j=j: world.line(j)
        )
        names.append(f"stream{j}")
    charts.dashboard("/", names, title="Flask-PyEcharts bench", columns=3)
    appender = os.environ.get("BENCH_APPENDER", "1")
    if appender in ("1", "dry") and streams:
        start_appender(charts, streams, rate, dry=appender == "dry")
    return app


def start_appender(
    charts, streams: int, rate: float, dry: bool = False
) -> threading.Thread:
    """Append each stream's points when they exist: ``(x, y, t_append)``.

    ``x`` is the time the point exists in the world (see :mod:`bench.world`),
    ``t_append`` the time ``charts.append`` was called. ``dry``: make the
    points and leave them (``BENCH_APPENDER=dry``, the appender's own cost).
    """

    def run() -> None:
        now = time.time()
        nexts = [world.latest_index(j, rate, now) + 1 for j in range(streams)]
        while True:
            due = min(world.point_time(j, nexts[j], rate) for j in range(streams))
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
            now = time.time()
            for j in range(streams):
                batch = []
                while world.point_time(j, nexts[j], rate) <= now:
                    k = nexts[j]
                    x = f"{world.point_time(j, k, rate):.3f}"
                    batch.append((x, world.point_value(j, k), round(time.time(), 4)))
                    nexts[j] += 1
                if batch and not dry:
                    charts.append(f"stream{j}", batch)

    thread = threading.Thread(target=run, name="bench-appender", daemon=True)
    thread.start()
    return thread


def run_appender() -> None:
    """``python -m bench.apps``: append the streams' points from this process.

    With a shared store (``PYECHARTS_STORE=redis://...``) the gunicorn workers
    run without an appender (``BENCH_APPENDER=0``) and this process feeds them,
    as any other process of a deployment may call ``charts.append``.
    """
    os.environ["BENCH_APPENDER"] = "0"
    app = create_ours()
    _, streams, rate, _ = _shape()
    start_appender(app.jinja_env.globals["charts"], streams, rate).join()


if __name__ == "__main__":
    run_appender()
