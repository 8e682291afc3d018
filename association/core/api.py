"""The flask-smorest Api, made to describe and answer errors as problem+json (RFC 9457)."""

from __future__ import annotations

import http
from typing import Any, NoReturn

import flask_smorest
import marshmallow as ma
from apispec import BasePlugin
from flask_smorest import Api
from flask_smorest import abort as smorest_abort
from flask_smorest.utils import prepare_response
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.wrappers import Request

PROBLEM_JSON = "application/problem+json"


class ProblemSchema(ma.Schema):
    """An error: RFC 9457 problem details, with validation messages flat under `errors`."""

    type = ma.fields.String(metadata={"description": "A URI naming the kind of problem (about:blank for plain HTTP errors)",
                                      "example": "about:blank"})
    title = ma.fields.String(metadata={"description": "The HTTP status phrase", "example": "Unprocessable Entity"})
    status = ma.fields.Integer(metadata={"description": "The HTTP status code", "example": 422})
    detail = ma.fields.String(metadata={"description": "What went wrong, for a person to read",
                                        "example": "The request has invalid fields."})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Validation messages by field name",
                  "example": {"progress": ["Must be greater than or equal to 0 and less than or equal to 100."]}},
    )


IF_MATCH = "x-if-match"  # set by association.core.etags.documents_versions, turned into the header below
ETAG = "x-etag"


class ProblemResponsesPlugin(BasePlugin):
    """Every error response of every operation is documented as problem+json (those declared without a body too)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            _declare_versions(operation)
            responses = operation.setdefault("responses", {})
            for code, response in list(responses.items()):
                if isinstance(response, dict) and str(code)[0] in "45" and "content" not in response:
                    response["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            for status in (400, 401, 403, 404, 413, 415, 422, 429, 500):
                responses.setdefault(str(status), http.HTTPStatus(status).name)


def _declare_versions(operation: dict) -> None:
    """The If-Match request header and the ETag response header, where the operation was declared to use them."""
    if_match = operation.pop(IF_MATCH, None)
    if if_match is not None:
        required = if_match == "required"
        operation.setdefault("parameters", []).append({
            "in": "header", "name": "If-Match", "required": required, "schema": {"type": "string"},
            "example": '"task-12-v3"',
            "description": ("The ETag of the version you read (from GET); 428 without it, 412 when someone else saved "
                            "first" if required else
                            "Optional: the ETag of the version you read; 412 when someone else saved first"),
        })
    if operation.pop(ETAG, False):
        for code, response in operation.get("responses", {}).items():
            if str(code).startswith("2") and isinstance(response, dict):
                response.setdefault("headers", {})["ETag"] = {
                    "description": "The version of the object returned: send it back as If-Match to change it",
                    "schema": {"type": "string", "example": '"task-12-v3"'},
                }


class ProblemApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, *, extra_plugins=None, **options) -> None:
        super()._init_spec(extra_plugins=[*(extra_plugins or ()), ProblemResponsesPlugin()], **options)

    def _register_error_handlers(self) -> None:
        """Errors are answered by association.core.errors for the whole app (API and HTML alike)."""

    def _register_responses(self) -> None:
        """The shared error responses, documented with the content type they are sent with."""
        self.spec.components.schema("Problem", schema=ProblemSchema)
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON if status >= 400 else self.DEFAULT_RESPONSE_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def abort(status: int, message: str) -> NoReturn:
    """flask_smorest.abort (a problem+json answer), typed as never returning, so the checker knows what follows."""
    smorest_abort(status, message=message)
    raise AssertionError("flask_smorest.abort always raises")


class MultipartParser(FlaskParser):
    """webargs' Flask parser with a `multipart` location: a multipart body's form fields and files together, so
    that one schema validates the whole body and OpenAPI 3 documents it as one multipart/form-data request body
    (with a `form` and a `files` argument each, the second was left as OpenAPI 2 `formData` parameters)."""

    __location_map__ = dict(FlaskParser.__location_map__, multipart="load_multipart")

    def load_multipart(self, req: Request, schema: ma.Schema) -> Any:
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint, knowing the `multipart` location (for uploads)."""

    ARGUMENTS_PARSER = MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             "multipart": "multipart/form-data"}
