"""Errors: problem+json under /api, friendly pages elsewhere. Never a stack trace, never a 500 for bad input."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class PreconditionRequired(HTTPException):
    """428: the request must say which version it changes (If-Match)."""

    code = 428
    description = "This request must carry an If-Match header with the ETag of the version it changes."


class DomainError(Exception):
    """A rule refused an operation. Views turn it into 409/422 (API) or a message beside the form (HTML)."""

    status = 409

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


class ValidationFailed(DomainError):
    """Well-formed input whose values are not acceptable (422)."""

    status = 422


class StateConflict(DomainError):
    """The object is not in a state that allows this change (409)."""

    status = 409


class NotAllowed(DomainError):
    """The user may not change this object (403); object-level checks raise it."""

    status = 403


class Missing(DomainError):
    """The thing asked for does not exist, said in words the user can act on (404)."""

    status = 404


class StaleVersion(DomainError):
    """Someone else changed the object since the client read it (412 in the API)."""

    status = 412


def wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, detail: str | None = None, errors: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    """Build an application/problem+json response."""
    from werkzeug.http import HTTP_STATUS_CODES

    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail or HTTP_STATUS_CODES.get(status, "Error"),
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_errors(messages: Any) -> dict[str, list[str]]:
    """Turn webargs' {"json": {"field": [...]}} into a flat {"field": [...]} (nested fields become a.b)."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list | tuple):
            if all(isinstance(item, str) for item in value):
                flat.setdefault(prefix or "_schema", []).extend(value)
            else:
                for item in value:
                    walk(prefix, item)
        else:
            flat.setdefault(prefix or "_schema", []).append(str(value))

    if isinstance(messages, dict):
        for location, inner in messages.items():
            # webargs keys by location first (json, query, headers...); the location is not part of the field name.
            if location in {"json", "query", "querystring", "form", "headers", "files", "view_args", "path"}:
                walk("", inner)
            else:
                walk(str(location), inner)
    else:
        walk("", messages)
    return flat


def _detail_for(error: HTTPException) -> str:
    data = getattr(error, "data", None) or {}
    if data.get("message"):
        return str(data["message"])
    if error.code == 422:
        return "The request was well-formed but some values are not valid."
    if error.code == 400 and "messages" in data:
        return "The request body is not valid JSON."
    return error.description or error.name


def handle_http_exception(error: HTTPException) -> Response | tuple[str, int]:
    if wants_problem_json():
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or (flatten_errors(data["messages"]) if "messages" in data else None)
        code = error.code or 500
        if code == 400 and errors and any("Invalid JSON" in m for msgs in errors.values() for m in msgs):
            errors = None  # the parser's own words add nothing to "not valid JSON"
        headers = dict(data.get("headers") or {})
        if code == 401:
            headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
        if code == 405 and error.get_response().headers.get("Allow"):
            headers["Allow"] = error.get_response().headers["Allow"]
        return problem(code, _detail_for(error), errors, headers)
    code = error.code or 500
    return render_template("errors/error.html", code=code, error=error), code


def handle_csrf_error(error: CSRFError) -> Response | tuple[str, int]:
    if wants_problem_json():
        return problem(403, _("The CSRF token is missing or invalid: send it in the X-CSRFToken header."))
    return render_template("errors/error.html", code=400, error=error,
                           message=_("Your form expired or was sent from another site. Please try again.")), 400


def handle_domain_error(error: DomainError) -> Response | tuple[str, int]:
    from association.extensions import db

    # A refused request changes nothing; and a refused flush (a concurrent change) leaves the session unusable
    # until rolled back, which turned the 409 into a 500 as soon as the answer touched the database.
    db.session.rollback()
    if error.status == 403:
        _audit_denial()
    if wants_problem_json():
        return problem(error.status, error.detail, error.errors or None)
    return render_template("errors/error.html", code=error.status, error=error, message=error.detail), error.status


def _audit_denial() -> None:
    """An object-level refusal is a security event too: log it (nothing else of the request is kept)."""
    from association.audit.operations import record_event
    from association.extensions import db

    db.session.rollback()
    record_event("permission_denied", detail=f"{request.method} {request.path}")
    db.session.commit()


def handle_unexpected(error: Exception) -> Response | tuple[str, int]:
    log.exception("Unhandled error on %s %s", request.method, request.path)
    if wants_problem_json():
        return problem(500, "An internal error occurred. It has been logged.")
    return render_template("errors/error.html", code=500, error=InternalServerError()), 500


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
