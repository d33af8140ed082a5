"""One JSON error shape for the whole API: ``{"error": message}``."""

from __future__ import annotations

from flask import Response
from werkzeug.exceptions import HTTPException

from .._json import dumps


class APIError(HTTPException):
    """An error answered as ``{"error": description}`` with its status code."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(description=message)
        self.code = status

    def get_response(self, environ: object = None, scope: object = None) -> Response:
        return json_error(self.code or 500, self.description or "error")


def json_error(
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
    error_id: str | None = None,
) -> Response:
    """A JSON error response (with the id the server log shows, if any)."""
    body = {"error": message, "error_id": error_id} if error_id else {"error": message}
    response = Response(dumps(body), status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"  # never kept by a proxy
    response.headers.update(headers or {})
    return response


def bad_request(message: str) -> APIError:
    """A ``400`` error."""
    return APIError(400, message)


def not_found(message: str) -> APIError:
    """A ``404`` error."""
    return APIError(404, message)
