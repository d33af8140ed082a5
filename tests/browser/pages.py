"""Pages the browser tests open: mixed mode (Jinja + embed), separated mode
(a plain static HTML page with ``data-chart`` elements)."""

from __future__ import annotations

import typing as t

from flask import Flask, render_template_string, request
from markupsafe import escape

#: An empty favicon, so that the browser asks the app for nothing else.
HEAD = '<meta charset="utf-8"><link rel="icon" href="data:,">'

MIXED = (
    "<!doctype html><html><head>" + HEAD + "<title>mixed</title>"
    "{{ charts.scripts() }}</head>"
    '<body{% if transport %} data-transport="{{ transport }}"{% endif %}>'
    "{% for name in names %}<h2>{{ name }}</h2>"
    '{{ charts.embed(name, height="320px") }}{% endfor %}'
    "</body></html>"
)

SEPARATED = """<!doctype html>
<html><head>{head}<title>separated</title>
<link rel="stylesheet" href="/charts/static/flask-pyecharts.css">
<script src="/charts/static/echarts.min.js"></script>
<script src="/charts/static/flask-pyecharts.js"></script>
</head>
<body{attrs}>
{charts}
</body></html>
"""


def separated_html(
    names: t.Sequence[str], transport: str | None = None, body: str = ""
) -> str:
    """A static page: no Jinja, no inline script, one ``div`` per chart.

    ``body``: more attributes for ``<body>`` (page-wide ``data-*`` options).
    """
    charts = "\n".join(
        f"<h2>{escape(name)}</h2>"
        f'<div data-chart="/charts/api/charts/{escape(name)}" data-height="320px">'
        "</div>"
        for name in names
    )
    attrs = f' data-transport="{escape(transport)}"' if transport else ""
    attrs += f" {body}" if body else ""
    return SEPARATED.format(head=HEAD, attrs=attrs, charts=charts)


def add_pages(app: Flask, names: t.Sequence[str]) -> None:
    """``/mixed`` and ``/separated`` show ``names``; ``?transport=poll`` polls."""

    def transport() -> str | None:
        value = request.args.get("transport")
        return value if value in ("sse", "poll") else None

    @app.route("/mixed")
    def mixed() -> str:
        return render_template_string(MIXED, names=names, transport=transport())

    @app.route("/separated")
    def separated() -> str:
        return separated_html(names, transport())
