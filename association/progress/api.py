"""/api/v1/progress: the programme summary, the same figures as the dashboards."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from association.core.i18n import current_language
from association.core.pagination import DEFAULT_PER_PAGE
from association.core.permissions import SIGNED_IN, access
from association.programme.queries import chosen_programme
from association.progress.cache import remember
from association.progress.queries import programme_summary
from association.progress.schemas import ProgrammeSummarySchema, ProgressArgs

blp = Blueprint("progress_api", __name__, url_prefix="/api/v1/progress", description="Programme figures")


def summary_document(year: int | None, programme_id: int | None = None, page: int = 1,
                     per_page: int = DEFAULT_PER_PAGE) -> str:
    """One page of the summary as JSON text, cached with the figures. The totals, committees, regions and the
    distribution are whole; the per-library lists (`libraries`, `returns.items`: 1,200 rows each at 10x, 687 KB
    at 30x) hold one page of libraries, by code."""
    today = date.today()

    def document() -> str:
        whole = ProgrammeSummarySchema().dump(programme_summary(year, today, programme_id))
        start = (page - 1) * per_page
        whole.update(libraries=whole["libraries"][start:start + per_page], libraries_total=len(whole["libraries"]),
                     page=page, per_page=per_page)
        if whole.get("returns"):
            whole["returns"]["items"] = whole["returns"]["items"][start:start + per_page]
        return current_app.json.dumps(whole)

    return remember(("programme_summary.json", programme_id, year, current_language(), today, page, per_page),
                    document)


@blp.route("")
class Progress(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(ProgressArgs, location="query")
    @blp.response(200, ProgrammeSummarySchema)
    @blp.alt_response(422, description="No programme has this code")
    def get(self, args: dict) -> object:
        """A programme's tasks by status and overdue, per committee, per region, and returns completeness; one page
        of the figures per library"""
        programme_id = chosen_programme(args["programme"]).id if args.get("programme") else None  # None: default
        return current_app.response_class(
            summary_document(args.get("year"), programme_id, args["page"], args["per_page"]),
            mimetype="application/json")
