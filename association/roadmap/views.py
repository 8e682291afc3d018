"""/tasks, /tasks/<id> and /committees/<code>: the HTML side of the roadmap."""

from __future__ import annotations

import math

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from association.committees.models import Committee, CommitteeMembership
from association.core import charts
from association.core.errors import DomainError, StaleVersion
from association.core.pagination import DEFAULT_PER_PAGE, paginate
from association.core.permissions import SIGNED_IN, STAFF, access, roles
from association.extensions import db
from association.libraries.forms import MEASURE_LABELS
from association.programme.models import Direction
from association.programme.queries import chosen_programme
from association.progress.queries import measure_adoption
from association.roadmap import operations, queries
from association.roadmap.forms import BulkUpdateForm, TaskDefinitionForm, TaskFilterForm, TaskUpdateForm, WatchForm
from association.roadmap.labels import STATUS_LABELS, TASK_STATUS_LABELS
from association.roadmap.models import RoadmapTask, TaskStatus
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
    items, total = paginate(queries.task_query(filters), page, DEFAULT_PER_PAGE)
    pages = max(math.ceil(total / DEFAULT_PER_PAGE), 1)
    return render_template("roadmap/task_list.html", form=form, tasks=items, total=total, page=page, pages=pages,
                           status_labels=TASK_STATUS_LABELS, programme=programme)



def _task_or_404(task_id: int) -> RoadmapTask:
    task = queries.get_task(task_id)
    if task is None:
        abort(404)
    return task


def _render_task(task: RoadmapTask, form: TaskUpdateForm | None = None, status: int = 200):
    actor = None if task.programme.is_closed else operations.actor_for(current_user, task)
    if form is None and actor is not None:
        form = TaskUpdateForm(status=task.status.value, progress_percent=task.progress_percent, version=task.version)
    if form is not None and actor is not None:
        form.offer(task.status.value, [s.value for s in allowed_targets(task.status, actor)])
    return render_template("roadmap/task_detail.html", task=task, history=queries.task_history(task.id),
                           form=form if actor is not None else None, status_labels=TASK_STATUS_LABELS,
                           watching=queries.is_watching(task.id, current_user.id), watch_form=WatchForm()), status


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
        expected = int(form.version.data or 0)
    except ValueError:
        expected = 0
    try:
        operations.update_task(
            task, current_user, status=TaskStatus(form.status.data), progress_percent=form.progress_percent.data,
            comment=form.comment.data or "", evidence_url=form.evidence_url.data or None, expected_version=expected,
        )
    except StaleVersion:
        db.session.rollback()
        task = _task_or_404(task_id)
        form.version.data = task.version  # what they typed stays; the page now shows the newer state
        flash(_("Someone else changed this task while you were editing. Check the newer state below and save again."),
              "error")
        return _render_task(task, form, 409)
    except DomainError as refused:
        db.session.rollback()
        task = _task_or_404(task_id)
        for name, messages in (refused.errors or {"status": [refused.detail]}).items():
            field = getattr(form, name, None)
            (field.errors if field is not None else form.form_errors).extend(messages)
        return _render_task(task, form, refused.status)
    db.session.commit()
    flash(_("Task updated."), "info")
    return redirect(url_for("roadmap.task_detail", task_id=task.id))


def _committee_or_404(code: str) -> Committee:
    committee = db.session.scalars(
        sa.select(Committee).where(Committee.code == code.upper())
        .options(selectinload(Committee.memberships).joinedload(CommitteeMembership.user))
    ).one_or_none()
    if committee is None:
        abort(404)
    return committee


def _bulk_form(tasks: list[RoadmapTask]) -> BulkUpdateForm:
    form = BulkUpdateForm()
    form.task_ids.choices = [SelectChoice(task.id, task.code) for task in tasks]
    form.status.choices = [SelectChoice(k, v) for k, v in STATUS_LABELS.items()]
    return form


def _committee_tasks(committee: Committee, programme_id: int) -> list[RoadmapTask]:
    return list(db.session.scalars(
        queries.task_query({"committee": committee.code, "programme_id": programme_id})).unique())


def _render_committee(committee: Committee, bulk_form: BulkUpdateForm | None = None, status: int = 200):
    programme = chosen_programme(request.args.get("programme"))
    tasks = _committee_tasks(committee, programme.id)
    if bulk_form is None and operations.can_bulk_update(current_user, committee.id):
        bulk_form = _bulk_form(tasks)
    measures = [task for task in tasks if task.library_level and task.status != TaskStatus.CANCELLED]
    adoption = measure_adoption([task.id for task in measures])
    return render_template("roadmap/committee_detail.html", committee=committee, tasks=tasks,
                           figures=queries.committee_figures([committee.id], programme_id=programme.id)[committee.id],
                           status_labels=TASK_STATUS_LABELS, programme=programme,
                           bulk_form=bulk_form, measures=measures, adoption=adoption, charts=charts,
                           adoption_rows=[(task.code, adoption[task.id]["done"]) for task in measures],
                           adoption_max=max((sum(counts.values()) for counts in adoption.values()), default=1),
                           measure_labels=MEASURE_LABELS), status


@bp.route("/committees/<code>")
@access(SIGNED_IN)
def committee_detail(code: str):
    """A committee: mandate, members and chair, tasks with their progress; the chair's bulk update."""
    return _render_committee(_committee_or_404(code))


@bp.route("/committees/<code>/bulk", methods=["POST"])
@access(TASK_UPDATERS)
def committee_bulk_update(code: str):
    """Move several of the committee's tasks to one status, all or nothing (chair or coordinator)."""
    committee = _committee_or_404(code)
    if not operations.can_bulk_update(current_user, committee.id):
        abort(403)
    tasks = _committee_tasks(committee, chosen_programme(request.args.get("programme")).id)
    form = _bulk_form(tasks)
    if not form.validate_on_submit():
        return _render_committee(committee, form, 400)
    chosen = [task for task in tasks if task.id in set(form.task_ids.data)]
    try:
        result = operations.bulk_update_tasks(chosen, current_user, TaskStatus(form.status.data),
                                              form.comment.data or "")
    except DomainError as refused:
        db.session.rollback()
        form.form_errors.append(refused.detail)
        form.task_ids.errors = [f"{code}: {'; '.join(messages)}" for code, messages in refused.errors.items()]
        return _render_committee(_committee_or_404(code), form, refused.status)
    db.session.commit()
    flash(_("Updated: %(codes)s.", codes=", ".join(result.updated) or "—"), "info")
    return redirect(url_for("roadmap.committee_detail", code=committee.code))


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


def _apply_refusal(form: TaskDefinitionForm, refused: DomainError) -> None:
    for name, messages in (refused.errors or {}).items():
        field = form._fields.get(name)
        (field.errors if field is not None else form.form_errors).extend(messages)
    if not refused.errors:
        form.form_errors.append(refused.detail)


@bp.route("/tasks/new", methods=["GET", "POST"])
@access(STAFF)
def task_new():
    """Create a roadmap task (coordinator)."""
    form = _definition_form()
    if form.validate_on_submit():
        try:
            task = operations.create_task(current_user, form.definition())
        except DomainError as refused:
            db.session.rollback()
            _apply_refusal(form, refused)
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
                                 expected_version=int(form.version.data or 0))
        except DomainError as refused:
            db.session.rollback()
            _apply_refusal(form, refused)
            task = _task_or_404(task_id)
            form.version.data = task.version
        else:
            db.session.commit()
            flash(_("Task saved."), "info")
            return redirect(url_for("roadmap.task_detail", task_id=task.id))
    return render_template("roadmap/task_form.html", form=form, task=task), 400 if form.errors else 200
