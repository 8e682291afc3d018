"""/api/v1/committees: the committees with their task figures."""

from __future__ import annotations

from flask import Response, abort
from flask.views import MethodView
from flask_smorest import Blueprint

from association.committees.queries import describe_committees
from association.committees.schemas import CommitteeSchema
from association.core.pagination import PageArgs, page_response, page_schema
from association.core.permissions import SIGNED_IN, access

blp = Blueprint("committees_api", __name__, url_prefix="/api/v1/committees", description="Committees")


@blp.route("")
class Committees(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(CommitteeSchema))
    def get(self, args: dict) -> Response:
        """List the committees with tasks_total, tasks_by_status and progress_percent"""
        rows = describe_committees()  # already CommitteeSchema's shape, JSON types only: answered as they are
        start = (args["page"] - 1) * args["per_page"]
        return page_response(rows[start:start + args["per_page"]], len(rows), args["page"], args["per_page"])


@blp.route("/<int:committee_id>")
class CommitteeDetail(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, CommitteeSchema)
    @blp.alt_response(404, description="No such committee")
    def get(self, committee_id: int) -> dict:
        """One committee with its members and task figures"""
        rows = describe_committees(committee_id)
        if not rows:
            abort(404)
        return rows[0]
