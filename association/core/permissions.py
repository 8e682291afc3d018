"""Permissions are declared on every route and checked in one place, before the view runs.

A route declares who may call it with `@access(...)`; `enforce_declared_access` (a before_request hook) finds the
declaration of the matched endpoint and answers 401/403 before the view sees the request. A route without a
declaration is refused, and a test walks `app.url_map` so that such a route never ships. Object-level rules
("a member changes only their committees' tasks") are predicates on the objects, called by the operations.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from association.extensions import csrf
from association.users.models import Role

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Access:
    """Who may call a route: `public`, any signed-in user, or the holders of some roles."""

    name: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    public: bool = False
    # Routes that take credentials instead of a session (the token endpoint) do not need a CSRF token.
    csrf: bool = True

    def allows(self, user: Any) -> bool:
        if self.public:
            return True
        if not user.is_authenticated:
            return False
        return not self.roles or user.has_role(*self.roles)

    def without_csrf(self) -> Access:
        return Access(self.name, self.roles, self.public, False)


PUBLIC = Access("public", public=True)
SIGNED_IN = Access("signed_in")


def roles(*allowed: Role) -> Access:
    """Only users holding one of these roles."""
    return Access("roles:" + ",".join(sorted(r.value for r in allowed)), frozenset(allowed))


STAFF = roles(Role.ADMIN, Role.COORDINATOR)
ADMIN = roles(Role.ADMIN)

ATTRIBUTE = "__access__"
UPLOADS_ATTRIBUTE = "__accepts_uploads__"

# Endpoints that libraries register for us: they get a declaration here.
FOREIGN_ENDPOINTS: dict[str, Access] = {
    "static": PUBLIC,
    "api-docs.openapi_json": PUBLIC,
}


def access(rule: Access) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare who may call the decorated view function or MethodView method (or a whole MethodView class)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        setattr(view, ATTRIBUTE, rule)
        return view

    return decorate


def accepts_uploads(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let the decorated view take a multipart body (a file upload) up to FILE_MAX_BYTES, instead of JSON only."""
    setattr(view, UPLOADS_ATTRIBUTE, True)
    return view


def _takes_uploads(app: Flask, endpoint: str, method: str) -> bool:
    view = app.view_functions.get(endpoint)
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, method.lower(), None) if view_class is not None else view
    return bool(getattr(handler, UPLOADS_ATTRIBUTE, False))


def declared_access(app: Flask, endpoint: str, method: str) -> Access | None:
    """The rule declared for `endpoint` answering `method`, or None when the route declared nothing."""
    if endpoint in FOREIGN_ENDPOINTS:
        return FOREIGN_ENDPOINTS[endpoint]
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler_name = "get" if method == "HEAD" and not hasattr(view_class, "head") else method.lower()
        handler = getattr(view_class, handler_name, None)
        rule = getattr(handler, ATTRIBUTE, None) if handler else None
        return rule or getattr(view_class, ATTRIBUTE, None)
    return getattr(view, ATTRIBUTE, None)


def undeclared_routes(app: Flask) -> list[str]:
    """Every "METHOD /rule (endpoint)" of the app that has no access declaration (a test keeps this empty)."""
    missing = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if declared_access(app, rule.endpoint, method) is None:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    return missing


def _is_api() -> bool:
    return request.path.startswith("/api/")


def enforce_declared_access() -> Any:
    """before_request: refuse a request that the matched route's declaration does not allow."""
    endpoint = request.endpoint
    if endpoint is None or request.routing_exception is not None:
        return None  # 404/405 come from routing
    if request.method == "OPTIONS":
        return None  # answered by Flask itself, with no data
    rule = declared_access(current_app, endpoint, request.method)
    if rule is None:
        log.error("Route %s (%s) declares no access rule; refusing it.", endpoint, request.method)
        abort(403)
    user = current_user._get_current_object()  # runs the loaders now, so g.authenticated_by is known
    if not rule.allows(user):
        if not user.is_authenticated:
            if _is_api():
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        from association.audit.operations import record_event
        from association.extensions import db

        record_event("permission_denied", detail=f"{request.method} {request.path}")
        db.session.commit()  # the request ends in an error, which would roll the event back
        abort(403)
    if request.method not in SAFE_METHODS:
        uploads = _takes_uploads(current_app, endpoint, request.method)
        if uploads:
            # Before anything parses the body: a file (and the form around it) may be larger than other bodies.
            request.max_content_length = current_app.config["FILE_MAX_BYTES"] + 1024 * 1024
        if rule.csrf and g.get("authenticated_by") != "token":
            csrf.protect()
        if _is_api():
            _check_api_body(uploads)
    return None


def _check_api_body(uploads: bool = False) -> None:
    """An API body must be JSON (415) and small (413); an empty body is allowed (e.g. submit with no body).
    Upload endpoints take multipart/form-data instead, up to the file size limit."""
    length = request.content_length
    if length is None and not request.headers.get("Transfer-Encoding"):
        return
    if length == 0:
        return
    if uploads:
        if request.mimetype != "multipart/form-data":
            abort(415, description="The body must be multipart/form-data with the file under `file`.")
        return
    if request.mimetype != "application/json":
        abort(415, description="The body must be application/json.")
    if (length or 0) > current_app.config["API_MAX_JSON_BYTES"]:
        abort(413)
