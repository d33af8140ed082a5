"""The demo report system: a live retail business on SQLite.

``flask-pyecharts demo`` runs it; ``create_app`` is an ordinary Flask factory,
so ``flask --app flask_pyecharts.demo run`` works too. Pages:

- six reports (separated mode: charts fetched and kept live by the client
  runtime, updates pushed with Server-Sent Events): ``/overview``,
  ``/channels``, ``/regions``, ``/products``, ``/customers``, ``/live``
  (:mod:`.reports`), each with number cards and the region and period filters;
- ``/screen``: a 1920×1080 big screen of the whole business, and ``/tv``: a
  playlist of the screen and the overview;
- ``/``: the home page listing them;
- ``/report``: a server-rendered report (mixed mode: a Jinja template with
  ``{{ charts.scripts() }}`` and ``{{ charts.embed("name") }}``).
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine

from flask_pyecharts import Charts

from . import db, report, reports


@dataclass
class Demo:
    """What the demo keeps on ``app.extensions["pyecharts_demo"]``."""

    engine: Engine
    database: Path
    simulator: db.Simulator | None

    def close(self) -> None:
        """Stop the order simulator and close the database (idempotent)."""
        if self.simulator is not None:
            self.simulator.stop()
        self.engine.dispose()


def create_app(
    database: str | os.PathLike[str] | None = None,
    *,
    simulate: bool = True,
    progress: bool = True,
) -> Flask:
    """The demo app on the SQLite file ``database``, created on first use.

    :param database: the database file; default ``~/.cache/flask-pyecharts/
        demo.sqlite3`` (or ``$XDG_CACHE_HOME``). The streams are kept next to
        it (:func:`.db.streams_path`, unless ``PYECHARTS_STORE`` is set), so
        the charts come back whole after a restart.
    :param simulate: insert new orders every second, as a live shop would.
    :param progress: show a progress bar while the database is generated.
    """
    path = Path(database) if database is not None else db.default_path()
    streams = db.streams_path(path)
    if not path.exists():  # the streams of another database's orders
        db.remove(streams)
    engine = db.open_database(path, progress=progress)
    app = Flask(__name__)
    if "PYECHARTS_STORE" not in os.environ:
        app.config["PYECHARTS_STORE"] = f"sqlite:///{streams}"
    if "PYECHARTS_LOCALE" not in os.environ:  # a Chinese shop's reports
        app.config["PYECHARTS_LOCALE"] = "zh-CN"
    charts = Charts(app)
    reports.register(charts, engine)
    app.register_blueprint(report.bp)
    simulator = db.Simulator(engine) if simulate else None
    demo = app.extensions["pyecharts_demo"] = Demo(engine, path, simulator)
    weakref.finalize(app, demo.close)  # the simulator ends with the app
    if simulator is not None:
        simulator.start()
    return app
