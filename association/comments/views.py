"""The task page's collaboration forms: comment (with @mentions), assign an owner, attach an evidence file."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from association.comments import operations
from association.core.errors import DomainError, ValidationFailed
from association.core.permissions import SIGNED_IN, accepts_uploads, access
from association.extensions import db
from association.files.models import OwnerType
from association.files.operations import store_file
from association.roadmap.models import RoadmapTask
from association.roadmap.operations import assign_task
from association.roadmap.queries import get_task, user_by_id

bp = Blueprint("discussion", __name__)


def _task_or_404(task_id: int) -> RoadmapTask:
    task = get_task(task_id)
    if task is None:
        abort(404)
    return task


def _back(task_id: int, error: DomainError | None = None):
    """Back to the task's page, with the refusal as a message (403 stays a 403)."""
    if error is not None:
        if error.status == 403:
            raise error
        db.session.rollback()
        for message in [m for messages in (error.errors or {}).values() for m in messages] or [error.detail]:
            flash(message, "error")
    return redirect(url_for("roadmap.task_detail", task_id=task_id))


@bp.route("/tasks/<int:task_id>/comments", methods=["POST"])
@access(SIGNED_IN)
def task_comment(task_id: int):
    """Comment on the task; the people it names with @ are told by e-mail."""
    task = _task_or_404(task_id)
    try:
        operations.add_comment(task, current_user, request.form.get("text", ""))
    except DomainError as error:
        return _back(task_id, error)
    db.session.commit()
    flash(_("Comment added."), "info")
    return _back(task_id)


@bp.route("/tasks/<int:task_id>/assignee", methods=["POST"])
@access(SIGNED_IN)
def task_assign(task_id: int):
    """Assign the task to a member of its committee (the chair or the coordinator)."""
    task = _task_or_404(task_id)
    chosen = request.form.get("assignee", "")
    try:
        assignee = user_by_id(int(chosen)) if chosen.isdigit() else None
        if chosen and assignee is None:
            raise ValidationFailed(_("Unknown user."), {"assignee": [_("Unknown user.")]})
        assign_task(task, current_user, assignee)
    except DomainError as error:
        return _back(task_id, error)
    db.session.commit()
    flash(_("Owner saved."), "info")
    return _back(task_id)


@bp.route("/tasks/<int:task_id>/files", methods=["POST"])
@access(SIGNED_IN)
@accepts_uploads
def task_file(task_id: int):
    """Attach an evidence file to the task."""
    task = _task_or_404(task_id)
    upload = request.files.get("file")
    try:
        store_file(current_user, OwnerType.TASK, task, upload.filename if upload else None,
                   upload.read() if upload else b"")
    except DomainError as error:
        return _back(task_id, error)
    db.session.commit()
    flash(_("File attached."), "info")
    return _back(task_id)
