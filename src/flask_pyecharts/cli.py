"""The ``flask-pyecharts`` command line."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="Flask-PyEcharts")
def main() -> None:
    """Publish pyecharts charts from Flask as live web pages."""


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
def demo(host: str, port: int) -> None:
    """Run the demo report system on http://HOST:PORT/."""
    from .demo import create_app

    app = create_app()
    click.echo(f"Demo running on http://{host}:{port}/ (Ctrl+C to stop)")
    app.run(host=host, port=port, threaded=True)
