"""/programmes: the list and the switch between programmes; the coordinator's activation and close-out pages."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from association.core.errors import DomainError
from association.core.permissions import SIGNED_IN, STAFF, access
from association.extensions import db
from association.programme import operations, queries
from association.programme.forms import DecisionForm, ProgrammeActionForm
from association.programme.labels import ACTION_LABELS, PROGRAMME_STATUS_LABELS
from association.programme.models import ProgrammeStatus
from association.roadmap.labels import TASK_STATUS_LABELS
from association.seed.cli import DEMO_MARKER_FILE

bp = Blueprint("programme", __name__)


@bp.app_context_processor
def programme_labels() -> dict:
    """Programme status labels, and whether this database holds demo data (the banner on every page)."""
    return {"programme_status_labels": PROGRAMME_STATUS_LABELS,
            "demo_data": (Path(current_app.instance_path) / DEMO_MARKER_FILE).exists()}


@bp.route("/programmes")
@access(SIGNED_IN)
def programme_list():
    """Every programme, the one shown now, and the switch between them."""
    programmes = list(db.session.scalars(queries.programme_query()))
    return render_template("programme/list.html", programmes=programmes, shown=queries.chosen_programme(),
                           action_form=ProgrammeActionForm())


@bp.route("/programmes/switch", methods=["POST"])
@access(SIGNED_IN)
def programme_switch():
    """Show another programme on the dashboard, task lists and committee pages (kept for the session)."""
    form = ProgrammeActionForm()
    if form.validate_on_submit():
        programme = queries.programme_by_code(form.programme.data or "")
        if programme is None:
            flash(_("Unknown programme."), "error")
            return redirect(url_for("programme.programme_list"))
        session[queries.SESSION_KEY] = programme.code
        flash(_("Now showing %(title)s.", title=programme.title), "info")
    return redirect(url_for("main.dashboard"))


def _act(code: str, action) -> object:
    if not ProgrammeActionForm().validate_on_submit():
        return redirect(url_for("programme.programme_list"))
    try:
        action(queries.get_programme(code), current_user)
    except DomainError as refused:
        db.session.rollback()
        flash(refused.detail, "error")
        return redirect(url_for("programme.programme_list"))
    db.session.commit()
    flash(_("Saved."), "info")
    return None


@bp.route("/programmes/<code>/activate", methods=["POST"])
@access(STAFF)
def programme_activate(code: str):
    """Make a draft programme the active one (coordinator)."""
    return _act(code, operations.activate_programme) or redirect(url_for("programme.programme_list"))


@bp.route("/programmes/<code>/start-closeout", methods=["POST"])
@access(STAFF)
def programme_start_closeout(code: str):
    """Start the close-out of the active programme (coordinator)."""
    return _act(code, operations.start_closeout) or redirect(url_for("programme.closeout_page", code=code))


def _render_closeout(code: str, forms: dict | None = None, status: int = 200):
    programme = queries.get_programme(code)
    closeout = queries.closeout(programme)
    targets = [p for p in db.session.scalars(queries.programme_query())
               if p.id != programme.id and p.status in operations.OPEN_TARGETS]
    forms = forms or {}
    rows = []
    for task, decision in closeout.unfinished:
        form = forms.get(task.code) or DecisionForm(
            formdata=None, prefix=f"t{task.id}", action=decision.action.value if decision else "carry_over",
            to_programme=decision.to_programme.code if decision and decision.to_programme else None,
            due_date=decision.due_date if decision else None, comment=decision.comment if decision else "")
        form.to_programme.choices = [SelectChoice("", "—")] + [SelectChoice(p.code, p.title) for p in targets]
        rows.append((task, decision, form))
    return render_template("programme/closeout.html", programme=programme, closeout=closeout, rows=rows,
                           action_form=ProgrammeActionForm(), status_labels=TASK_STATUS_LABELS,
                           action_labels=ACTION_LABELS, closing=programme.status == ProgrammeStatus.CLOSING), status


@bp.route("/programmes/<code>/closeout")
@access(STAFF)
def closeout_page(code: str):
    """The close-out: every unfinished task with its decision, and closing the programme (coordinator)."""
    return _render_closeout(code)


@bp.route("/programmes/<code>/closeout/<task_code>", methods=["POST"])
@access(STAFF)
def closeout_decide(code: str, task_code: str):
    """Record the decision on one unfinished task."""
    programme = queries.get_programme(code)
    task_id = request.form.get("task_id", type=int) or 0
    form = DecisionForm(prefix=f"t{task_id}")
    form.to_programme.choices = [SelectChoice("", "—")] + [
        SelectChoice(p.code) for p in db.session.scalars(queries.programme_query())]
    if not form.validate_on_submit():
        return _render_closeout(code, {task_code: form}, 400)
    try:
        operations.decide(programme, task_code, current_user, {
            "action": form.action.data, "to_programme": form.to_programme.data or None,
            "due_date": form.due_date.data, "comment": form.comment.data or ""})
    except DomainError as refused:
        db.session.rollback()
        for name, messages in refused.errors.items():
            field = form._fields.get(name)
            (field.errors if field is not None else form.form_errors).extend(messages)
        if not refused.errors:
            form.form_errors.append(refused.detail)
        flash(refused.detail, "error")
        return _render_closeout(code, {task_code: form}, refused.status)
    db.session.commit()
    flash(_("Decision on %(code)s saved.", code=task_code), "info")
    return redirect(url_for("programme.closeout_page", code=code) + f"#task-{task_id}")


@bp.route("/programmes/<code>/close", methods=["POST"])
@access(STAFF)
def closeout_close(code: str):
    """Close the programme, applying every decision at once (refused while a task is undecided)."""
    if not ProgrammeActionForm().validate_on_submit():
        return _render_closeout(code, status=400)
    try:
        operations.close_programme(queries.get_programme(code), current_user)
    except DomainError as refused:
        db.session.rollback()
        flash(refused.detail, "error")
        return _render_closeout(code, status=refused.status)
    db.session.commit()
    flash(_("Programme %(code)s is closed.", code=code), "info")
    return redirect(url_for("programme.closeout_page", code=code))
