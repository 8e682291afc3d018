"""The flask-smorest Api, made to describe and answer errors as problem+json (RFC 9457)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Api


class ProblemSchema(ma.Schema):
    """An error: RFC 9457 problem details, with validation messages flat under `errors`."""

    type = ma.fields.String(metadata={"description": "A URI naming the kind of problem (about:blank for plain HTTP errors)"})
    title = ma.fields.String(metadata={"description": "The HTTP status phrase"})
    status = ma.fields.Integer(metadata={"description": "The HTTP status code"})
    detail = ma.fields.String(metadata={"description": "What went wrong, for a person to read"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Validation messages by field name"},
    )


class ProblemApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Errors are answered by association.core.errors for the whole app (API and HTML alike)."""
