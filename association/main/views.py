"""/, /healthz, /language, /api/v1/docs (and its Swagger UI assets)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from association.core import charts
from association.core.permissions import PUBLIC, SIGNED_IN, access, roles
from association.core.redirects import safe_next
from association.extensions import db
from association.libraries.queries import describe_libraries, get_library
from association.main.queries import todo_for
from association.programme.queries import chosen_programme
from association.progress.queries import programme_summary
from association.returns.forms import STATUS_LABELS as RETURN_STATUS_LABELS
from association.roadmap import queries
from association.roadmap.labels import STATUS_LABELS, TASK_STATUS_LABELS
from association.users.models import Role
from association.users.operations import set_locale

bp = Blueprint("main", __name__)

MY_TASKS_SHOWN = 20
REVIEW_LABELS = {"returned": _l("Returned for correction"), "accepted": _l("Accepted"), "reopened": _l("Reopened")}
OVERDUE_SHOWN = 10


@bp.route("/")
@access(SIGNED_IN)
def dashboard():
    """The start page: a programme's overview (the one chosen, else the active one), a member's open tasks,
    a representative's library."""
    programme = chosen_programme(request.args.get("programme"))
    summary = programme_summary(programme_id=programme.id)
    my_library = None
    library = get_library(current_user.library_id) if current_user.has_role(Role.LIBRARY_REP) else None
    if library is not None:
        my_library = describe_libraries([library])[0]
    tasks = queries.dashboard_tasks(programme.id, current_user.committee_ids(), OVERDUE_SHOWN, MY_TASKS_SHOWN)
    # Each label translated once, not once per row.
    task_status_labels = {status: str(label) for status, label in TASK_STATUS_LABELS.items()}
    return render_template("main/dashboard.html", summary=summary, overdue=tasks.overdue, my_tasks=tasks.mine,
                           my_library=my_library, status_labels=STATUS_LABELS, task_status_labels=task_status_labels,
                           charts=charts, programme=programme,
                           todo=todo_for(current_user), return_status_labels=RETURN_STATUS_LABELS,
                           review_labels=REVIEW_LABELS)


@bp.route("/my/returns")
@access(roles(Role.LIBRARY_REP))
def my_returns():
    """A representative's menu entry "Annual returns": their library's returns, every year."""
    library = get_library(current_user.library_id) if current_user.library_id is not None else None
    if library is None:
        abort(404)
    return redirect(url_for("libraries.library_detail", code=library.code, _anchor="returns"))


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
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            set_locale(current_user, locale)
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))


# The Swagger UI files the reference page loads, from the swagger-ui-bundle package (no CDN).
SWAGGER_UI_ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js"})


@bp.route("/api/v1/docs")
@access(PUBLIC)
def api_docs():
    """The interactive API reference (Swagger UI, served by the app, started by a script file: CSP-clean), with a
    plain list of the operations for readers without JavaScript."""
    from association.extensions import api

    return render_template("main/api_docs.html", spec=api.spec.to_dict())


@bp.route("/api/v1/docs/assets/<filename>")
@access(PUBLIC)
def api_docs_asset(filename: str):
    """One of Swagger UI's own files, from the installed swagger-ui-bundle package."""
    import swagger_ui_bundle

    if filename not in SWAGGER_UI_ASSETS:
        abort(404)
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
