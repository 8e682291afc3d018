"""/exports: the downloads a user may make, with their filters."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user

from association.committees.models import Committee
from association.core.permissions import SIGNED_IN, access
from association.exports.scope import export_scope
from association.extensions import db
from association.programme.queries import chosen_programme
from association.returns.models import ReturnForm

bp = Blueprint("exports", __name__)


@bp.route("/exports")
@access(SIGNED_IN)
def exports_page():
    """Download the progress summary, the annual returns and the library progress."""
    scope = export_scope(current_user)
    committees = db.session.scalars(sa.select(Committee).order_by(Committee.position)).all()
    if not scope.everything and scope.library_id is None:
        committees = [c for c in committees if c.id in scope.committee_ids]
    years = list(db.session.scalars(sa.select(ReturnForm.year).distinct().order_by(ReturnForm.year.desc())))
    return render_template("exports/page.html", scope=scope, committees=committees, years=years,
                           programme=chosen_programme(request.args.get("programme")))
