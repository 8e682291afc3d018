"""/api/v1/progress: the programme summary, the same figures as the dashboards."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from association.core.permissions import SIGNED_IN, access
from association.progress.queries import programme_summary
from association.progress.schemas import ProgrammeSummarySchema, YearArgs

blp = Blueprint("progress_api", __name__, url_prefix="/api/v1/progress", description="Programme figures")


@blp.route("")
class Progress(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(YearArgs, location="query")
    @blp.response(200, ProgrammeSummarySchema)
    def get(self, args: dict) -> object:
        """Tasks by status and overdue, per committee, per library, per region, and returns completeness"""
        return programme_summary(args.get("year"))
