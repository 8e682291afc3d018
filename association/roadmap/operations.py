"""Changing roadmap tasks: status, progress and comments (each change written to the task's history), bulk
updates by a chair, the coordinator's creating and editing of tasks, and watching a task."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from association.committees.models import Committee
from association.core.errors import NotAllowed, StaleVersion, StateConflict, ValidationFailed
from association.core.models import utcnow
from association.core.rules import MAX_COMMENT_LENGTH, link_errors
from association.core.versions import check_merge
from association.extensions import db
from association.programme.models import Direction
from association.programme.operations import refuse_if_closed
from association.programme.queries import chosen_programme
from association.roadmap.models import RoadmapTask, TaskHistory, TaskStatus, TaskWatcher
from association.roadmap.workflow import Actor, allowed_targets, required_actor
from association.users.models import User


def actor_for(user: User, task: RoadmapTask) -> Actor | None:
    """How much the user may do to this task: None when they may not change it at all."""
    if user.is_coordinator:
        return Actor.COORDINATOR
    if user.chairs(task.committee_id):
        return Actor.CHAIR
    if user.is_member_of(task.committee_id):
        return Actor.MEMBER
    return None


def can_update_task(user: User, task: RoadmapTask) -> bool:
    """Members of the task's committee, its chair, the coordinator and the admin may update a task."""
    return actor_for(user, task) is not None


def can_bulk_update(user: User, committee_id: int) -> bool:
    """A committee's chair (for its tasks) and the coordinator may update several tasks at once."""
    return user.is_coordinator or user.chairs(committee_id)


def check_transition(task: RoadmapTask, actor: Actor, target: TaskStatus) -> None:
    """Refuse (409) a status change the workflow does not allow this actor, naming the allowed ones."""
    needed = required_actor(task.status, target)
    if needed is not None and actor >= needed:
        return
    allowed = ", ".join(s.value for s in allowed_targets(task.status, actor)) or _("none")
    raise StateConflict(
        _("Task %(code)s cannot go from %(from)s to %(to)s. Allowed now: %(allowed)s.",
          **{"code": task.code, "from": task.status.value, "to": target.value, "allowed": allowed}),
        {"status": [_("Allowed: %(allowed)s.", allowed=allowed)]},
    )


def _check_comment(comment: str) -> None:
    if len(comment or "") > MAX_COMMENT_LENGTH:
        raise ValidationFailed(_("The comment is too long."),
                               {"comment": [_("At most %(n)d characters.", n=MAX_COMMENT_LENGTH)]})


def _flush_or_stale() -> None:
    """Flush; a concurrent save of the same version (the version column's check) becomes a 412."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(_("The task was changed by someone else at the same time.")) from None


def _record(task: RoadmapTask, user: User, before: TaskStatus, comment: str, evidence_url: str | None) -> TaskHistory:
    entry = TaskHistory(
        task_id=task.id, at=utcnow(), user_id=user.id, from_status=before, to_status=task.status,
        progress_percent=task.progress_percent, comment=comment or "", evidence_url=evidence_url,
    )
    db.session.add(entry)
    task.updated_at = entry.at
    return entry


def shown_task(task: RoadmapTask) -> dict[str, str]:
    """A task's status and progress as its update form shows them (what the form posts back unchanged)."""
    return {"status": task.status.value, "progress_percent": str(task.progress_percent)}


def update_task(task: RoadmapTask, user: User, *, status: TaskStatus | None = None,
                progress_percent: int | None = None, comment: str = "", evidence_url: str | None = None,
                expected_version: int | None = None, read: dict[str, str] | None = None,
                field_merge: bool = False) -> TaskHistory:
    """Apply a status/progress/comment change by `user`, checking permission, workflow and version. An older
    `expected_version` is refused (412); with `field_merge` (the task page's form, `read` what it showed) only
    the status or progress changed since it was read is applied, and one someone else changed meanwhile is a
    conflict (409, core.versions)."""
    actor = actor_for(user, task)
    if actor is None:
        raise NotAllowed(_("Only members of the task's committee and the coordinator can update this task."))
    refuse_if_closed(task.programme_id)
    if field_merge and expected_version is not None:
        submitted = {"status": status.value if status else task.status.value,
                     "progress_percent": "" if progress_percent is None else str(progress_percent)}
        changed = {name: value for name, value in submitted.items() if value != (read or {}).get(name)
                   and (read is not None or value != shown_task(task)[name])}
        check_merge(expected_version=expected_version, current_version=task.version, changed=changed, read=read,
                    current=shown_task(task))
        status = TaskStatus(changed["status"]) if "status" in changed else None
        progress_percent = int(changed["progress_percent"]) if changed.get("progress_percent") else None
    elif expected_version is not None and expected_version != task.version:
        raise StaleVersion(_("The task was changed by someone else since you loaded it."))
    if progress_percent is not None and not 0 <= progress_percent <= 100:
        raise ValidationFailed(_("Progress must be between 0 and 100."),
                               {"progress_percent": [_("A whole number from 0 to 100.")]})
    _check_comment(comment)
    if link_errors("evidence_url", evidence_url):
        raise ValidationFailed(_("The evidence link must be an http(s) address."), link_errors("evidence_url", evidence_url))

    before = task.status
    changes_status = changes_progress = False
    if status is not None and status != before:
        check_transition(task, actor, status)
        changes_status = True
    final = status if status is not None and changes_status else before
    progress_percent = _progress_for(task, final, progress_percent)
    if changes_status and status is not None:
        task.status = status
    if progress_percent is not None and progress_percent != task.progress_percent:
        task.progress_percent, changes_progress = progress_percent, True
    if not (changes_status or changes_progress or comment or evidence_url):
        raise ValidationFailed(_("Nothing to change."), {"status": [_("Give a status, a progress or a comment.")]})
    entry = _record(task, user, before, comment, evidence_url)
    _flush_or_stale()
    return entry


def _progress_for(task: RoadmapTask, final: TaskStatus, progress_percent: int | None) -> int | None:
    """The task invariants: a done task is at 100 %; the progress of a done or cancelled task is not edited (a
    reopened task may be given a progress again). Answers the progress to set, or refuses a contradicting one."""
    if final == TaskStatus.DONE:
        if progress_percent is not None and progress_percent != 100:
            raise ValidationFailed(_("A done task is at 100 %%; it cannot be at %(n)d %%.", n=progress_percent),
                                   {"progress_percent": [_("A done task is at 100 %.")]})
        return 100
    if final == TaskStatus.CANCELLED and progress_percent is not None and progress_percent != task.progress_percent:
        raise ValidationFailed(_("The progress of a cancelled task cannot be changed."),
                               {"progress_percent": [_("The progress of a cancelled task cannot be changed.")]})
    return progress_percent


@dataclass(frozen=True)
class BulkResult:
    updated: list[str]
    unchanged: list[str]


def bulk_update_tasks(tasks: Iterable[RoadmapTask], user: User, status: TaskStatus, comment: str = "") -> BulkResult:
    """Move several tasks to `status` at once: all or nothing. Every refusal is reported, by task code."""
    tasks = list(tasks)
    if not tasks:
        raise ValidationFailed(_("Choose at least one task."), {"task_ids": [_("Choose at least one task.")]})
    _check_comment(comment)
    forbidden = {task.code: [_("Only the chair of the task's committee or the coordinator can do this.")]
                 for task in tasks if not can_bulk_update(user, task.committee_id)}
    if forbidden:
        raise NotAllowed(_("You may not update these tasks together: %(codes)s.", codes=", ".join(forbidden)),
                         forbidden)
    for programme_id in {task.programme_id for task in tasks}:
        refuse_if_closed(programme_id)
    refused: dict[str, list[str]] = {}
    for task in tasks:
        if task.status == status:
            continue
        actor = actor_for(user, task)
        if actor is None:  # cannot happen: can_bulk_update was checked above for every task
            raise NotAllowed(_("Only the chair of the task's committee or the coordinator can do this."))
        try:
            check_transition(task, actor, status)
        except StateConflict as conflict:
            refused[task.code] = [conflict.detail]
    if refused:
        raise StateConflict(
            _("Nothing was changed: %(count)d of %(total)d tasks cannot move to %(status)s.",
              count=len(refused), total=len(tasks), status=status.value),
            refused,
        )
    updated, unchanged = [], []
    for task in tasks:
        if task.status == status:
            unchanged.append(task.code)
            continue
        before = task.status
        task.status = status
        if status == TaskStatus.DONE:
            task.progress_percent = 100
        _record(task, user, before, comment, None)
        updated.append(task.code)
    _flush_or_stale()
    return BulkResult(updated, unchanged)


@dataclass(frozen=True)
class TaskChange:
    """One row of a chair's bulk form: the task, the status the page showed, the status the chair chose."""

    task: RoadmapTask
    read: TaskStatus
    target: TaskStatus


@dataclass
class BulkReport:
    """What a bulk change did: the tasks changed (code, from, to), and those refused with their reasons."""

    changed: list[tuple[str, TaskStatus, TaskStatus]]
    refused: dict[str, list[str]]


def change_tasks(rows: Iterable[TaskChange], user: User, comment: str = "") -> BulkReport:
    """The chair's bulk form: change only the rows whose chosen status differs from the one the page showed (the
    others are not touched: no transition, no history); each change the workflow allows lands, each other one is
    refused with its reason, and so is a row someone else changed since the page was read."""
    rows = [row for row in rows if row.target != row.read]
    _check_comment(comment)
    report = BulkReport([], {})
    for row in rows:
        task = row.task
        actor = actor_for(user, task)
        if actor is None or not can_bulk_update(user, task.committee_id):
            report.refused[task.code] = [_("Only the chair of the task's committee or the coordinator can do this.")]
            continue
        if task.status != row.read:
            report.refused[task.code] = [_("Someone else changed it meanwhile: it is now %(status)s.",
                                           status=task.status.value)]
            continue
        try:
            check_transition(task, actor, row.target)
        except StateConflict as conflict:
            report.refused[task.code] = [conflict.detail]
            continue
        task.status = row.target
        if row.target == TaskStatus.DONE:
            task.progress_percent = 100
        _record(task, user, row.read, comment, None)
        report.changed.append((task.code, row.read, row.target))
    _flush_or_stale()
    return report


TASK_TEXT_FIELDS = ("title_kk", "title_ru", "title_en")


def _task_definition(data: dict[str, Any], current: RoadmapTask | None, programme_id: int) -> dict[str, Any]:
    """Check a task definition (create or edit) and resolve committee and direction within the task's programme;
    raises 422 with every error."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if "code" in data:
        code = str(data["code"]).strip()
        clash = db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == code,
                                                                  RoadmapTask.programme_id == programme_id))
        if not code:
            errors["code"] = [_("A code is required.")]
        elif clash is not None and (current is None or clash != current.id):
            errors["code"] = [_("Another task has this code.")]
        values["code"] = code
    for name in TASK_TEXT_FIELDS:
        if name in data:
            text = (data[name] or "").strip()
            if not text:
                errors[name] = [_("A title is needed in every language.")]
            values[name] = text
    if "committee" in data:
        committee_id = db.session.scalar(sa.select(Committee.id).where(Committee.code == str(data["committee"]).upper()))
        if committee_id is None:
            errors["committee"] = [_("Unknown committee.")]
        values["committee_id"] = committee_id
    if "direction" in data:
        direction_id = db.session.scalar(sa.select(Direction.id).where(Direction.number == data["direction"],
                                                                        Direction.programme_id == programme_id))
        if direction_id is None:
            errors["direction"] = [_("Unknown direction.")]
        values["direction_id"] = direction_id
    for name in ("due_date", "planned_year", "library_level", "target_unit"):
        if name in data:
            values[name] = data[name]
    if "target_value" in data:
        values["target_value"] = None if data["target_value"] is None else Decimal(str(data["target_value"]))
    for name in ("description", "expected_result", "indicator"):
        if name in data:
            values[{"description": "descriptions", "expected_result": "expected_results",
                    "indicator": "indicators"}[name]] = dict(data[name] or {})
    due: date | None = values.get("due_date", current.due_date if current else None)
    year = values.get("planned_year", current.planned_year if current else None)
    if due is not None and year is not None and due.year != year:
        errors.setdefault("due_date", []).append(_("The due date must fall in the planned year."))
    if errors:
        raise ValidationFailed(_("The task was not saved."), errors)
    return values


def _chairs_committee(user: User, code: Any) -> bool:
    committee_id = db.session.scalar(sa.select(Committee.id).where(Committee.code == str(code or "").upper()))
    return committee_id is not None and user.chairs(committee_id)


REQUIRED_ON_CREATE = ("code", "committee", "direction", "title_kk", "title_ru", "title_en", "due_date", "planned_year")


def create_task(user: User, data: dict[str, Any], *, decision: str | None = None) -> RoadmapTask:
    """Add a roadmap task (the coordinator's and admin's right, and a committee chair's by a meeting's `decision`,
    whose words go to the history); it starts planned, with no progress."""
    if not user.is_coordinator and not (decision and _chairs_committee(user, data.get("committee"))):
        raise NotAllowed(_("Only the coordinator can create tasks."))
    missing = {name: [_("Required.")] for name in REQUIRED_ON_CREATE if data.get(name) in (None, "")}
    if missing:
        raise ValidationFailed(_("The task was not saved."), missing)
    programme = chosen_programme(data.get("programme") or None)
    refuse_if_closed(programme.id)
    definition = {name: value for name, value in data.items() if name != "programme"}
    task = RoadmapTask(status=TaskStatus.PLANNED, progress_percent=0, programme_id=programme.id,
                       **_task_definition(definition, None, programme.id))
    db.session.add(task)
    db.session.flush()
    db.session.add(TaskHistory(task_id=task.id, at=utcnow(), user_id=user.id, from_status=None,
                               to_status=TaskStatus.PLANNED, progress_percent=0,
                               comment=decision or _("Task created.")))
    db.session.flush()
    return task


def edit_task(task: RoadmapTask, user: User, data: dict[str, Any], expected_version: int | None = None, *,
              decision: str | None = None) -> None:
    """Change a task's definition (titles, committee, dates, indicator, target, library-level flag): the
    coordinator, or the chair of the task's committee carrying out a meeting's `decision` (written to the history)."""
    if not user.is_coordinator and not (decision and user.chairs(task.committee_id)):
        raise NotAllowed(_("Only the coordinator can edit a task's definition."))
    refuse_if_closed(task.programme_id)
    if expected_version is not None and expected_version != task.version:
        raise StaleVersion(_("The task was changed by someone else since you loaded it."))
    values = _task_definition(data, task, task.programme_id)
    changed = [name for name, value in values.items() if getattr(task, name) != value]
    for name in changed:
        setattr(task, name, values[name])
    if changed:
        edited = _("Task details edited: %(fields)s.", fields=", ".join(sorted(changed)))
        _record(task, user, task.status, f"{decision} {edited}" if decision else edited, None)
        _flush_or_stale()


def watch_task(task: RoadmapTask, user: User) -> None:
    """Ask for an e-mail digest of the task's changes (watching twice is harmless)."""
    if db.session.get(TaskWatcher, (task.id, user.id)) is None:
        db.session.add(TaskWatcher(task_id=task.id, user_id=user.id, since=utcnow()))
        db.session.flush()


def unwatch_task(task: RoadmapTask, user: User) -> None:
    """Stop watching the task."""
    watcher = db.session.get(TaskWatcher, (task.id, user.id))
    if watcher is not None:
        db.session.delete(watcher)
        db.session.flush()


def can_assign_task(user: User, task: RoadmapTask) -> bool:
    """The chair of the task's committee and the coordinator assign tasks (SPEC §1)."""
    return user.is_coordinator or user.chairs(task.committee_id)


def assign_task(task: RoadmapTask, user: User, assignee: User | None, comment: str = "") -> TaskHistory | None:
    """Make `assignee` (a member of the task's committee) the task's owner, or clear it; written to the history."""
    if not can_assign_task(user, task):
        raise NotAllowed(_("Only the chair of the task's committee or the coordinator can assign it."))
    if assignee is not None and not (assignee.is_active_account and assignee.is_member_of(task.committee_id)):
        raise ValidationFailed(_("The assignee must be a member of the task's committee."),
                               {"assignee": [_("Not a member of this committee.")]})
    _check_comment(comment)
    if (assignee.id if assignee else None) == task.assignee_id:
        return None
    task.assignee_id = assignee.id if assignee else None
    note = _("Assigned to %(name)s.", name=assignee.name) if assignee else _("No longer assigned to anyone.")
    entry = _record(task, user, task.status, f"{comment} {note}".strip(), None)
    _flush_or_stale()
    return entry
