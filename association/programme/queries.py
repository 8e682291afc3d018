"""Reading programmes: the list, one by code, and which one a page shows when none is named. No writes here."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import has_request_context, request, session
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from association.core.errors import Missing, ValidationFailed
from association.extensions import db
from association.programme.models import Programme, ProgrammeStatus
from association.roadmap.models import UNFINISHED_STATUSES, CloseoutDecision, RoadmapTask

SESSION_KEY = "programme"  # the programme a signed-in user chose on /programmes


def programme_query() -> sa.Select:
    """Every programme, newest period first."""
    return sa.select(Programme).order_by(Programme.start_year.desc(), Programme.id.desc())


def default_programme() -> Programme | None:
    """The programme shown when none is named: the active one, else the newest."""
    active = db.session.scalars(sa.select(Programme).where(Programme.status == ProgrammeStatus.ACTIVE)).first()
    return active or db.session.scalars(programme_query().limit(1)).first()


def programme_by_code(code: str) -> Programme | None:
    return db.session.scalars(sa.select(Programme).where(Programme.code == code)).one_or_none()


def get_programme(code: str) -> Programme:
    """The programme with this code (404 naming it when there is none)."""
    programme = programme_by_code(code)
    if programme is None:
        raise Missing(_("There is no programme %(code)s.", code=code))
    return programme


def chosen_programme(code: str | None = None) -> Programme:
    """The programme a request is about: the one named (422 when it does not exist), else — on HTML pages — the
    one the user switched to, else the default one."""
    if code:
        programme = programme_by_code(code)
        if programme is None:
            raise ValidationFailed(_("There is no programme %(code)s.", code=code),
                                   {"programme": [_("Unknown programme.")]})
        return programme
    if has_request_context() and not request.path.startswith("/api/") and session.get(SESSION_KEY):
        programme = programme_by_code(session[SESSION_KEY])
        if programme is not None:
            return programme
    programme = default_programme()
    if programme is None:
        raise Missing(_("No programme has been loaded yet."))
    return programme


def default_programme_id() -> int | None:
    programme = default_programme()
    return programme.id if programme else None


def unfinished_tasks(programme: Programme) -> list[RoadmapTask]:
    """The programme's tasks that are planned, in progress or blocked, in code order, with their committees."""
    from association.roadmap.queries import code_order

    return list(db.session.scalars(
        sa.select(RoadmapTask).where(RoadmapTask.programme_id == programme.id,
                                     RoadmapTask.status.in_(list(UNFINISHED_STATUSES)))
        .options(joinedload(RoadmapTask.committee)).order_by(*code_order())
    ).unique())


def decisions_for(programme: Programme) -> dict[int, CloseoutDecision]:
    """The close-out decisions taken on the programme's tasks, by task id (with their target programmes)."""
    return {decision.task_id: decision for decision in db.session.scalars(
        sa.select(CloseoutDecision).join(RoadmapTask, RoadmapTask.id == CloseoutDecision.task_id)
        .where(RoadmapTask.programme_id == programme.id)
        .options(joinedload(CloseoutDecision.to_programme))
    )}


@dataclass(frozen=True)
class Closeout:
    programme: Programme
    unfinished: list[tuple[RoadmapTask, CloseoutDecision | None]]
    summary: dict[str, int]


def closeout(programme: Programme) -> Closeout:
    """What the close-out page and API show: every unfinished task with its decision, and the counts."""
    decisions = decisions_for(programme)
    tasks = unfinished_tasks(programme)
    if programme.is_closed:  # the decisions as they were applied
        decided = list(db.session.scalars(
            sa.select(RoadmapTask).where(RoadmapTask.id.in_(list(decisions)))
            .options(joinedload(RoadmapTask.committee)).order_by(RoadmapTask.id)).unique())
        tasks = decided
    rows = [(task, decisions.get(task.id)) for task in tasks]
    counts = sa.select(RoadmapTask.status, sa.func.count()).where(
        RoadmapTask.programme_id == programme.id).group_by(RoadmapTask.status)
    by_status = {str(status.value if hasattr(status, "value") else status): n for status, n in db.session.execute(counts)}
    summary = {
        "tasks": sum(by_status.values()),
        "unfinished": sum(1 for task, _ in rows if task.status in UNFINISHED_STATUSES),
        "decided": sum(1 for _, decision in rows if decision is not None),
        "undecided": sum(1 for task, decision in rows if decision is None and task.status in UNFINISHED_STATUSES),
        **{f"decided_{action}": sum(1 for _, d in rows if d is not None and d.action.value == action)
           for action in ("carry_over", "cancel", "done")},
        **{f"status_{status}": count for status, count in sorted(by_status.items())},
    }
    return Closeout(programme, rows, summary)
