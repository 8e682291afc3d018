"""/api/v1/programmes: the sequence of programmes, their activation and close-out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import marshmallow as ma
import sqlalchemy as sa
from flask import Response, send_file
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from association.core.pagination import page_schema, paginate
from association.core.permissions import SIGNED_IN, STAFF, access, roles
from association.core.schemas import QueryArgs
from association.extensions import db
from association.programme import operations, queries, report
from association.programme.models import Programme
from association.programme.schemas import (
    CloseoutDecisionArgs,
    CloseoutDecisionSchema,
    CloseoutSchema,
    CloseResultSchema,
    ProgrammeCreateArgs,
    ProgrammeDetailSchema,
    ProgrammeListArgs,
    ProgrammeSchema,
)
from association.users.models import Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

blp = Blueprint("programmes_api", __name__, url_prefix="/api/v1/programmes", description="Programmes")


@blp.route("")
class Programmes(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(ProgrammeListArgs, location="query")
    @blp.response(200, page_schema(ProgrammeSchema))
    def get(self, args: dict) -> dict:
        """The programmes, newest period first"""
        query = queries.programme_query()
        if args.get("status"):
            query = query.where(Programme.status == args["status"])
        items, total = paginate(query, args["page"], args["per_page"])
        return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}

    @access(STAFF)
    @blp.arguments(ProgrammeCreateArgs)
    @blp.response(201, ProgrammeDetailSchema)
    @blp.alt_response(409, description="The code is taken")
    @blp.alt_response(422, description="The period ends before it starts, or the directions are not valid")
    def post(self, args: dict) -> Programme:
        """Create a programme (coordinator): draft, with directions given or copied from another programme"""
        programme = operations.create_programme(current_user, args)
        db.session.commit()
        return _detail(programme.code)


def _detail(code: str) -> Programme:
    return db.session.scalars(sa.select(Programme).where(Programme.code == code)
                              .options(selectinload(Programme.directions))).one()


@blp.route("/<code>")
class ProgrammeDetail(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, ProgrammeDetailSchema)
    @blp.alt_response(404, description="No such programme")
    def get(self, code: str) -> Programme:
        """One programme with its directions"""
        return _detail(queries.get_programme(code).code)


@blp.route("/<code>/activate")
class Activate(MethodView):
    @access(STAFF)
    @blp.response(200, ProgrammeSchema)
    @blp.alt_response(409, description="Not a draft, or another programme is active")
    def post(self, code: str) -> Programme:
        """Make a draft programme the active one (coordinator)"""
        programme = queries.get_programme(code)
        operations.activate_programme(programme, current_user)
        db.session.commit()
        return programme


@blp.route("/<code>/start-closeout")
class StartCloseout(MethodView):
    @access(STAFF)
    @blp.response(200, ProgrammeSchema)
    @blp.alt_response(409, description="The programme is not active")
    def post(self, code: str) -> Programme:
        """Start the close-out of the active programme (coordinator): it becomes `closing`"""
        programme = queries.get_programme(code)
        operations.start_closeout(programme, current_user)
        db.session.commit()
        return programme


@blp.route("/<code>/closeout")
class Closeout(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, CloseoutSchema)
    @blp.alt_response(404, description="No such programme")
    def get(self, code: str) -> object:
        """The programme's unfinished tasks, each with its close-out decision or null, and the counts"""
        return queries.closeout(queries.get_programme(code))


@blp.route("/<code>/closeout/decisions/<task_code>")
class Decision(MethodView):
    @access(STAFF)
    @blp.arguments(CloseoutDecisionArgs)
    @blp.response(200, CloseoutDecisionSchema)
    @blp.alt_response(409, description="The programme is not closing, the task is not unfinished, or the target is "
                                        "closed")
    @blp.alt_response(422, description="Unknown task or target, the same programme, a missing comment")
    def put(self, args: dict, code: str, task_code: str) -> object:
        """Decide on one unfinished task (coordinator): carry_over (to_programme, due_date), cancel or done (comment)"""
        decision = operations.decide(queries.get_programme(code), task_code, current_user, args)
        db.session.commit()
        return queries.decisions_for(queries.get_programme(code))[decision.task_id]


class ReportArgs(QueryArgs):
    format = ma.fields.String(load_default="pdf", validate=ma.validate.OneOf(["pdf", "xlsx"]))


REPORT_READERS = roles(Role.COORDINATOR, Role.ADMIN, Role.OBSERVER)


@blp.route("/<code>/closeout-report")
class CloseoutReport(MethodView):
    @access(REPORT_READERS)
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, description="The close-out report (attachment), in the reader's language")
    @blp.doc(responses={"200": {"description": "The close-out report (attachment), in the reader's language",
                                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}},
                                            XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
    def get(self, args: dict, code: str) -> Response:
        """The programme's close-out report for the Ministry (PDF or XLSX)"""
        programme = queries.get_programme(code)
        if args["format"] == "xlsx":
            response = send_file(report.report_xlsx(programme), mimetype=XLSX)
        else:
            response = Response(report.report_pdf(programme), mimetype="application/pdf")
        name = f"closeout-{programme.code}-{date.today().isoformat()}.{args['format']}"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers["Cache-Control"] = "no-store"
        return response


@dataclass(frozen=True)
class CreatedTask:
    id: int
    code: str
    programme_code: str


class ClosedProgramme:
    """The closed programme as the answer shows it, with the tasks its close-out created elsewhere."""

    def __init__(self, programme: Programme, created: list[CreatedTask]) -> None:
        self._programme = programme
        self.created = created

    def __getattr__(self, name: str) -> object:
        return getattr(self._programme, name)


@blp.route("/<code>/close")
class Close(MethodView):
    @access(STAFF)
    @blp.response(200, CloseResultSchema)
    @blp.alt_response(409, description="Not closing, or tasks without a decision (their codes under `errors`)")
    def post(self, code: str) -> object:
        """Close the programme (coordinator), applying every decision in one transaction"""
        programme = queries.get_programme(code)
        created = operations.close_programme(programme, current_user)
        targets = {p.id: p.code for p in db.session.scalars(queries.programme_query())}
        result = [CreatedTask(task.id, task.code, targets[task.programme_id]) for task in created]
        db.session.commit()
        return ClosedProgramme(programme, result)
