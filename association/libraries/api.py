"""/api/v1/libraries: the registry of member libraries, their profiles, membership and progress on the measures."""

from __future__ import annotations

from flask import Response, abort
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from association.core.errors import NotAllowed
from association.core.etags import check_if_match, documents_versions, etag_for, set_response_etag
from association.core.pagination import page_response, page_schema, paginate
from association.core.permissions import SIGNED_IN, STAFF, access, roles
from association.extensions import db
from association.libraries import operations, queries
from association.libraries.models import MeasureStatus, MemberLibrary, MembershipStatus
from association.libraries.schemas import (
    LibraryCreateArgs,
    LibraryDefinitionArgs,
    LibraryProgressSchema,
    LibraryQueryArgs,
    LibrarySchema,
    MeasureArgs,
    MeasureSchema,
    MembershipArgs,
    library_item,
)
from association.progress.queries import overall_percents
from association.roadmap.models import RoadmapTask
from association.users.models import Role

blp = Blueprint("libraries_api", __name__, url_prefix="/api/v1/libraries", description="Member libraries")

PROFILE_EDITORS = roles(Role.LIBRARY_REP, Role.COORDINATOR, Role.ADMIN)
PROGRESS_EDITORS = roles(Role.LIBRARY_REP, Role.COMMITTEE_MEMBER, Role.COORDINATOR, Role.ADMIN)


def _library_or_404(library_id: int) -> MemberLibrary:
    library = queries.get_library(library_id)
    if library is None:
        abort(404)
    return library


def _described(library: MemberLibrary) -> dict:
    set_response_etag(etag_for("library", library.id, library.version))
    return queries.describe_libraries([library])[0]


@blp.route("")
class Libraries(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(LibraryQueryArgs, location="query")
    @blp.response(200, page_schema(LibrarySchema))
    def get(self, args: dict) -> Response:
        """List the member libraries, filtered and paginated, with their overall progress"""
        items, total = paginate(queries.library_query(args), args["page"], args["per_page"])
        return page_response([library_item(described) for described in queries.describe_libraries(items)], total,
                             args["page"], args["per_page"])

    @access(STAFF)
    @blp.arguments(LibraryCreateArgs)
    @blp.response(201, LibrarySchema)
    def post(self, args: dict) -> dict:
        """Register a member library (coordinator)"""
        library = operations.create_library(current_user, args)
        db.session.commit()
        return _described(_library_or_404(library.id))


@blp.route("/<int:library_id>")
class Library(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, LibrarySchema)
    @blp.alt_response(404, description="No such library")
    @documents_versions()
    def get(self, library_id: int) -> dict:
        """One member library, with its ETag"""
        return _described(_library_or_404(library_id))

    @access(PROFILE_EDITORS)
    @blp.arguments(LibraryDefinitionArgs)
    @blp.response(200, LibrarySchema)
    @blp.alt_response(403, description="Not this library's representative, or a field only the coordinator sets")
    @blp.alt_response(412, description="If-Match names an older version")
    @blp.alt_response(428, description="If-Match is missing")
    @documents_versions(if_match="required")
    def patch(self, args: dict, library_id: int) -> dict:
        """Change a library's profile (coordinator: every field; its representative: contact fields); If-Match"""
        library = _library_or_404(library_id)
        if not operations.can_edit_profile(current_user, library):
            raise NotAllowed(_("You cannot change this library's profile."))
        check_if_match(etag_for("library", library.id, library.version))
        operations.edit_library(library, current_user, args, expected_version=library.version)
        db.session.commit()
        return _described(_library_or_404(library_id))


@blp.route("/<int:library_id>/membership")
class Membership(MethodView):
    @access(STAFF)
    @blp.arguments(MembershipArgs)
    @blp.response(200, LibrarySchema)
    @blp.alt_response(409, description="The membership already has this status")
    def post(self, args: dict, library_id: int) -> dict:
        """Change a library's membership status (active, suspended, left) with the date and a reason"""
        library = _library_or_404(library_id)
        operations.change_membership(library, current_user, MembershipStatus(args["status"]), args["effective_on"],
                                     args["reason"])
        db.session.commit()
        return _described(_library_or_404(library_id))


@blp.route("/<int:library_id>/progress")
class Progress(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, LibraryProgressSchema)
    @blp.alt_response(404, description="No such library")
    def get(self, library_id: int) -> dict:
        """The library's progress on every library-level measure, and its overall percent"""
        library = _library_or_404(library_id)
        return {"overall_percent": overall_percents([library.id])[library.id],
                "measures": queries.library_measures(library.id)}


@blp.route("/<int:library_id>/progress/<int:task_id>")
class MeasureProgress(MethodView):
    @access(PROGRESS_EDITORS)
    @blp.arguments(MeasureArgs)
    @blp.response(200, MeasureSchema)
    @blp.alt_response(403, description="Not this library's representative, the measure's committee or the coordinator")
    @blp.alt_response(404, description="No such library or task")
    @blp.alt_response(409, description="The library has left the Association")
    @blp.alt_response(422, description="Bad values, or the task is not a library-level measure")
    def put(self, args: dict, library_id: int, task_id: int) -> object:
        """Record where the library stands on one library-level measure"""
        library = _library_or_404(library_id)
        task = db.session.get(RoadmapTask, task_id)
        if task is None:
            abort(404)
        operations.set_measure_progress(library, task, current_user, status=MeasureStatus(args["status"]),
                                        evidence_url=args["evidence_url"], note=args["note"])
        db.session.commit()
        return next(m for m in queries.library_measures(library.id) if m.task.id == task_id)
