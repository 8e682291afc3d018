"""/, /healthz, /language, /api/v1/docs."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from association.core import charts
from association.core.permissions import PUBLIC, SIGNED_IN, access
from association.extensions import db
from association.libraries.queries import describe_libraries, get_library
from association.programme.queries import chosen_programme
from association.progress.queries import programme_summary
from association.roadmap import queries
from association.roadmap.labels import STATUS_LABELS
from association.roadmap.models import CLOSED_STATUSES, RoadmapTask
from association.users.models import Role
from association.users.operations import set_locale

bp = Blueprint("main", __name__)

MY_TASKS_SHOWN = 20
OVERDUE_SHOWN = 10


@bp.route("/")
@access(SIGNED_IN)
def dashboard():
    """The start page: a programme's overview (the one chosen, else the active one), a member's open tasks,
    a representative's library."""
    programme = chosen_programme(request.args.get("programme"))
    summary = programme_summary(programme_id=programme.id)
    overdue = db.session.scalars(
        queries.task_query({"overdue": True, "programme_id": programme.id}).order_by(None).order_by(RoadmapTask.due_date, *queries.code_order())
        .limit(OVERDUE_SHOWN)
    ).unique().all()
    my_library = None
    if current_user.library_id is not None and current_user.has_role(Role.LIBRARY_REP):
        my_library = next(iter(describe_libraries([get_library(current_user.library_id)])), None)
    my_tasks = []
    committee_ids = current_user.committee_ids()
    if committee_ids:
        query = queries.task_query({"committee_ids": committee_ids, "programme_id": programme.id})
        query = query.where(RoadmapTask.status.not_in(list(CLOSED_STATUSES))).order_by(None).order_by(
            RoadmapTask.due_date, *queries.code_order())
        my_tasks = db.session.scalars(query.limit(MY_TASKS_SHOWN)).unique().all()
    return render_template("main/dashboard.html", summary=summary, overdue=overdue, my_tasks=my_tasks,
                           my_library=my_library, status_labels=STATUS_LABELS, charts=charts, programme=programme)


@bp.route("/healthz")
@access(PUBLIC)
def healthz():
    """Liveness and database check for load balancers."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify({"status": "ok" if status == 200 else "degraded", "database": database}), status


@bp.route("/language", methods=["POST"])
@access(PUBLIC)
def choose_language():
    """Switch the interface language (kept for the user once signed in)."""
    locale = request.form.get("locale", "")
    if locale in ("kk", "ru", "en"):
        session["locale"] = locale
        if current_user.is_authenticated:
            set_locale(current_user, locale)
            db.session.commit()
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.dashboard")
    return redirect(target)


@bp.route("/api/v1/docs")
@access(PUBLIC)
def api_docs():
    """A readable page of the OpenAPI document, served without any external script."""
    from association.extensions import api

    return render_template("main/api_docs.html", spec=api.spec.to_dict())
