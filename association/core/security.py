"""Security headers on every response (CSP without inline scripts, no framing, no sniffing, no caching of anything
but the static files and the API description)."""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Responses that carry nothing personal and may be cached; every other one (signed-in pages, tokens, password
# forms, a return's values) is `no-store`, so no shared or browser cache keeps it after the user has gone.
CACHEABLE_ENDPOINTS = frozenset({"static", "api-docs.openapi_json"})


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        headers["Cache-Control"] = "no-store"
    if current_app.config.get("ENV_NAME") == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def refuse_nul_characters() -> None:
    """A NUL character is never meaningful input, and PostgreSQL cannot store it in text: refuse it (400) before
    anything reads it, whether it comes in the query string, a form or a JSON body."""
    if any("\x00" in value for values in request.args.listvalues() for value in values) or (
        request.mimetype == "application/x-www-form-urlencoded"
        and any("\x00" in value for values in request.form.listvalues() for value in values)
    ) or (request.is_json and (b"\\u0000" in request.get_data(cache=True) or b"\x00" in request.get_data(cache=True))):
        abort(400, description="NUL characters are not allowed in requests.")


def init_app(app: Flask) -> None:
    from association.core import parsing

    parsing.init_app(app)  # first: it sets the body limit before anything reads the body
    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
