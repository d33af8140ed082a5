"""Server-rendered (mixed mode) embedding: chart markup with the option inlined.

The option travels as JSON inside ``<script type="application/json">`` with
``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so data can never close the
element or run: no executable inline script is produced.
"""

from __future__ import annotations

import re
import typing as t

from flask import has_request_context, request, url_for
from markupsafe import Markup, escape

from .. import assets
from .._json import dumps, script_safe
from ..live.limits import LimitReached
from ..live.option_cache import BuildError
from ..options import build_document
from ..variables import (
    ChoicesError,
    VariableError,
    misspelling_of,
    parent_value,
    undecodable_parameters,
)
from ..wire.documents import body_key

if t.TYPE_CHECKING:
    from ..live.runtime import Runtime
    from ..registry import ChartSpec

_CSS_LENGTH = re.compile(r"\d{1,5}(\.\d{1,3})?(px|%|em|rem|vh|vw)")


def css_length(value: str, what: str) -> str:
    """Validate a CSS length such as ``400px`` or ``100%``."""
    if not isinstance(value, str) or not _CSS_LENGTH.fullmatch(value):
        raise ValueError(f"{what} must be a CSS length such as '400px' or '100%'.")
    return value


def page_variables(runtime: Runtime) -> tuple[dict[str, str], dict[str, str]]:
    """The variables in the current page's URL: the values that are allowed
    (canonical texts) and, for the others, what is wrong with them. Other
    query parameters are the page's own business and are ignored."""
    values: dict[str, str] = {}
    problems: dict[str, str] = {}
    if not has_request_context():
        return values, problems
    undecodable = undecodable_parameters(request.query_string)
    for name, spec in runtime.registry.variables.items():
        items = request.args.getlist(name)
        if not items:
            continue
        try:
            if name in undecodable:
                raise VariableError(f"Variable {name!r} is not UTF-8 text.")
            if len(items) > 1:
                raise VariableError(f"Variable {name!r} is given {len(items)} times.")
            values[name] = spec.parse(items[0], parent_value(spec, values))
        except (VariableError, ChoicesError) as error:
            problems[name] = str(error)
    return values, problems


def misspelt_variables(
    runtime: Runtime, specs: t.Iterable[ChartSpec]
) -> dict[str, str]:
    """The parameters of the current page's URL that look like misspellings
    of the variables these charts use, each with the variable it looks like.
    Any other parameter that is no variable is the page's own (``utm_source``)."""
    if not has_request_context():
        return {}
    names = [variable.name for variable in runtime.registry.variables_of(specs)]
    found = {}
    for key in request.args:
        if key not in runtime.registry.variables:
            variable = misspelling_of(key, names)
            if variable is not None:
                found[key] = variable
    return found


def initial_json(
    runtime: Runtime, spec: ChartSpec, values: t.Mapping[str, str] | None = None
) -> str | None:
    """A registered chart's document for these variable values, script-safe;
    ``None`` if it fails to build or the client has asked for too many new
    variants (the page then asks, and shows why)."""
    try:
        topic = runtime.topic(spec, values)
        runtime.admit([topic])
        document = runtime.document(spec, topic)
    except (BuildError, ChoicesError, LimitReached):
        return None
    return script_safe(document.body)


def chart_initial(runtime: Runtime, spec: ChartSpec) -> str | None:
    """The first paint of a registered chart for the page's URL: ``None`` when
    one of its variables there is not allowed (the page asks, and shows why)."""
    values, problems = page_variables(runtime)
    if any(name in problems for name in spec.variables):
        return None
    return initial_json(runtime, spec, values)


def variables_json(runtime: Runtime, specs: t.Iterable[ChartSpec]) -> str | None:
    """The declarations of the variables these charts use or set on click,
    script-safe, for the page's filters and clicks; ``None`` when none."""
    variables = runtime.registry.variables_of(specs)
    if not variables:
        return None
    values, _ = page_variables(runtime)
    try:
        described = [
            variable.describe(parent_value(variable, values)) for variable in variables
        ]
    except ChoicesError:
        return None  # the page then asks the API, which says what failed
    return script_safe(dumps(described))


def uses_attribute(spec: ChartSpec) -> str:
    """``data-fpe-variables``: the variables a chart uses, for the client."""
    if not spec.variables:
        return ""
    return f' data-fpe-variables="{escape(",".join(spec.variables))}"'


def static_json(runtime: Runtime, chart: t.Any) -> str:
    """A one-off pyecharts chart as a static document, script-safe."""
    document = build_document(chart, name="embedded chart")
    head = {
        "kind": "static",
        "functions": document.functions,
        "scripts": runtime.scripts(document),
        "theme": document.theme,
    }
    if document.js_functions:
        head["js_functions"] = list(document.js_functions)
    key = body_key(document.composite).encode()
    return script_safe(dumps(head)[:-1] + b',"' + key + b'":' + document.body + b"}")


#: The height of an embedded chart by its display, when none is given.
DEFAULT_HEIGHTS = {"chart": "400px", "number": "140px"}


def embed_markup(
    runtime: Runtime, chart: t.Any, height: str | None = None, width: str = "100%"
) -> Markup:
    """The container for a registered chart name or a one-off pyecharts chart.

    A registered chart the viewer may not see embeds as nothing.

    :param height: a CSS length; default 400px, 140px for a number card.
    """
    if height is None:
        display = "chart"
        if isinstance(chart, str) and chart in runtime.registry.charts:
            display = runtime.registry.charts[chart].display
        height = DEFAULT_HEIGHTS.get(display, DEFAULT_HEIGHTS["chart"])
    height, width = css_length(height, "height"), css_length(width, "width")
    sizes = (
        f'style="height:{height};width:{width}"'
        f' data-height="{height}" data-width="{width}"'
    )
    if runtime.settings.strict_csp:
        sizes += ' data-csp="strict"'  # tooltips drawn on the canvas
    if isinstance(chart, str):
        spec = runtime.registry.chart(chart)  # raises for unknown names
        if not runtime.registry.allows(chart):
            return Markup("")
        url = url_for("pyecharts.chart", name=chart)
        initial = chart_initial(runtime, spec)
        attributes = f' data-chart="{escape(url)}"' + uses_attribute(spec)
        if spec.display != "chart":
            attributes += f' data-fpe-display="{escape(spec.display)}"'
    else:
        initial = static_json(runtime, chart)
        attributes = ""
    inner = (
        f'<script type="application/json" class="fpe-initial">{initial}</script>'
        if initial is not None
        else ""
    )
    return Markup(f'<div class="fpe-chart"{attributes} {sizes}>{inner}</div>')


def page_scripts(runtime: Runtime) -> list[str]:
    """The scripts every chart page loads, in order: echarts (always the
    bundled one), then the runtime."""
    return [
        *assets.script_urls(["echarts"], runtime.vendor_url()),
        url_for("pyecharts.static", filename="flask-pyecharts.js"),
    ]


def variables_tag(runtime: Runtime, specs: t.Iterable[ChartSpec]) -> str:
    """``<script type="application/json" class="fpe-variables">``: the
    declarations the client validates clicks and filters with (or nothing)."""
    declared = variables_json(runtime, specs)
    if declared is None:
        return ""
    return f'<script type="application/json" class="fpe-variables">{declared}</script>'


def script_tags(runtime: Runtime) -> Markup:
    """The stylesheet and scripts for pages with embedded charts, and the
    declarations of the variables the charts use, if any."""
    css = url_for("pyecharts.static", filename="flask-pyecharts.css")
    tags = [f'<link rel="stylesheet" href="{escape(css)}">']
    tags += [f'<script src="{escape(url)}"></script>' for url in page_scripts(runtime)]
    tags.append(variables_tag(runtime, runtime.registry.visible_charts()))
    return Markup("".join(tags))
