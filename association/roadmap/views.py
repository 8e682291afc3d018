"""/tasks, /tasks/<id> and /committees/<code>: the HTML side of the roadmap."""

from __future__ import annotations

import math

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from association.committees.models import Committee
from association.core.errors import DomainError
from association.core.forms import refusal_into_form
from association.core.pagination import DEFAULT_PER_PAGE
from association.core.permissions import SIGNED_IN, STAFF, access, roles
from association.core.versions import EditConflict, missing_version, posted_read_values, posted_version
from association.extensions import db
from association.programme.models import Direction
from association.programme.queries import chosen_programme
from association.roadmap import operations, queries
from association.roadmap.forms import TaskDefinitionForm, TaskFilterForm, TaskUpdateForm, WatchForm
from association.roadmap.labels import TASK_STATUS_LABELS
from association.roadmap.models import RoadmapTask, TaskStatus
from association.roadmap.taskpage import task_page
from association.roadmap.workflow import allowed_targets
from association.users.models import Role

bp = Blueprint("roadmap", __name__)

TASK_UPDATERS = roles(Role.COMMITTEE_MEMBER, Role.COORDINATOR, Role.ADMIN)


def _filter_form(programme) -> TaskFilterForm:
    form = TaskFilterForm(request.args)
    committees = db.session.execute(sa.select(Committee.code).order_by(Committee.position)).scalars().all()
    form.committee.choices = [SelectChoice("", "—")] + [SelectChoice(code) for code in committees]
    form.year.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(y)) for y in range(programme.start_year, programme.end_year + 1)]
    form.status.choices = [SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in TASK_STATUS_LABELS.items()]
    return form


@bp.route("/tasks")
@access(SIGNED_IN)
def task_list():
    """A programme's roadmap tasks, filtered and paginated."""
    programme = chosen_programme(request.args.get("programme"))
    form = _filter_form(programme)
    form.validate()
    filters = {name: field.data for name, field in form._fields.items() if field.data and not field.errors}
    filters["programme_id"] = programme.id
    if "year" in filters:
        filters["year"] = int(filters["year"])
    filters["overdue"] = True if filters.get("overdue") == "true" else None
    page = max(request.args.get("page", 1, type=int), 1)
    items, total = queries.task_list_page(filters, page, DEFAULT_PER_PAGE)
    pages = max(math.ceil(total / DEFAULT_PER_PAGE), 1)
    # Each label translated once, not once per row.
    status_labels = {status: str(label) for status, label in TASK_STATUS_LABELS.items()}
    return render_template("roadmap/task_list.html", form=form, tasks=items, total=total, page=page, pages=pages,
                           status_labels=status_labels, programme=programme)



def _task_or_404(task_id: int) -> RoadmapTask:
    task = queries.get_task(task_id)
    if task is None:
        abort(404)
    return task


def _render_task(task: RoadmapTask, form: TaskUpdateForm | None = None, status: int = 200):
    page = task_page(task, current_user)
    if form is None and page.actor is not None:
        form = TaskUpdateForm(status=task.status.value, progress_percent=task.progress_percent,
                              version=str(task.version), read_values=operations.shown_task(task))
    if form is not None and page.actor is not None:
        form.offer(task.status.value, [s.value for s in allowed_targets(task.status, page.actor)])
    return render_template("roadmap/task_detail.html", task=task, history=page.history,
                           form=form if page.actor is not None else None, status_labels=TASK_STATUS_LABELS,
                           watching=page.watching, watch_form=WatchForm(), work=page.work), status


@bp.route("/tasks/<int:task_id>")
@access(SIGNED_IN)
def task_detail(task_id: int):
    """A task: details, expected result and indicator, history, and the update form for those who may."""
    return _render_task(_task_or_404(task_id))


@bp.route("/tasks/<int:task_id>", methods=["POST"])
@access(TASK_UPDATERS)
def task_update(task_id: int):
    """Save a status/progress/comment change from the task page."""
    task = _task_or_404(task_id)
    if not operations.can_update_task(current_user, task):
        abort(403)
    form = TaskUpdateForm()
    form.offer(task.status.value, [s.value for s in TaskStatus if s not in (task.status, TaskStatus.CARRIED_OVER)])
    if not form.validate_on_submit():
        return _render_task(task, form, 400)
    try:
        operations.update_task(
            task, current_user, status=TaskStatus(form.status.data), progress_percent=form.progress_percent.data,
            comment=form.comment.data or "", evidence_url=form.evidence_url.data or None,
            expected_version=posted_version(form.version), read=_read_values(form), field_merge=True,
        )
    except EditConflict as conflict:
        read = _read_values(form)
        refusal_into_form(form, conflict)
        task = _task_or_404(task_id)
        shown = operations.shown_task(task)
        for name, value in shown.items():  # what they typed stays; what they left as read shows the newer state
            if read is not None and str(form[name].data if form[name].data is not None else "") == read.get(name):
                form[name].data, form[name].raw_data = value, None
        form.version.data, form.read_values.data = str(task.version), shown
        flash(_("Someone else changed this task while you were editing. Check the newer state below and save again."),
              "error")
        return _render_task(task, form, 409)
    except DomainError as refused:
        refusal_into_form(form, refused, default=form.status)
        return _render_task(_task_or_404(task_id), form, refused.status)
    db.session.commit()
    flash(_("Task updated."), "info")
    return redirect(url_for("roadmap.task_detail", task_id=task.id))


def _read_values(form) -> dict[str, str] | None:
    read = posted_read_values(form.read_values)
    if read is not None and not all(isinstance(value, str) for value in read.values()):
        raise missing_version()
    return read


@bp.route("/tasks/<int:task_id>/watch", methods=["POST"])
@access(SIGNED_IN)
def task_watch(task_id: int):
    """Watch the task (e-mail digests of its changes), or stop watching it."""
    task = _task_or_404(task_id)
    if WatchForm().validate_on_submit():
        if request.form.get("watch") == "1":
            operations.watch_task(task, current_user)
            flash(_("You now watch this task."), "info")
        else:
            operations.unwatch_task(task, current_user)
            flash(_("You no longer watch this task."), "info")
        db.session.commit()
    return redirect(url_for("roadmap.task_detail", task_id=task.id))


def _definition_form(obj_form: TaskDefinitionForm | None = None) -> TaskDefinitionForm:
    form = obj_form or TaskDefinitionForm()
    form.committee.choices = [
        SelectChoice(code) for code in db.session.scalars(sa.select(Committee.code).order_by(Committee.position))
    ]
    form.direction.choices = [
        SelectChoice(number, str(number)) for number in db.session.scalars(
            sa.select(Direction.number).where(Direction.programme_id == chosen_programme().id)
            .order_by(Direction.number))
    ]
    return form


@bp.route("/tasks/new", methods=["GET", "POST"])
@access(STAFF)
def task_new():
    """Create a roadmap task (coordinator)."""
    form = _definition_form()
    if form.validate_on_submit():
        try:
            task = operations.create_task(current_user, form.definition())
        except DomainError as refused:
            refusal_into_form(form, refused)
        else:
            db.session.commit()
            flash(_("Task created."), "info")
            return redirect(url_for("roadmap.task_detail", task_id=task.id))
    return render_template("roadmap/task_form.html", form=form, task=None), 400 if form.errors else 200


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@access(STAFF)
def task_edit(task_id: int):
    """Edit a task's definition (coordinator)."""
    task = _task_or_404(task_id)
    form = _definition_form()
    if request.method == "GET":
        form.fill_from(task)
    elif form.validate_on_submit():
        try:
            operations.edit_task(task, current_user, form.definition(),
                                 expected_version=posted_version(form.version))
        except DomainError as refused:
            refusal_into_form(form, refused)
            task = _task_or_404(task_id)
            form.version.data = task.version
        else:
            db.session.commit()
            flash(_("Task saved."), "info")
            return redirect(url_for("roadmap.task_detail", task_id=task.id))
    return render_template("roadmap/task_form.html", form=form, task=task), 400 if form.errors else 200
