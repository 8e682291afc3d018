"""Parsing limits, in one place: every JSON body (and JSON carried in a form field) is read under a size limit
counted on the bytes actually read (a chunked body has no Content-Length), refused when nested deeper than
MAX_JSON_DEPTH, when it is not valid UTF-8 or holds a lone surrogate, or when it holds a NUL character."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, abort, current_app, request

MAX_JSON_DEPTH = 32
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(rb"[^\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class InputRefused(ValueError):
    """The input breaks a parsing limit; `status` is the HTTP answer (400 or 413)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def json_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _NOT_BRACKETS.sub(b"", _STRINGS.sub(b"", data)):
        if bracket in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _check_strings(value: Any) -> None:
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise InputRefused("The body holds text that is not valid Unicode (a lone surrogate).")
        if "\x00" in value:
            raise InputRefused("NUL characters are not allowed in requests.")
    elif isinstance(value, dict):
        for key, inner in value.items():
            _check_strings(key)
            _check_strings(inner)
    elif isinstance(value, list):
        for inner in value:
            _check_strings(inner)


def parse_json(data: bytes | str) -> Any:
    """Parse a JSON text under the limits (depth, valid Unicode, no NUL); raises InputRefused."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputRefused("The body is not valid UTF-8.") from None
    else:
        text = data
    if json_depth(text.encode("utf-8", "surrogatepass")) > MAX_JSON_DEPTH:
        raise InputRefused(f"The JSON is nested deeper than {MAX_JSON_DEPTH} levels.")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise InputRefused("The request body is not valid JSON.") from None
    _check_strings(value)
    return value


def body_limit() -> int:
    """How many bytes this request's body may hold: API JSON is smaller than an upload."""
    if request.path.startswith("/api/") and request.is_json:
        return int(current_app.config["API_MAX_JSON_BYTES"])
    return int(current_app.config["MAX_CONTENT_LENGTH"])


def parse_json_body() -> None:
    """before_request: read a JSON body once, under the limits, and keep the parsed value for every later reader
    (Flask's get_json, webargs). A body over the limit is a 413 whether or not it declared its length."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    limit = body_limit()
    # Werkzeug stops reading a body (chunked too) at max_content_length; one byte more tells "over the limit".
    request.max_content_length = limit + 1
    if not request.is_json:
        return
    data = request.get_data(cache=True)
    if len(data) > limit:
        abort(413, description=f"The body is larger than {limit} bytes.")
    if not data:
        return
    try:
        value = parse_json(data)
    except InputRefused as refused:
        abort(refused.status, description=str(refused))
    request._cached_json = (value, value)  # what get_json() answers from now on (werkzeug's own cache)


def init_app(app: Flask) -> None:
    app.before_request(parse_json_body)
