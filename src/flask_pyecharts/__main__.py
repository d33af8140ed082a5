"""``python -m flask_pyecharts``: the same as the ``flask-pyecharts`` command."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main(prog_name="flask-pyecharts")
