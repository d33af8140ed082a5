"""The OpenAPI description of the JSON API, served at ``/api/openapi.json``."""

from __future__ import annotations

import typing as t
from importlib.metadata import version

from ..registry import DISPLAYS

_ERROR = {
    "description": "An error, as JSON.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_CHARTS_PARAM = {
    "name": "charts",
    "in": "query",
    "required": True,
    "description": "Comma-separated chart names.",
    "schema": {"type": "string"},
}
_SINCE_PARAM = {
    "name": "since",
    "in": "query",
    "description": "Comma-separated cursors (streams) or ETags (full charts),"
    " aligned with 'charts'.",
    "schema": {"type": "string"},
}
_LIMIT_PARAM = {
    "name": "limit",
    "in": "query",
    "description": "The most points to return per chart.",
    "schema": {"type": "integer", "minimum": 1},
}
_NAME_PARAM = {
    "name": "name",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
}


def _json(schema_ref: str, description: str) -> dict[str, t.Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": f"#/components/schemas/{schema_ref}"}
            }
        },
    }


def variable_parameter(variable: dict[str, t.Any]) -> dict[str, t.Any]:
    """A query parameter for a variable described by ``VariableSpec.describe``."""
    schema: dict[str, t.Any] = {
        "str": {"type": "string"},
        "int": {"type": "integer"},
        "float": {"type": "number"},
        "date": {"type": "string", "format": "date"},
    }[variable["type"]]
    if variable["choices"] is not None:
        schema = {"type": "string", "enum": variable["choices"]}
    elif variable["type"] in ("int", "float"):
        for key in ("min", "max"):
            if variable[key] is not None:
                schema[key + "imum"] = float(variable[key])
    return {
        "name": variable["name"],
        "in": "query",
        "description": f"Variable: {variable['label']} (default"
        f" {variable['default']}). Charts that do not use it ignore it.",
        "schema": {**schema, "default": variable["default"]},
    }


def openapi_document(
    prefix: str, variables: t.Sequence[dict[str, t.Any]] = ()
) -> dict[str, t.Any]:
    """The OpenAPI 3.0 document for the API under ``prefix``.

    :param variables: the declared variables (``VariableSpec.describe()``):
        each is a query parameter of the routes that name charts.
    """
    api = prefix.rstrip("/") + "/api"
    errors = {"400": _ERROR, "404": _ERROR, "503": _ERROR}
    by_variable = [variable_parameter(variable) for variable in variables]
    return {
        "openapi": "3.0.3",
        "info": {"title": "Flask-PyEcharts API", "version": version("Flask-PyEcharts")},
        "paths": {
            f"{api}/charts": {
                "get": {
                    "summary": "The registered charts.",
                    "responses": {"200": _json("ChartList", "The charts.")},
                }
            },
            f"{api}/charts/{{name}}": {
                "get": {
                    "summary": "A chart's option, with its stream window merged in.",
                    "parameters": [_NAME_PARAM, *by_variable],
                    "responses": {
                        "200": _json("ChartDocument", "The chart document."),
                        "304": {"description": "Unchanged (If-None-Match)."},
                        **errors,
                        "429": _ERROR,
                    },
                }
            },
            f"{api}/charts/{{name}}/points": {
                "get": {
                    "summary": "The points of a stream after a cursor.",
                    "parameters": [
                        _NAME_PARAM,
                        {**_SINCE_PARAM, "description": "A cursor."},
                        _LIMIT_PARAM,
                        *by_variable,
                    ],
                    "responses": {"200": _json("Points", "The points."), **errors},
                }
            },
            f"{api}/updates": {
                "get": {
                    "summary": "The updates of many charts (polling).",
                    "parameters": [
                        _CHARTS_PARAM,
                        _SINCE_PARAM,
                        _LIMIT_PARAM,
                        *by_variable,
                    ],
                    "responses": {
                        "200": _json("Updates", "The updates."),
                        **errors,
                        "429": _ERROR,
                    },
                }
            },
            f"{api}/events": {
                "get": {
                    "summary": "Server-Sent Events: option, points, reset,"
                    " chart-error.",
                    "parameters": [
                        _CHARTS_PARAM,
                        _SINCE_PARAM,
                        _LIMIT_PARAM,
                        *by_variable,
                        {
                            "name": "Last-Event-ID",
                            "in": "header",
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "An event stream.",
                            "content": {"text/event-stream": {}},
                        },
                        **errors,
                        "429": _ERROR,
                    },
                }
            },
            f"{api}/stats": {
                "get": {
                    "summary": "What this process holds against its memory budgets"
                    " (counts and bytes).",
                    "responses": {
                        "200": {
                            "description": "Option caches, feed and event streams.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Stats"}
                                }
                            },
                        }
                    },
                }
            },
            f"{api}/reports": {
                "get": {
                    "summary": "The site, and the reports (dashboards, screens) and"
                    " playlists the viewer may see: the home page's JSON twin.",
                    "responses": {"200": _json("ReportList", "The reports.")},
                }
            },
            f"{api}/openapi.json": {
                "get": {
                    "summary": "This document.",
                    "responses": {"200": {"description": "OpenAPI 3.0 JSON."}},
                }
            },
        },
        "components": {"schemas": _SCHEMAS},
    }


_NULLABLE_NUMBER = {"type": "number", "nullable": True}
_NULLABLE_TEXT = {"type": "string", "nullable": True}
_TEXTS = {"type": "object", "additionalProperties": {"type": "string"}}
_COUNTS = {"type": "object", "additionalProperties": _NULLABLE_NUMBER}
_SCHEMAS: dict[str, t.Any] = {
    "Stats": {
        "type": "object",
        "required": ["pid", "rss_bytes", "options", "feed", "streams"],
        "properties": {
            "pid": {"type": "integer"},
            "rss_bytes": {"type": "integer", "nullable": True},
            "options": _COUNTS,
            "feed": _COUNTS,
            "streams": _COUNTS,
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}},
    },
    "ChartList": {
        "type": "object",
        "required": ["charts", "variables"],
        "properties": {
            "variables": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Variable"},
            },
            "charts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "kind", "display", "refresh", "window"],
                    "properties": {
                        "name": {"type": "string"},
                        "kind": {"type": "string", "enum": ["full", "stream"]},
                        "display": {
                            "type": "string",
                            "enum": list(DISPLAYS),
                            "description": "How it is shown: `chart` (ECharts),"
                            " `number` (a number card: its option has `card`,"
                            " docs/protocol.md) or `table` (a live table).",
                        },
                        "refresh": _NULLABLE_NUMBER,
                        "window": {"type": "integer", "nullable": True},
                        "title": {"type": "string"},
                        "variables": {"type": "array", "items": {"type": "string"}},
                        "on_click": _TEXTS,
                    },
                },
            },
        },
    },
    "ReportList": {
        "type": "object",
        "required": ["site", "reports", "playlists"],
        "properties": {
            "site": {
                "type": "object",
                "nullable": True,
                "required": ["title", "url", "logo"],
                "properties": {
                    "title": {"type": "string"},
                    "url": {"type": "string"},
                    "logo": _NULLABLE_TEXT,
                },
            },
            "reports": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["title", "kind", "url", "charts", "variables"],
                    "properties": {
                        "title": {"type": "string"},
                        "description": _NULLABLE_TEXT,
                        "kind": {"type": "string", "enum": ["dashboard", "screen"]},
                        "url": {"type": "string"},
                        "charts": {"type": "array", "items": {"type": "string"}},
                        "variables": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "playlists": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["title", "url", "every", "reports"],
                    "properties": {
                        "title": _NULLABLE_TEXT,
                        "url": {"type": "string"},
                        "every": {"type": "number"},
                        "reports": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    },
    "Variable": {
        "type": "object",
        "required": ["name", "type", "label", "choices", "default"],
        "properties": {
            "name": {"type": "string"},
            "type": {"type": "string", "enum": ["str", "int", "float", "date"]},
            "label": {"type": "string"},
            "choices": {
                "type": "array",
                "items": {"type": "string"},
                "nullable": True,
            },
            "default": {"type": "string"},
            "min": _NULLABLE_TEXT,
            "max": _NULLABLE_TEXT,
        },
    },
    "ChartDocument": {
        "type": "object",
        "description": "One chart has an `option`; a Page, Tab, Table or Image"
        " has a `composite` instead (docs/protocol.md). A number card's `option`"
        " is `{card: {type: 'number', label, prefix, suffix, digits, up}, series:"
        " [{name: 'value', data: [v]}, {name: 'previous', data: [p] or []},"
        " {name: 'trend', data: [...]}]}`.",
        "required": ["functions", "cursor", "refresh", "window", "etag"],
        "properties": {
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["full", "stream"]},
            "option": {"type": "object"},
            "composite": {
                "type": "object",
                "required": ["type", "parts"],
                "properties": {
                    "type": {"type": "string", "enum": ["page", "tab"]},
                    "layout": {"type": "object"},
                    "parts": {"type": "array", "items": {"type": "object"}},
                },
            },
            "functions": {"type": "array", "items": {"type": "array"}},
            "cursor": {"type": "string", "nullable": True},
            "refresh": _NULLABLE_NUMBER,
            "window": {"type": "integer", "nullable": True},
            "etag": {"type": "string"},
            "scripts": {"type": "array", "items": {"type": "string"}},
            "theme": {"type": "string"},
            "fit_labels": {"type": "boolean"},
            "variables": _TEXTS,
            "on_click": _TEXTS,
        },
    },
    "Points": {
        "type": "object",
        "required": ["cursor", "points", "reset"],
        "properties": {
            "chart": {"type": "string"},
            "cursor": {"type": "string"},
            "points": {"type": "array", "items": {"type": "array"}},
            "reset": {"type": "boolean"},
        },
    },
    "Updates": {
        "type": "object",
        "required": ["updates", "since"],
        "properties": {
            "updates": {"type": "array", "items": {"type": "object"}},
            "since": {"type": "string"},
        },
    },
}
