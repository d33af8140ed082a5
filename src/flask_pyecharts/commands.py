"""The ``flask pyecharts`` commands of an app, registered by :meth:`Charts.init_app`.

- ``flask pyecharts export`` writes the app's dashboard as one self-contained
  HTML file (or a PNG or PDF of it), for chosen variables;
- ``flask pyecharts charts`` lists the app's charts, producers and reports;
- ``flask pyecharts stats`` shows what a running server holds against its
  memory budgets;
- ``flask pyecharts nginx`` prints an nginx configuration to put in front of
  the app (:mod:`flask_pyecharts.nginx`).

The export options and the writing of an export are shared with the
``flask-pyecharts`` command (:mod:`flask_pyecharts.cli`).
"""

from __future__ import annotations

import json
import sys
import typing as t
import urllib.request
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .live.runtime import current_runtime
from .nginx import NCHAN_MODULE, nginx_config

if t.TYPE_CHECKING:
    from .export import Export
    from .export.paper import PageSize
    from .variables import VariableSpec

CONTEXT = {"help_option_names": ["-h", "--help"]}


output_argument = click.argument(
    "output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default=Path("dashboard.html"),
)
dashboard_option = click.option(
    "--dashboard",
    "rule",
    metavar="RULE",
    default=None,
    help="The URL rule of the dashboard to export, such as '/'"
    " [default: the first dashboard].",
)
title_option = click.option(
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


variable_option = click.option(
    "--var",
    "variables",
    metavar="NAME=VALUE",
    multiple=True,
    callback=_read_variables,
    help="A variable's value, as in the page's URL (repeat for several):"
    " --var region=华东 --var days=7; an empty value (--var q=) means the"
    " default [default: each variable's default].",
)
format_option = click.option(
    "--format",
    "format_",
    type=click.Choice(["html", "png", "pdf"]),
    default=None,
    help="html: one self-contained page; png, pdf: that page as Chromium draws"
    " it, offline [default: from OUTPUT's extension, else html].",
)
chromium_option = click.option(
    "--chromium",
    metavar="PATH",
    envvar="FLASK_PYECHARTS_CHROMIUM",
    default=None,
    help="The Chromium that draws PNG and PDF exports (or $FLASK_PYECHARTS_CHROMIUM)"
    " [default: chromium on the PATH].",
)


def _read_page_size(
    context: click.Context, parameter: click.Parameter, given: str | None
) -> PageSize | None:
    from .export.paper import parse_page_size

    if given is None:
        return None
    try:
        return parse_page_size(given)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


page_size_option = click.option(
    "--page-size",
    metavar="SIZE",
    default=None,
    callback=_read_page_size,
    help="A PDF's paper: A3, A4, A5, Letter, Legal or Tabloid, with 'portrait'"
    " or 'landscape' ('A4 portrait', 'letter-landscape'); charts are never cut"
    " between pages [default: A4 landscape].",
)


allow_errors_option = click.option(
    "--allow-errors",
    is_flag=True,
    default=False,
    help="Write the export even when charts fail (a notice in their cards);"
    " otherwise a failing chart writes nothing and exits with status 1.",
)


def export_options(function: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    for option in (
        allow_errors_option,
        page_size_option,
        chromium_option,
        format_option,
        variable_option,
    ):
        function = option(function)
    return function


@click.group("pyecharts", cls=AppGroup, context_settings=CONTEXT)
def flask_group() -> None:
    """Flask-PyEcharts: list and export this app's charts."""


@flask_group.command("export")
@output_argument
@dashboard_option
@title_option
@export_options
def flask_export(
    output: Path,
    rule: str | None,
    title: str | None,
    variables: dict[str, str],
    format_: str | None,
    chromium: str | None,
    page_size: PageSize | None,
    allow_errors: bool,
) -> None:
    """Write a dashboard as one HTML file that opens offline, or as PNG or PDF.

    The file holds the charts' current data, ECharts and the client runtime;
    PNG and PDF are that page as headless Chromium draws it, offline (the
    'export' extra). OUTPUT defaults to dashboard.html; '-' writes HTML to
    standard output. With the memory store, streams hold none of a running
    server's points: export those with 'flask-pyecharts export --url'.
    """
    export_app(
        output,
        rule,
        title,
        variables,
        format_,
        chromium,
        allow_errors=allow_errors,
        from_new_process=True,
        page_size=page_size,
    )


@flask_group.command("charts")
def flask_charts() -> None:
    """List the registered charts, their variables, the dashboards and screens."""
    runtime = current_runtime()
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
        if spec.variables:
            how += f", variables {', '.join(spec.variables)}"
        if spec.display != "chart":
            how += f", display {spec.display}"
        click.echo(f"{spec.name:<24} {spec.kind:<7} {how}")
    for variable in registry.variables.values():
        click.echo(f"variable {variable.name} {_allowed(variable)}: {variable.label!r}")
    for report in registry.reports():
        names = ", ".join(report.names)
        click.echo(f"{report.kind} {report.rule} {report.title!r}: {names}")


@flask_group.command("stats")
@click.option(
    "--url",
    default="http://127.0.0.1:5000/",
    show_default=True,
    help="The running server to ask (its address; the app's URL prefix is added).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON as it came.")
def flask_stats(url: str, as_json: bool) -> None:
    """Show what a running server's process holds: option caches, the feed's
    frames and event streams, each against its budget (PYECHARTS_MAX_*)."""
    runtime = current_runtime()
    if runtime is None:
        raise click.ClickException("Charts is not registered on this app.")
    address = url.rstrip("/") + runtime.settings.url_prefix + "/api/stats"
    try:
        with urllib.request.urlopen(address, timeout=10) as answer:
            body = answer.read(1 << 20)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"Cannot read {address}: {error}") from None
    if as_json:
        click.echo(body.decode())
        return
    for line in format_stats(json.loads(body)):
        click.echo(line)


@flask_group.command("nginx")
@click.option(
    "--listen",
    required=True,
    metavar="PORT",
    help="Where nginx listens for viewers: PORT or HOST:PORT.",
)
@click.option(
    "--upstream",
    required=True,
    metavar="HOST:PORT",
    help="The app's server (such as gunicorn) that nginx passes requests to.",
)
@click.option(
    "--prefix",
    metavar="DIR",
    default=None,
    help="The directory of nginx's pid file, logs, temporary files and cache"
    " [default: the one given to nginx with -p].",
)
@click.option(
    "--nchan",
    is_flag=True,
    help="Event streams served by nchan (libnginx-mod-nchan): the app publishes"
    " each frame once, at PYECHARTS_NCHAN, and hands viewers over.",
)
@click.option(
    "--redis",
    metavar="URL",
    default=None,
    help="nchan keeps its channels in this Redis, shared by several nginx"
    " servers (implies --nchan).",
)
@click.option(
    "--nchan-module",
    metavar="FILE",
    default=NCHAN_MODULE,
    show_default=True,
    help="nchan's dynamic module.",
)
def flask_nginx(
    listen: str,
    upstream: str,
    prefix: str | None,
    nchan: bool,
    redis: str | None,
    nchan_module: str,
) -> None:
    """Print an nginx configuration for this app: polls answered once for
    every viewer that asks the same (a cache the app's answers say how long
    to keep), event streams unbuffered or handed to nchan, the rest passed
    through. Save it and run `nginx -c FILE -p DIR`."""
    runtime = current_runtime()
    if runtime is None:
        raise click.ClickException("Charts is not registered on this app.")
    publisher = runtime.settings.nchan
    if (nchan or redis) and publisher is None:
        raise click.UsageError(
            "--nchan needs PYECHARTS_NCHAN, the address where nginx takes the app's"
            " publications, such as http://127.0.0.1:8081."
        )
    try:
        text = nginx_config(
            listen,
            upstream,
            runtime.settings.url_prefix,
            str(Path(prefix).resolve()) if prefix else None,
            restricted=runtime.registry.restricted,
            nchan=publisher.removeprefix("http://")
            if publisher and (nchan or redis)
            else None,
            redis=redis,
            nchan_module=nchan_module,
        )
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    click.echo(text, nl=False)


def format_stats(stats: dict[str, t.Any]) -> list[str]:
    """The lines ``flask pyecharts stats`` prints for a ``/api/stats`` answer."""
    options, feed, streams = stats["options"], stats["feed"], stats["streams"]
    rss = stats.get("rss_bytes")
    return [
        f"process {stats['pid']}: {_mib(rss) if rss is not None else '?'} resident",
        f"options: {options['charts']} charts ({_mib(options['charts_bytes'])}),"
        f" {options['variants']} of at most {options['max_variants']} variants"
        f" ({_mib(options['variants_bytes'])}"
        f" of {_mib(options['max_variant_bytes'])})",
        f"feed: {feed['topics']} topics ({feed['followed']} followed),"
        f" {feed['frames']} frames ({_mib(feed['frame_bytes'])}"
        f" of {_mib(feed['max_frame_bytes'])})",
        f"event streams: {streams['open']} of at most {streams['max']}",
    ]


def _mib(count: int | None) -> str:
    return "no limit" if count is None else f"{count / 2**20:.1f} MiB"


def _allowed(variable: VariableSpec) -> str:
    """A variable's type, allowed values and default, as the listing says them."""
    what = variable.type_name
    choices = variable.choices
    if callable(choices):
        what += ", choices from a function"
    elif choices is not None:
        what += f" in {', '.join(choices)}"
    bounds = [
        f"{name} {value}"
        for name, value in (("min", variable.min), ("max", variable.max))
        if value is not None
    ]
    if bounds:
        what += f" ({', '.join(bounds)})"
    if callable(variable.default) or (variable.default is None and callable(choices)):
        return what + ", default from a function"
    return what + f", default {variable.default_text()}"


def _every(refresh: float | None) -> str:
    return f"rebuilt every {refresh:g} s" if refresh else "built once"


def export_app(
    output: Path,
    rule: str | None,
    title: str | None,
    variables: dict[str, str] | None = None,
    format_: str | None = None,
    chromium: str | None = None,
    *,
    allow_errors: bool = False,
    from_new_process: bool = False,
    page_size: PageSize | None = None,
) -> None:
    """Export within an app context; errors become click errors.

    :param from_new_process: the app was started for the export: with the
        memory store its streams are not a running server's.
    """
    from .export import ExportError, export_dashboard

    try:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        result = export_dashboard(app, rule, title=title, variables=variables)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    if from_new_process:
        result.problems.extend(_fresh_streams(result.charts))
    write_export(
        output,
        result,
        format_,
        chromium,
        allow_errors=allow_errors,
        page_size=page_size,
    )


def _fresh_streams(names: list[str]) -> list[str]:
    """Why the exported streams may not be what a running server shows."""
    from .streams.stores.memory import MemoryStore

    runtime = current_runtime()
    if runtime is None or not isinstance(runtime.store, MemoryStore):
        return []  # a shared store (SQLite, Redis): the servers' points
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
            " http://HOST:PORT/', or share a store (PYECHARTS_STORE=sqlite:///..."
            " or redis://...)."
        )
    return problems


def write_export(
    output: Path,
    result: Export,
    format_: str | None = None,
    chromium: str | None = None,
    *,
    allow_errors: bool = False,
    page_size: PageSize | None = None,
) -> None:
    """Write an export as HTML, PNG or PDF (warnings to standard error).

    :param allow_errors: write it even when charts failed (else nothing is
        written and the command fails, naming them).
    :param page_size: a PDF's paper (default A4 landscape).
    """
    from .export import ExportError, write_image
    from .export.files import write_file

    suffix = output.suffix.lower().lstrip(".")
    format_ = format_ or (suffix if suffix in ("png", "pdf") else "html")
    if output == Path("-") and format_ != "html":
        raise click.UsageError("Only HTML can be written to standard output.")
    if page_size is not None and format_ != "pdf":
        raise click.UsageError(
            f"--page-size is for PDF; this export is {format_.upper()}."
        )
    for problem in result.problems:
        click.echo(f"Warning: {problem}", err=True)
    if result.failed and not allow_errors:
        names = ", ".join(repr(name) for name in result.failed)
        raise click.ClickException(
            f"Could not export chart {names}, so nothing was written (the reason"
            " is above); pass --allow-errors to write the export anyway, with a"
            " notice in the chart's card."
        )
    if output == Path("-"):
        sys.stdout.write(result.html)
        return
    try:
        if format_ == "html":
            write_file(output, result.html.encode())
        else:
            from .export.paper import DEFAULT_PAGE_SIZE

            refused = write_image(
                result.html,
                output,
                format_,
                chromium=chromium,
                page_size=page_size or DEFAULT_PAGE_SIZE,
            )
            for url in refused:
                click.echo(f"Warning: the page asked for {url}; refused", err=True)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    size = output.stat().st_size / 1024
    chosen = "".join(f", {name}={value}" for name, value in result.variables.items())
    click.echo(f"Wrote {output} ({len(result.charts)} charts{chosen}, {size:,.0f} KiB)")
