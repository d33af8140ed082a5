"""The command line: ``flask-pyecharts``.

- ``flask-pyecharts demo`` runs the demo report system;
- ``flask-pyecharts export`` writes a dashboard (of the demo, of your app, or
  of a running server) as one self-contained HTML file, or a PNG or PDF of it,
  for chosen variables.

In your own app the same commands are under ``flask pyecharts``
(:mod:`flask_pyecharts.commands`).
"""

from __future__ import annotations

import ctypes
import os
import sys
import typing as t
from pathlib import Path

import click
from flask import Flask
from flask.cli import ScriptInfo
from werkzeug.serving import make_server

from .commands import (
    CONTEXT,
    dashboard_option,
    export_app,
    export_options,
    output_argument,
    title_option,
    write_export,
)

#: The demo's pages printed at its start, besides its home page.
_DEMO_PAGES = [
    ("/screen", "big screen:"),
    ("/tv", "playlist:"),
    ("/report", "report:"),
]
#: The demo's settings of glibc's malloc: (environment variable, ``mallopt``
#: parameter, value): at most two arenas, and blocks of 128 KiB or more
#: always from the system (given back when freed).
_MALLOC_SETTINGS = [("MALLOC_ARENA_MAX", -8, 2), ("MALLOC_MMAP_THRESHOLD_", -3, 131072)]
if t.TYPE_CHECKING:
    from .export.paper import PageSize


def _database_option(function: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    return click.option(
        "--database",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The demo's SQLite file, created with 90 days of orders if missing"
        " [default: in ~/.cache].",
    )(function)


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="Flask-PyEcharts")
def main() -> None:
    """Publish pyecharts charts from Flask as live web pages.

    Try the demo, a live retail report system on SQLite:

        flask-pyecharts demo

    In your own app, the same commands are under 'flask pyecharts'.
    """


@main.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to listen on."
)
@click.option(
    "--port",
    default=5000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port, printed at the start).",
)
@_database_option
@click.option(
    "--reset",
    is_flag=True,
    help="Delete the database and its streams first and generate a new one.",
)
@click.option(
    "--no-simulator",
    "simulate",
    is_flag=True,
    flag_value=False,
    default=True,
    help="Do not insert new orders every second.",
)
def demo(
    host: str, port: int, database: Path | None, reset: bool, simulate: bool
) -> None:
    """Run the demo report system on http://HOST:PORT/.

    A live retail business on an embedded SQLite database, created on first
    run (about 70,000 orders over 90 days), with new orders every second.

    \b
    Pages:
      /           the home page: six reports (charts fetched, updates pushed)
      /overview   经营总览; also /channels, /regions, /products,
                  /customers (customers and hours) and /live
      /screen     the 1920x1080 big screen of the whole business
      /tv         a playlist of the screen and the overview, 30 s each
      /report     the server-rendered report (a Jinja template)
    Database:
      ~/.cache/flask-pyecharts/demo.sqlite3, unless --database is given;
      the streams next to it in demo-streams.sqlite3 (charts come back
      whole after a restart)
    """
    create_app = _demo_factory()
    from .demo.db import default_path, remove, streams_path

    _tune_malloc()

    path = database or default_path()
    if reset:
        remove(path)
        remove(streams_path(path))
    if not path.exists():
        click.echo(f"Creating the demo database {path}")
    app = create_app(path, simulate=simulate)
    try:
        # On a port in use, Werkzeug says so and exits.
        server = make_server(host, port, app, threaded=True)
        port = server.server_port
        click.echo(
            f"Demo running on http://{host}:{port}/ (the reports). Press Ctrl+C to"
            " stop."
        )
        rules = {rule.rule for rule in app.url_map.iter_rules()}
        for rule, page in _DEMO_PAGES:
            if rule in rules:
                click.echo(f"  {page:<11} http://{host}:{port}{rule}")
        server.serve_forever()  # until Ctrl+C
    finally:
        _shutdown(app)


@main.command("export")
@output_argument
@_database_option
@click.option(
    "--app",
    "import_name",
    metavar="IMPORT",
    default=None,
    help="Export from your app instead of the demo: 'module:app' or"
    " 'module:create_app()', as with 'flask --app'.",
)
@click.option(
    "--url",
    metavar="URL",
    default=None,
    help="Export what a running server shows: the address of its dashboard (or"
    " any page with charts), or its chart list, such as"
    " http://127.0.0.1:5000/charts/api/charts.",
)
@dashboard_option
@title_option
@export_options
def export_command(
    output: Path,
    database: Path | None,
    import_name: str | None,
    url: str | None,
    rule: str | None,
    title: str | None,
    variables: dict[str, str],
    format_: str | None,
    chromium: str | None,
    page_size: PageSize | None,
    allow_errors: bool,
) -> None:
    """Write a dashboard as one HTML file that opens offline, or as PNG or PDF.

    The file holds the charts' current data, ECharts and the client runtime:
    send it by mail or open it without a network. PNG and PDF are that page
    as headless Chromium draws it, with the network cut off (they need the
    'export' extra: pip install 'Flask-PyEcharts[export]'). OUTPUT defaults
    to dashboard.html; '-' writes HTML to standard output.

    --app starts your app in this new process: with the memory store its
    streams hold none of the points a running server has. Export those with
    --url, from the running server.

    \b
    Examples:
      flask-pyecharts export report.pdf --var region=广东 --var days=7
      flask-pyecharts export report.pdf --page-size "A3 portrait"
      flask-pyecharts export sales.png --app myapp:app
      flask-pyecharts export live.html --url http://127.0.0.1:5000/
    """
    if import_name and database:
        raise click.UsageError("--database is for the demo; it cannot go with --app.")
    if url:
        if import_name or database or rule:
            raise click.UsageError(
                "--url exports from a running server: it cannot go with --app,"
                " --database or --dashboard (give the dashboard's address as URL)."
            )
        from .export import ExportError, export_url

        if variables:
            raise click.UsageError(
                "--var goes with --app or the demo; with --url, put the variables"
                " in the address (http://host:5000/?region=...)."
            )
        try:
            result = export_url(url, title=title)
        except ExportError as error:
            raise click.ClickException(str(error)) from None
        write_export(
            output,
            result,
            format_,
            chromium,
            allow_errors=allow_errors,
            page_size=page_size,
        )
        return
    if import_name:
        app = ScriptInfo(app_import_path=import_name).load_app()
    else:
        create_app = _demo_factory()
        app = create_app(database, simulate=False, progress=output != Path("-"))
    try:
        with app.app_context():
            # The demo's streams come from its database; an app's may not.
            export_app(
                output,
                rule,
                title,
                variables,
                format_,
                chromium,
                allow_errors=allow_errors,
                from_new_process=bool(import_name),
                page_size=page_size,
            )
    finally:
        _shutdown(app)


def _demo_factory() -> t.Callable[..., Flask]:
    """The demo's app factory; the demo needs SQLAlchemy (the ``sql`` extra)."""
    try:
        from .demo import create_app
    except ModuleNotFoundError as error:
        if error.name != "sqlalchemy":
            raise
        raise click.ClickException(
            "The demo needs SQLAlchemy: pip install 'Flask-PyEcharts[sql]'"
        ) from None
    return create_app


def _tune_malloc() -> None:
    """Make glibc's malloc give memory back, as ``MALLOC_ARENA_MAX=2
    MALLOC_MMAP_THRESHOLD_=131072`` would.

    The demo's server runs a thread per connection, and glibc gives threads
    up to eight arenas a core, each keeping what it freed; and after a large
    block is freed, it serves blocks up to that size from the arenas instead
    of the system, so that every peak stays. In the wall-screen soak the
    server held 15 MB in malloc while its RSS grew to 124 MB in five minutes
    (with two arenas: 86 MB, then 106 MB after a network cut's reconnections;
    with both settings: 70 to 75 MB through the restart and the cut). An
    environment that sets either variable keeps its own choice; other C
    libraries are left alone.
    """
    if sys.platform != "linux":
        return
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        return
    for variable, parameter, value in _MALLOC_SETTINGS:
        if variable not in os.environ:
            mallopt(parameter, value)


def _shutdown(app: Flask) -> None:
    """Stop the app's background threads (producers, the demo's simulator)."""
    demo = app.extensions.get("pyecharts_demo")
    if demo is not None:
        demo.close()
    runtime = app.extensions.get("pyecharts")
    if runtime is not None:
        runtime.stop()
