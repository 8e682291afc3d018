"""ETags from version columns, and the If-Match check that keeps two writers from overwriting each other."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from flask import Flask, Response, g, request
from flask_babel import gettext as _
from flask_smorest import Blueprint

from association.core.errors import PreconditionRequired, StaleVersion


def etag_for(kind: str, object_id: int, version: int) -> str:
    """A strong ETag naming the object and its version, e.g. "task-12-v3"."""
    return f"{kind}-{object_id}-v{version}"


def check_if_match(current: str) -> None:
    """428 when If-Match is missing or `*` (which names no version that was read), 412 when it names another
    version than `current`."""
    if_match = request.if_match
    if (not if_match and "If-Match" not in request.headers) or if_match.star_tag:
        raise PreconditionRequired()
    if if_match.contains(current):
        return
    raise StaleVersion(_("The object was changed by someone else since you read it; read it again."))


def if_match_version(kind: str) -> int | None:
    """The version an optional If-Match names (`"<kind>-<id>-v<version>"`), or None when there is none.
    An If-Match that names no version of this kind can never match: it answers 412."""
    if "If-Match" not in request.headers or request.if_match.star_tag:
        return None
    for tag in request.if_match.as_set():
        prefix, _, version = tag.rpartition("-v")
        if prefix.startswith(f"{kind}-") and version.isdigit():
            return int(version)
    raise StaleVersion(_("The object was changed by someone else since you read it; read it again."))


def documents_versions(*, if_match: Literal["required", "optional"] | None = None,
                       etag: bool = True) -> Callable[[Any], Any]:
    """Declare in the OpenAPI document that an API operation answers an ETag and (if_match) reads If-Match: the
    ProblemApi's plugin (association.core.api) turns this into the header parameter and the response header."""
    from association.core.api import ETAG, IF_MATCH

    extension: dict[str, Any] = {ETAG: etag}
    if if_match is not None:
        extension[IF_MATCH] = if_match
    return Blueprint.doc(**extension)


def set_response_etag(etag: str) -> None:
    """The ETag header of the current response (added after the view has been serialized)."""
    g.response_etag = etag


def _add_etag(response: Response) -> Response:
    etag = g.get("response_etag")
    if etag and response.status_code < 300:
        response.set_etag(etag)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_etag)
