"""/api/v1/exports: the progress summary, the returns and the library progress as files."""

from __future__ import annotations

import marshmallow as ma
from flask import Response, send_file, stream_with_context
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from association.audit.operations import record_event
from association.core.errors import NotAllowed
from association.core.i18n import current_language
from association.core.permissions import SIGNED_IN, access
from association.core.schemas import QueryArgs
from association.exports import documents
from association.exports.safety import attachment_name
from association.exports.scope import export_scope
from association.extensions import db
from association.programme.queries import chosen_programme

blp = Blueprint("exports_api", __name__, url_prefix="/api/v1/exports", description="Exports")

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


class ProgrammeExportArgs(QueryArgs):
    programme = ma.fields.String(validate=ma.validate.Length(max=40),
                                 metadata={"description": "Programme code (default: the active one, else the newest)"})


def _scope(args: dict):
    """What the user may export, of the programme asked for (422 for an unknown code)."""
    code = args.pop("programme", None)
    return export_scope(current_user, chosen_programme(code).id if code else None)


class ProgressExportArgs(ProgrammeExportArgs):
    format = ma.fields.String(load_default="csv", validate=ma.validate.OneOf(["csv", "xlsx", "pdf"]))
    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100))
    committee = ma.fields.String(validate=ma.validate.Length(max=10))


class ReturnsExportArgs(QueryArgs):
    format = ma.fields.String(load_default="csv", validate=ma.validate.OneOf(["csv", "xlsx"]))
    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100))


class LibraryProgressExportArgs(ProgrammeExportArgs):
    format = ma.fields.String(load_default="csv", validate=ma.validate.OneOf(["csv", "xlsx"]))


def _attachment(body, mimetype: str, filename: str) -> Response:
    if isinstance(body, bytes):
        response = Response(body, mimetype=mimetype)
    elif hasattr(body, "read"):
        response = send_file(body, mimetype=mimetype)
    else:
        response = Response(stream_with_context(body), mimetype=mimetype)  # CSV: streamed as it is read
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _logged(kind: str, args: dict) -> None:
    """Audit the export. The language is settled first: a streamed CSV is written after the view has returned."""
    get_locale()
    detail = " ".join(f"{key}={value}" for key, value in sorted(args.items()))
    record_event("export", object_type=kind, detail=detail)
    db.session.commit()


FILE_RESPONSE = {"content": {CSV: {"schema": {"type": "string"}}, XLSX: {"schema": {"type": "string", "format": "binary"}},
                             PDF: {"schema": {"type": "string", "format": "binary"}}}}


@blp.route("/progress")
class ProgressExport(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(ProgressExportArgs, location="query")
    @blp.response(200, description="The progress summary as a file (attachment)", example=None)
    @blp.doc(responses={200: FILE_RESPONSE})
    def get(self, args: dict) -> Response:
        """A programme's progress summary: tasks (CSV), or with figures and charts (XLSX, PDF)"""
        scope = _scope(args)
        _logged("progress", args)
        year, committee, kind = args.get("year"), args.get("committee"), args["format"]
        name = attachment_name("progress", year, committee, language=current_language(), extension=kind)
        if kind == "csv":
            return _attachment(documents.progress_csv(scope, year, committee), CSV + "; charset=utf-8", name)
        if kind == "xlsx":
            return _attachment(documents.progress_xlsx(scope, year, committee), XLSX, name)
        return _attachment(documents.progress_pdf(scope, year, committee), PDF, name)


@blp.route("/returns")
class ReturnsExport(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(ReturnsExportArgs, location="query")
    @blp.response(200, description="One row per library, one column per field code (attachment)")
    @blp.doc(responses={200: FILE_RESPONSE})
    def get(self, args: dict) -> Response:
        """The annual returns: one row per active member library, one column per field code"""
        scope = export_scope(current_user)
        if not scope.may_export_returns:
            raise NotAllowed(_("Only the coordinator, observers and libraries (their own) export returns."))
        _logged("returns", args)
        year, kind = args.get("year"), args["format"]
        name = attachment_name("returns", year, language=current_language(), extension=kind)
        if kind == "csv":
            return _attachment(documents.returns_csv(scope, year), CSV + "; charset=utf-8", name)
        return _attachment(documents.returns_xlsx(scope, year), XLSX, name)


@blp.route("/library-progress")
class LibraryProgressExport(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(LibraryProgressExportArgs, location="query")
    @blp.response(200, description="Libraries × library-level measures (attachment)")
    @blp.doc(responses={200: FILE_RESPONSE})
    def get(self, args: dict) -> Response:
        """Member libraries × a programme's library-level measures, with each library's overall progress"""
        scope = _scope(args)
        _logged("library-progress", args)
        kind = args["format"]
        name = attachment_name("library-progress", language=current_language(), extension=kind)
        if kind == "csv":
            return _attachment(documents.library_progress_csv(scope), CSV + "; charset=utf-8", name)
        return _attachment(documents.library_progress_xlsx(scope), XLSX, name)
