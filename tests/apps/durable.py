"""The app the SQLite store's process tests run: streams kept in one file.

The store comes from ``PYECHARTS_STORE`` in the environment. ``ticks`` is fed
by a producer whose points are ``[n, pid]``: consecutive integers from its
stored cursor, tagged with the process that produced them. Run as
``python -m tests.apps.durable`` it serves on a free port in one process (a
threaded Werkzeug server) and prints ``port N`` once it listens.
"""

from __future__ import annotations

import os

from flask import Flask, Response
from werkzeug.serving import make_server

from flask_pyecharts import Charts


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["PYECHARTS_STREAM_TIMEOUT"] = 1.0
    charts = Charts(app)  # PYECHARTS_STORE comes from the environment

    @charts.chart("ticks", window=10_000)
    def ticks() -> dict:
        return {"series": [{"type": "line", "data": []}]}

    @charts.producer("ticks", every=0.02)
    def produce(cursor: int | None) -> tuple[list, int]:
        value = 0 if cursor is None else cursor + 1
        return [[value, os.getpid()]], value

    @app.after_request
    def tag_worker(response: Response) -> Response:
        response.headers["X-Worker"] = str(os.getpid())
        response.headers["X-Store"] = type(charts.runtime().store).__name__
        return response

    return app


if __name__ == "__main__":
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    print(f"port {server.server_port}", flush=True)
    server.serve_forever()
