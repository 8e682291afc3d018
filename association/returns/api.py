"""/api/v1/forms, /api/v1/libraries/{id}/returns/{year} and /api/v1/returns: the annual returns."""

from __future__ import annotations

import yaml
from flask import Response, abort
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from association.core.errors import Missing, NotAllowed, ValidationFailed
from association.core.etags import documents_versions, etag_for, set_response_etag
from association.core.pagination import PageArgs, page_schema
from association.core.permissions import SIGNED_IN, STAFF, access, roles
from association.extensions import db
from association.libraries.models import MemberLibrary
from association.libraries.queries import get_library
from association.progress.queries import returns_completeness
from association.progress.schemas import CompletenessSchema
from association.returns import operations, queries
from association.returns.definitions import form_definition
from association.returns.formcache import definition_of
from association.returns.models import AnnualReturn, ReturnForm
from association.returns.schemas import (
    ClosedArgs,
    CommentArgs,
    CopyArgs,
    EmptyArgs,
    FormCalendarSchema,
    FormDefinitionArgs,
    FormSchema,
    OptionalCommentArgs,
    ReturnHistorySchema,
    ReturnSaveArgs,
    ReturnSchema,
    ReturnsQueryArgs,
)
from association.users.models import Role

blp = Blueprint("returns_api", __name__, url_prefix="/api/v1", description="Annual returns")

RETURN_EDITORS = roles(Role.LIBRARY_REP, Role.ADMIN)


def _library_or_404(library_id: int) -> MemberLibrary:
    library = get_library(library_id)
    if library is None:
        abort(404)
    return library


def _readable_library(library_id: int) -> MemberLibrary:
    library = _library_or_404(library_id)
    if not operations.can_read_return(current_user, library):
        raise NotAllowed(_("You cannot read this library's return."))
    return library


def _started_return(library: MemberLibrary, year: int) -> AnnualReturn:
    annual_return = operations.find_return(library.id, year)
    if annual_return is None:
        operations.form_for_year(year)  # 404 for a year without a form
        raise Missing(_("This library has not started its return for %(year)d.", year=year))
    return annual_return


def _answer(library: MemberLibrary, year: int) -> dict:
    """The return as it now stands, with its ETag."""
    annual_return = _started_return(library, year)
    form = operations.form_of(annual_return)
    return _described(library, annual_return, form, operations.findings_for(annual_return, form))


def _described(library: MemberLibrary, annual_return: AnnualReturn, form: ReturnForm, findings) -> dict:
    set_response_etag(etag_for("return", annual_return.id, annual_return.version))
    return queries.describe_return(annual_return, library.code, form, findings)


@blp.route("/forms")
class Forms(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, FormCalendarSchema)
    def get(self) -> dict:
        """The reporting calendar: every year's form with its window, and the current reporting year"""
        from association.progress.queries import current_reporting_year

        items = queries.form_calendar()
        return {"items": items, "total": len(items), "current_year": current_reporting_year()}


@blp.route("/forms/<int:year>")
class Form(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, FormSchema)
    @blp.alt_response(404, description="No form for this year")
    def get(self, year: int) -> dict:
        """The annual-return form of a reporting year: fields, sections, units and rules"""
        return queries.describe_form(operations.form_for_year(year))


@blp.route("/forms/<int:year>/definition")
class FormDefinition(MethodView):
    @access(STAFF)
    @blp.response(200, description="The form as a YAML definition, to edit and load again")
    def get(self, year: int) -> Response:
        """Download the year's form definition (YAML)"""
        form = operations.form_for_year(year)
        definition = definition_of(form)
        text = yaml.safe_dump(form_definition(form, definition.fields, definition.rules), allow_unicode=True,
                              sort_keys=False)
        return Response(text, mimetype="application/yaml", headers={
            "Content-Disposition": f'attachment; filename="form-{year}.yaml"'})

    @access(STAFF)
    @blp.arguments(FormDefinitionArgs)
    @blp.response(200, FormSchema)
    @blp.alt_response(422, description="The definition is not valid")
    def put(self, args: dict, year: int) -> dict:
        """Load an edited definition for the year (a new revision if returns were submitted on the current one)"""
        definition = args["definition"]
        if definition.get("year") != year:
            raise ValidationFailed(_("The definition is for another year."), {"year": [_("Must be %(year)d.", year=year)]})
        form, _replaced = operations.load_definition(definition, current_user)
        db.session.commit()
        return queries.describe_form(operations.form_for_year(year))


@blp.route("/forms/<int:year>/copy")
class FormCopy(MethodView):
    @access(STAFF)
    @blp.arguments(CopyArgs)
    @blp.response(201, FormSchema)
    @blp.alt_response(422, description="The target year already has a form")
    def post(self, args: dict, year: int) -> dict:
        """Start another year's form from this one (same fields and rules, dates moved)"""
        operations.copy_year(year, args["to_year"], current_user)
        db.session.commit()
        return queries.describe_form(operations.form_for_year(args["to_year"]))


@blp.route("/forms/<int:year>/closed")
class FormClosed(MethodView):
    @access(STAFF)
    @blp.arguments(ClosedArgs)
    @blp.response(200, FormSchema)
    @blp.alt_response(409, description="Already in that state")
    def put(self, args: dict, year: int) -> dict:
        """Close the reporting year (no more saves or submissions) or open it again"""
        operations.set_year_closed(year, current_user, args["closed"])
        db.session.commit()
        return queries.describe_form(operations.form_for_year(year))


@blp.route("/libraries/<int:library_id>/returns/<int:year>")
class Return(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, ReturnSchema)
    @blp.alt_response(403, description="Another library's return")
    @blp.alt_response(404, description="Never started, or no form for the year")
    @documents_versions()
    def get(self, library_id: int, year: int) -> dict:
        """A library's return for a year: values, errors, warnings, status, history"""
        return _answer(_readable_library(library_id), year)

    @access(RETURN_EDITORS)
    @blp.arguments(ReturnSaveArgs)
    @blp.response(200, ReturnSchema)
    @blp.alt_response(403, description="Another library's return")
    @blp.alt_response(409, description="Submitted, accepted, or the year is closed")
    @blp.alt_response(412, description="If-Match names an older version")
    @blp.alt_response(422, description="Unknown field code or wrong type: nothing saved")
    @documents_versions(if_match="optional")
    def put(self, args: dict, library_id: int, year: int) -> dict:
        """Save the draft (created if needed); out-of-range values and rule breaches are saved and listed"""
        from association.core.etags import if_match_version

        library = _library_or_404(library_id)
        saved = operations.save_return(library, year, current_user, args["values"], args.get("notes"),
                                       expected_version=if_match_version("return"))
        # Described inside the transaction, from what the save loaded and checked, then committed: the answer is
        # exactly what was stored, without reading the return, its form and rules all over again.
        answer = _described(library, saved.annual_return, saved.form, saved.findings)
        db.session.commit()
        return answer


@blp.route("/libraries/<int:library_id>/returns/<int:year>/history")
class ReturnHistoryPages(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(ReturnHistorySchema))
    @blp.alt_response(403, description="Another library's return")
    @blp.alt_response(404, description="Never started, or no form for the year")
    def get(self, args: dict, library_id: int, year: int) -> dict:
        """The return's whole history, newest first (paginated like every list)"""
        annual_return = _started_return(_readable_library(library_id), year)
        page, per_page = args["page"], args["per_page"]
        return {"items": queries.return_history(annual_return.id, limit=per_page, offset=(page - 1) * per_page),
                "total": queries.return_history_total(annual_return.id), "page": page, "per_page": per_page}


def _transition(name: str, summary: str, schema: type, call, access_rule):
    """One POST /…/returns/{year}/<name> endpoint calling a workflow operation."""

    @access(access_rule)
    @blp.arguments(schema)
    @blp.response(200, ReturnSchema)
    @blp.alt_response(403, description="Not allowed for you")
    @blp.alt_response(404, description="Never started, or no form for the year")
    @blp.alt_response(409, description="The return's status does not allow this")
    @blp.alt_response(422, description="Errors remain, or the comment is missing")
    def post(self, args: dict, library_id: int, year: int) -> dict:
        library = _library_or_404(library_id)
        call(library, year, current_user, args)
        db.session.commit()
        return _answer(library, year)

    post.__doc__ = summary
    view = type(f"Return{name.title()}", (MethodView,), {"post": post})
    blp.route(f"/libraries/<int:library_id>/returns/<int:year>/{name}")(view)


_transition("submit", "Submit the return (refused while errors remain)", EmptyArgs,
            lambda library, year, user, args: operations.submit_return(library, year, user), RETURN_EDITORS)
_transition("return", "Send a submitted return back to the library with a comment (coordinator)", CommentArgs,
            lambda library, year, user, args: operations.return_for_correction(library, year, user, args["comment"]),
            STAFF)
_transition("accept", "Accept a submitted return (optional comment); it is then locked (coordinator)",
            OptionalCommentArgs,
            lambda library, year, user, args: operations.accept_return(library, year, user, args["comment"]), STAFF)
_transition("reopen", "Reopen an accepted return with a reason (coordinator)", CommentArgs,
            lambda library, year, user, args: operations.reopen_return(library, year, user, args["comment"]), STAFF)


@blp.route("/returns")
class Completeness(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(ReturnsQueryArgs, location="query")
    @blp.response(200, CompletenessSchema)
    def get(self, args: dict) -> object:
        """Which active member libraries have submitted the year's return (expected, submitted, accepted, on time)"""
        operations.form_for_year(args["year"])
        return returns_completeness(args["year"])
