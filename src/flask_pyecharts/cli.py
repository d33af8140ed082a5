"""The command line: ``flask-pyecharts`` and the ``flask pyecharts`` commands.

- ``flask-pyecharts demo`` runs the demo report system;
- ``flask-pyecharts export`` writes a dashboard as one self-contained HTML file
  (or a PNG or PDF of it, drawn by Chromium), for chosen variables;
- ``flask pyecharts ...`` offers ``export`` and ``charts`` for your own app
  (registered on ``app.cli`` by :meth:`Charts.init_app`).
"""

from __future__ import annotations

import sys
import typing as t
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo

if t.TYPE_CHECKING:
    from .export import Export

_CONTEXT = {"help_option_names": ["-h", "--help"]}


def _database_option(function: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    return click.option(
        "--database",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The demo's SQLite file, created with 90 days of orders if missing"
        " [default: in ~/.cache].",
    )(function)


_output_argument = click.argument(
    "output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default=Path("dashboard.html"),
)
_dashboard_option = click.option(
    "--dashboard",
    "rule",
    metavar="RULE",
    default=None,
    help="The URL rule of the dashboard to export, such as '/'"
    " [default: the first dashboard].",
)
_title_option = click.option(
    "--title", default=None, help="The page title [default: the dashboard's]."
)


def _read_variables(
    context: click.Context, parameter: click.Parameter, given: tuple[str, ...]
) -> dict[str, str]:
    variables: dict[str, str] = {}
    for item in given:
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise click.BadParameter(
                f"{item!r} is not NAME=VALUE, such as region=华东."
            )
        if name in variables:
            raise click.BadParameter(f"{name!r} is given twice.")
        variables[name] = value
    return variables


_variable_option = click.option(
    "--var",
    "variables",
    metavar="NAME=VALUE",
    multiple=True,
    callback=_read_variables,
    help="A variable's value, as in the page's URL (repeat for several):"
    " --var region=华东 --var days=7 [default: each variable's default].",
)
_format_option = click.option(
    "--format",
    "format_",
    type=click.Choice(["html", "png", "pdf"]),
    default=None,
    help="html: one self-contained page; png, pdf: that page as Chromium draws"
    " it, offline [default: from OUTPUT's extension, else html].",
)
_chromium_option = click.option(
    "--chromium",
    metavar="PATH",
    envvar="FLASK_PYECHARTS_CHROMIUM",
    default=None,
    help="The Chromium that draws PNG and PDF exports (or $FLASK_PYECHARTS_CHROMIUM)"
    " [default: chromium on the PATH].",
)


def _export_options(function: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    for option in (_chromium_option, _format_option, _variable_option):
        function = option(function)
    return function


@click.group(context_settings=_CONTEXT)
@click.version_option(package_name="Flask-PyEcharts")
def main() -> None:
    """Publish pyecharts charts from Flask as live web pages.

    Try the demo, a live retail sales dashboard on SQLite:

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
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@_database_option
@click.option(
    "--reset",
    is_flag=True,
    help="Delete the database first and generate a new one.",
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

    A live retail sales dashboard on an embedded SQLite database, created on
    first run (about 70,000 orders over 90 days), with new orders every second.

    \b
    Pages:
      /        the dashboard (charts fetched, updates pushed)
      /report  the server-rendered report (a Jinja template)
    Database:
      ~/.cache/flask-pyecharts/demo.sqlite3, unless --database is given
    """
    create_app = _demo_factory()
    from .demo.db import default_path

    path = database or default_path()
    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if not path.exists():
        click.echo(f"Creating the demo database {path}")
    app = create_app(path, simulate=simulate)
    click.echo(
        f"Demo running on http://{host}:{port}/ (dashboard) and"
        f" http://{host}:{port}/report (report). Press Ctrl+C to stop."
    )
    try:
        app.run(host=host, port=port, threaded=True, load_dotenv=False)
    finally:
        _shutdown(app)


@main.command("export")
@_output_argument
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
@_dashboard_option
@_title_option
@_export_options
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
        _write(output, result, format_, chromium)
        return
    if import_name:
        app = ScriptInfo(app_import_path=import_name).load_app()
    else:
        create_app = _demo_factory()
        app = create_app(database, simulate=False, progress=output != Path("-"))
    try:
        with app.app_context():
            # The demo's streams come from its database; an app's may not.
            _export(
                output,
                rule,
                title,
                variables,
                format_,
                chromium,
                from_new_process=bool(import_name),
            )
    finally:
        _shutdown(app)


@click.group("pyecharts", cls=AppGroup, context_settings=_CONTEXT)
def flask_group() -> None:
    """Flask-PyEcharts: list and export this app's charts."""


@flask_group.command("export")
@_output_argument
@_dashboard_option
@_title_option
@_export_options
def flask_export(
    output: Path,
    rule: str | None,
    title: str | None,
    variables: dict[str, str],
    format_: str | None,
    chromium: str | None,
) -> None:
    """Write a dashboard as one HTML file that opens offline, or as PNG or PDF.

    The file holds the charts' current data, ECharts and the client runtime;
    PNG and PDF are that page as headless Chromium draws it, offline (the
    'export' extra). OUTPUT defaults to dashboard.html; '-' writes HTML to
    standard output. With the memory store, streams hold none of a running
    server's points: export those with 'flask-pyecharts export --url'.
    """
    _export(output, rule, title, variables, format_, chromium, from_new_process=True)


@flask_group.command("charts")
def flask_charts() -> None:
    """List the registered charts and dashboards."""
    runtime = current_app.extensions.get("pyecharts")
    if runtime is None:
        raise click.ClickException("Charts is not registered on this app.")
    registry = runtime.registry
    specs = list(registry.charts.values())
    if not specs:
        click.echo("No charts registered.")
    for spec in specs:
        how = f"window {spec.window}" if spec.window else _every(spec.refresh)
        producer = registry.producers.get(spec.name)
        if producer is not None:
            how += f", producer every {producer.every:g} s"
        click.echo(f"{spec.name:<24} {spec.kind:<7} {how}")
    for dashboard in registry.dashboards:
        names = ", ".join(dashboard.names)
        click.echo(f"dashboard {dashboard.rule} {dashboard.title!r}: {names}")


def _every(refresh: float | None) -> str:
    return f"rebuilt every {refresh:g} s" if refresh else "built once"


def _export(
    output: Path,
    rule: str | None,
    title: str | None,
    variables: dict[str, str] | None = None,
    format_: str | None = None,
    chromium: str | None = None,
    *,
    from_new_process: bool = False,
) -> None:
    """Export within an app context; errors become click errors.

    :param from_new_process: the app was started for the export: with the
        memory store its streams are not a running server's.
    """
    from .export import ExportError, export_dashboard

    try:
        result = export_dashboard(current_app, rule, title=title, variables=variables)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    if from_new_process:
        result.problems.extend(_fresh_streams(result.charts))
    _write(output, result, format_, chromium)


def _fresh_streams(names: list[str]) -> list[str]:
    """Why the exported streams may not be what a running server shows."""
    from .streams.stores.memory import MemoryStore

    runtime = current_app.extensions["pyecharts"]
    if not isinstance(runtime.store, MemoryStore):
        return []  # a shared store (Redis): the same points as the servers
    problems = []
    for name in names:
        if runtime.registry.chart(name).kind != "stream":
            continue
        held = (
            "only what its producer returned just now"
            if name in runtime.registry.producers
            else "no points"
        )
        problems.append(
            f"chart {name!r}: a stream in the memory store of this new process, so"
            f" it holds {held}, not what a running server holds; export from the"
            " running server with 'flask-pyecharts export --url"
            " http://HOST:PORT/', or share a store (PYECHARTS_STORE=redis://...)."
        )
    return problems


def _write(
    output: Path,
    result: Export,
    format_: str | None = None,
    chromium: str | None = None,
) -> None:
    """Write an export as HTML, PNG or PDF (warnings to standard error)."""
    from .export import ExportError, write_image

    suffix = output.suffix.lower().lstrip(".")
    format_ = format_ or (suffix if suffix in ("png", "pdf") else "html")
    if output == Path("-") and format_ != "html":
        raise click.UsageError("Only HTML can be written to standard output.")
    for problem in result.problems:
        click.echo(f"Warning: {problem}", err=True)
    if output == Path("-"):
        sys.stdout.write(result.html)
        return
    try:
        if format_ == "html":
            output.write_text(result.html, encoding="utf-8")
        else:
            for url in write_image(result.html, output, format_, chromium=chromium):
                click.echo(f"Warning: the page asked for {url}; refused", err=True)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    size = output.stat().st_size / 1024
    chosen = "".join(f", {name}={value}" for name, value in result.variables.items())
    click.echo(f"Wrote {output} ({len(result.charts)} charts{chosen}, {size:,.0f} KiB)")


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


def _shutdown(app: Flask) -> None:
    """Stop the app's background threads (producers, the demo's simulator)."""
    demo = app.extensions.get("pyecharts_demo")
    if demo is not None:
        demo.close()
    runtime = app.extensions.get("pyecharts")
    if runtime is not None:
        runtime.stop()
