"""/api/v1/progress: the programme summary, the same figures as the dashboards."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from association.core.i18n import current_language
from association.core.permissions import SIGNED_IN, access
from association.programme.queries import chosen_programme
from association.progress.cache import remember
from association.progress.queries import programme_summary
from association.progress.schemas import ProgrammeArgs, ProgrammeSummarySchema

blp = Blueprint("progress_api", __name__, url_prefix="/api/v1/progress", description="Programme figures")


def summary_document(year: int | None, programme_id: int | None = None) -> str:
    """The summary as JSON text, cached with the figures: at 10× it lists 1,200 libraries twice, and serializing
    them costs more than everything else in the request."""
    today = date.today()
    return remember(
        ("programme_summary.json", programme_id, year, current_language(), today),
        lambda: current_app.json.dumps(ProgrammeSummarySchema().dump(programme_summary(year, today, programme_id))),
    )


@blp.route("")
class Progress(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(ProgrammeArgs, location="query")
    @blp.response(200, ProgrammeSummarySchema)
    @blp.alt_response(422, description="No programme has this code")
    def get(self, args: dict) -> object:
        """A programme's tasks by status and overdue, per committee, per library, per region, and returns completeness"""
        programme_id = chosen_programme(args["programme"]).id if args.get("programme") else None  # None: default
        return current_app.response_class(summary_document(args.get("year"), programme_id),
                                          mimetype="application/json")
