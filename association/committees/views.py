"""/committees/<code>: a committee's page (mandate, members, tasks, measures) and its chair's bulk update."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from association.committees import queries
from association.committees.models import Committee
from association.core import charts
from association.core.errors import DomainError
from association.core.forms import refusal_into_form
from association.core.permissions import SIGNED_IN, access, roles
from association.extensions import db
from association.libraries.labels import MEASURE_LABELS
from association.programme.models import Programme
from association.programme.queries import chosen_programme
from association.roadmap import operations
from association.roadmap.forms import BulkUpdateForm
from association.roadmap.labels import STATUS_LABELS, TASK_STATUS_LABELS
from association.roadmap.models import RoadmapTask, TaskStatus
from association.users.models import Role

bp = Blueprint("committees", __name__)

TASK_UPDATERS = roles(Role.COMMITTEE_MEMBER, Role.COORDINATOR, Role.ADMIN)


def _committee_or_404(code: str) -> Committee:
    committee = queries.get_committee(code)
    if committee is None:
        abort(404)
    return committee


def _programme() -> Programme:
    """The programme the page is about (?programme=, else the one the user switched to, else the default)."""
    return chosen_programme(request.args.get("programme"))


def _bulk_form(tasks: list[RoadmapTask]) -> BulkUpdateForm:
    form = BulkUpdateForm()
    form.task_ids.choices = [SelectChoice(task.id, task.code) for task in tasks]
    form.status.choices = [SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in STATUS_LABELS.items()]
    return form


def _render(page: queries.CommitteePage, bulk_form: BulkUpdateForm | None = None, status: int = 200):
    if bulk_form is None and page.can_bulk_update:
        bulk_form = _bulk_form(page.tasks)
    return render_template("committees/detail.html", page=page, committee=page.committee, tasks=page.tasks,
                           row_choices=page.row_choices, figures=page.figures, status_labels=TASK_STATUS_LABELS,
                           programme=page.programme,
                           bulk_form=bulk_form, measures=page.measures, adoption=page.adoption, charts=charts,
                           adoption_rows=page.adoption_rows, adoption_max=page.adoption_max,
                           measure_labels=MEASURE_LABELS), status


@bp.route("/committees/<code>")
@access(SIGNED_IN)
def committee_detail(code: str):
    """A committee: mandate, members and chair, tasks with their progress; the chair's bulk update."""
    return _render(queries.committee_page(_committee_or_404(code), current_user, _programme()))


@bp.route("/committees/<code>/bulk", methods=["POST"])
@access(TASK_UPDATERS)
def committee_bulk_update(code: str):
    """The chair's (or coordinator's) bulk update: each row's chosen status, or the chosen rows moved to one status.
    Only rows the chair changed are touched; the report names each task changed and each refused, with why."""
    committee = _committee_or_404(code)
    if not operations.can_bulk_update(current_user, committee.id):
        abort(403)
    page = queries.committee_page(committee, current_user, _programme())
    form = _bulk_form(page.tasks)
    if not form.validate_on_submit():
        return _render(page, form, 400)
    rows = _bulk_rows(page.tasks, set(form.task_ids.data or []), form.status.data)
    if rows is None:
        form.form_errors = [_("A status in the form is not one of the workflow's.")]
        return _render(page, form, 400)
    try:
        report = operations.change_tasks(rows, current_user, form.comment.data or "")
    except DomainError as refused:
        refusal_into_form(form, refused, default=form.task_ids)
        return _render(queries.committee_page(_committee_or_404(code), current_user, _programme()), form, refused.status)
    db.session.commit()
    if report.changed:
        flash(_("Updated: %(changes)s.", changes=", ".join(
            f"{code} ({STATUS_LABELS[before.value]} → {STATUS_LABELS[after.value]})"
            for code, before, after in report.changed)), "info")
    if report.refused:
        form.task_ids.errors = [f"{code}: {' '.join(messages)}" for code, messages in report.refused.items()]
        form.form_errors = [_("Not changed: %(codes)s.", codes=", ".join(report.refused))]
        return _render(queries.committee_page(_committee_or_404(code), current_user, _programme()), form, 409)
    if not report.changed:
        flash(_("Nothing to update."), "info")
    return redirect(url_for("committees.committee_detail", code=committee.code))


def _bulk_rows(tasks: list[RoadmapTask], chosen: set[int], bulk_status: str | None) -> list[operations.TaskChange] | None:
    """The rows of the bulk form as changes: a chosen row goes to the one status; any other row to its own
    select's status; each against the status the page showed (`was-<id>`). None when a status is not one."""
    rows = []
    try:
        for task in tasks:
            read = TaskStatus(request.form.get(f"was-{task.id}") or task.status.value)
            if task.id in chosen and bulk_status:
                target = TaskStatus(bulk_status)
            elif request.form.get(f"status-{task.id}"):
                target = TaskStatus(request.form[f"status-{task.id}"])
            else:
                continue
            rows.append(operations.TaskChange(task, read, target))
    except ValueError:
        return None
    return rows
