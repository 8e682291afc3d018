"""Changing programmes: creating one (draft), activating it, starting its close-out, deciding on each unfinished
task, and closing it — every decision applied in one transaction. A closed programme refuses every change."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from association.core.errors import NotAllowed, StateConflict, ValidationFailed
from association.core.models import utcnow
from association.extensions import db
from association.programme.models import Direction, Programme, ProgrammeStatus
from association.programme.queries import decisions_for, unfinished_tasks
from association.roadmap.models import (
    UNFINISHED_STATUSES,
    CloseoutAction,
    CloseoutDecision,
    RoadmapTask,
    TaskHistory,
    TaskStatus,
)
from association.users.models import User

LANGUAGES = ("kk", "ru", "en")
OPEN_TARGETS = frozenset({ProgrammeStatus.DRAFT, ProgrammeStatus.ACTIVE})


def _coordinator_only(user: User) -> None:
    if not user.is_coordinator:
        raise NotAllowed(_("Only the coordinator manages programmes."))


def refuse_if_closed(programme_id: int) -> None:
    """Every change to a closed programme's tasks (and their measures) is refused with 409."""
    programme = db.session.get(Programme, programme_id)
    if programme is not None and programme.is_closed:
        raise StateConflict(_("Programme %(code)s is closed: its tasks can no longer be changed.", code=programme.code),
                            {"programme": [_("Closed.")]})


def _titles(value: Any, name: str, errors: dict[str, list[str]]) -> dict[str, str]:
    texts = value if isinstance(value, dict) else {}
    cleaned = {lang: str(texts.get(lang) or "").strip() for lang in LANGUAGES}
    if not all(cleaned.values()):
        errors.setdefault(name, []).append(_("A title is needed in Kazakh, Russian and English."))
    return cleaned


def create_programme(user: User, data: dict[str, Any]) -> Programme:
    """A new programme, in draft, with its directions given or copied from another programme."""
    _coordinator_only(user)
    errors: dict[str, list[str]] = {}
    code = str(data.get("code") or "").strip()
    if not code:
        errors["code"] = [_("A code is required.")]
    titles = _titles(data.get("titles"), "titles", errors)
    start, end = data.get("start_year"), data.get("end_year")
    if not isinstance(start, int) or not isinstance(end, int):
        errors.setdefault("start_year", []).append(_("The period's first and last years are required."))
    elif end < start:
        errors["end_year"] = [_("The period ends before it starts.")]
    directions = data.get("directions")
    copy_from = data.get("copy_directions_from")
    if directions and copy_from:
        errors["copy_directions_from"] = [_("Give the directions or a programme to copy them from, not both.")]
    source = None
    if copy_from:
        source = db.session.scalar(sa.select(Programme).where(Programme.code == copy_from))
        if source is None:
            errors["copy_directions_from"] = [_("Unknown programme.")]
    numbers: set[int] = set()
    for index, item in enumerate(directions or []):
        number = item.get("number")
        if not isinstance(number, int) or number in numbers:
            errors.setdefault(f"directions.{index}", []).append(_("Each direction needs its own number."))
        numbers.add(number)
        _titles(item.get("titles"), f"directions.{index}", errors)
    if errors:
        raise ValidationFailed(_("The programme was not created."), errors)
    if db.session.scalar(sa.select(Programme.id).where(Programme.code == code)) is not None:
        raise StateConflict(_("A programme with the code %(code)s exists already.", code=code),
                            {"code": [_("Taken.")]})
    programme = Programme(code=code, titles=titles, roadmap_titles=titles, start_year=start, end_year=end,
                          status=ProgrammeStatus.DRAFT)
    db.session.add(programme)
    db.session.flush()
    if source is not None:
        directions = [{"number": d.number, "titles": d.titles} for d in db.session.scalars(
            sa.select(Direction).where(Direction.programme_id == source.id).order_by(Direction.number))]
    for item in directions or []:
        db.session.add(Direction(programme_id=programme.id, number=item["number"],
                                 titles={lang: str(item["titles"][lang]).strip() for lang in LANGUAGES}))
    db.session.flush()
    return programme


def activate_programme(programme: Programme, user: User) -> None:
    """draft → active, while no other programme is active (409 naming it otherwise)."""
    _coordinator_only(user)
    if programme.status != ProgrammeStatus.DRAFT:
        raise StateConflict(_("Only a draft programme can be activated; %(code)s is %(status)s.",
                              code=programme.code, status=programme.status.value), {"status": [programme.status.value]})
    active = db.session.scalar(sa.select(Programme.code).where(Programme.status == ProgrammeStatus.ACTIVE))
    if active is not None:
        raise StateConflict(_("Programme %(code)s is active: start its close-out first.", code=active),
                            {"status": [_("Another programme is active: %(code)s.", code=active)]})
    programme.status = ProgrammeStatus.ACTIVE
    db.session.flush()


def start_closeout(programme: Programme, user: User) -> None:
    """active → closing: the coordinator now decides on each unfinished task."""
    _coordinator_only(user)
    if programme.status != ProgrammeStatus.ACTIVE:
        raise StateConflict(_("Only the active programme can be closed out; %(code)s is %(status)s.",
                              code=programme.code, status=programme.status.value), {"status": [programme.status.value]})
    programme.status = ProgrammeStatus.CLOSING
    db.session.flush()


def _check_target(programme: Programme, target_code: Any, due: date | None) -> Programme:
    if not target_code:
        raise ValidationFailed(_("Choose the programme the task is carried over to."),
                               {"to_programme": [_("Required for carry_over.")]})
    target = db.session.scalar(sa.select(Programme).where(Programme.code == str(target_code)))
    if target is None:
        raise ValidationFailed(_("There is no programme %(code)s.", code=target_code),
                               {"to_programme": [_("Unknown programme.")]})
    if target.id == programme.id:
        raise ValidationFailed(_("A task cannot be carried over to its own programme."),
                               {"to_programme": [_("Choose another programme.")]})
    if target.status not in OPEN_TARGETS:
        raise StateConflict(_("Programme %(code)s is %(status)s: tasks are carried over to a draft or active one.",
                              code=target.code, status=target.status.value),
                            {"to_programme": [_("Not draft or active.")]})
    if due is not None and not target.start_year <= due.year <= target.end_year:
        raise ValidationFailed(_("The due date must fall in %(code)s's period (%(start)d–%(end)d).",
                                 code=target.code, start=target.start_year, end=target.end_year),
                               {"due_date": [_("Outside the target programme's period.")]})
    if db.session.scalar(sa.select(sa.func.count(Direction.id)).where(Direction.programme_id == target.id)) == 0:
        raise StateConflict(_("Programme %(code)s has no directions yet.", code=target.code),
                            {"to_programme": [_("No directions.")]})
    return target


def decide(programme: Programme, task_code: str, user: User, data: dict[str, Any]) -> CloseoutDecision:
    """Record (or change) the decision on one unfinished task of a programme being closed out."""
    _coordinator_only(user)
    if programme.status != ProgrammeStatus.CLOSING:
        raise StateConflict(_("Decisions are taken during the close-out; %(code)s is %(status)s.",
                              code=programme.code, status=programme.status.value), {"status": [programme.status.value]})
    task = db.session.scalar(sa.select(RoadmapTask).where(RoadmapTask.programme_id == programme.id,
                                                          RoadmapTask.code == task_code))
    if task is None:
        raise ValidationFailed(_("Programme %(programme)s has no task %(code)s.", programme=programme.code,
                                 code=task_code), {"task_code": [_("Unknown task.")]})
    if task.status not in UNFINISHED_STATUSES:
        raise StateConflict(_("Task %(code)s is %(status)s: only unfinished tasks need a decision.",
                              code=task.code, status=task.status.value), {"task_code": [_("Not unfinished.")]})
    try:
        action = CloseoutAction(str(data.get("action")))
    except ValueError:
        raise ValidationFailed(_("Choose carry_over, cancel or done."),
                               {"action": [_("One of carry_over, cancel, done.")]}) from None
    comment = str(data.get("comment") or "").strip()
    due: date | None = data.get("due_date")
    target = None
    if action == CloseoutAction.CARRY_OVER:
        target = _check_target(programme, data.get("to_programme"), due)
    elif not comment:
        raise ValidationFailed(_("A cancelled task needs a reason, a done one a closing comment."),
                               {"comment": [_("Required.")]})
    decision = db.session.scalar(sa.select(CloseoutDecision).where(CloseoutDecision.task_id == task.id))
    if decision is None:
        decision = CloseoutDecision(task_id=task.id)
        db.session.add(decision)
    decision.action = action
    decision.to_programme_id = target.id if target else None
    decision.due_date = due if target else None
    decision.comment = comment
    decision.decided_by_id = user.id
    decision.decided_at = utcnow()
    db.session.flush()
    return decision


def _history(task: RoadmapTask, user: User, before: TaskStatus, comment: str, at: Any) -> None:
    db.session.add(TaskHistory(task_id=task.id, at=at, user_id=user.id, from_status=before, to_status=task.status,
                               progress_percent=task.progress_percent, comment=comment))
    task.updated_at = at


CODE_PATTERN = re.compile(r"^(\d+)\.(\d+)$")


def _next_code(target: Programme, number: int) -> str:
    """The next free "direction.n" code in the target programme's direction."""
    taken = db.session.scalars(sa.select(RoadmapTask.code).where(RoadmapTask.programme_id == target.id)).all()
    highest = max((int(m.group(2)) for m in map(CODE_PATTERN.match, taken) if m and int(m.group(1)) == number),
                  default=0)
    return f"{number}.{highest + 1}"


def _carry_over(task: RoadmapTask, decision: CloseoutDecision, target: Programme, user: User, at: Any,
                origin: Programme) -> RoadmapTask:
    from association.libraries.operations import copy_measure_progress

    directions = {d.number: d for d in db.session.scalars(
        sa.select(Direction).where(Direction.programme_id == target.id).order_by(Direction.number))}
    source_number = db.session.scalar(sa.select(Direction.number).where(Direction.id == task.direction_id))
    direction = directions.get(source_number or 0) or next(iter(directions.values()))
    due = decision.due_date or target.end_date
    new = RoadmapTask(
        code=_next_code(target, direction.number), programme_id=target.id, direction_id=direction.id,
        committee_id=task.committee_id, title_kk=task.title_kk, title_ru=task.title_ru, title_en=task.title_en,
        descriptions=task.descriptions, planned_year=due.year, due_date=due, status=task.status,
        progress_percent=task.progress_percent, expected_results=task.expected_results, indicators=task.indicators,
        target_value=task.target_value, target_unit=task.target_unit, library_level=task.library_level,
        assignee_id=task.assignee_id, carried_from_id=task.id,
    )
    db.session.add(new)
    db.session.flush()
    db.session.add(TaskHistory(
        task_id=new.id, at=at, user_id=user.id, from_status=None, to_status=new.status,
        progress_percent=new.progress_percent,
        comment=_("Carried over from %(programme)s, task %(code)s.", programme=origin.code, code=task.code)
        + (f" {decision.comment}" if decision.comment else ""),
    ))
    if task.library_level:
        copy_measure_progress(task.id, new.id)
    before = task.status
    task.status = TaskStatus.CARRIED_OVER
    _history(task, user, before, _("Carried over to %(programme)s as task %(code)s.", programme=target.code,
                                   code=new.code) + (f" {decision.comment}" if decision.comment else ""), at)
    decision.new_task_id = new.id
    return new


def close_programme(programme: Programme, user: User) -> list[RoadmapTask]:
    """closing → closed, applying every decision at once; refused (409, naming them) while a task is undecided.
    Answers the tasks created in the target programmes."""
    _coordinator_only(user)
    if programme.status != ProgrammeStatus.CLOSING:
        raise StateConflict(_("Only a programme being closed out can be closed; %(code)s is %(status)s.",
                              code=programme.code, status=programme.status.value), {"status": [programme.status.value]})
    tasks = unfinished_tasks(programme)
    decisions = decisions_for(programme)
    undecided = [task.code for task in tasks if task.id not in decisions]
    if undecided:
        raise StateConflict(
            _("%(count)d unfinished tasks have no decision yet: %(codes)s.", count=len(undecided),
              codes=", ".join(undecided)),
            {code: [_("No decision yet.")] for code in undecided},
        )
    at = utcnow()
    created = []
    for task in tasks:
        decision = decisions[task.id]
        before = task.status
        if decision.action == CloseoutAction.CANCEL:
            task.status = TaskStatus.CANCELLED
            _history(task, user, before, _("Cancelled at the close-out: %(reason)s", reason=decision.comment), at)
        elif decision.action == CloseoutAction.DONE:
            task.status, task.progress_percent = TaskStatus.DONE, 100
            _history(task, user, before, _("Done at the close-out: %(comment)s", comment=decision.comment), at)
        else:
            target = db.session.get(Programme, decision.to_programme_id)
            if target is None or target.status not in OPEN_TARGETS:
                raise StateConflict(_("Task %(code)s cannot be carried over: its target programme is no longer "
                                      "draft or active.", code=task.code), {task.code: [_("Decide again.")]})
            created.append(_carry_over(task, decision, target, user, at, programme))
    programme.status = ProgrammeStatus.CLOSED
    programme.closed_at = at
    db.session.flush()
    return created
