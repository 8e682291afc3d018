"""Reading committees with their members and task figures (a fixed number of queries for any number)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from association.committees.models import Committee, CommitteeMembership
from association.core.models import localized
from association.extensions import db
from association.programme.models import Programme
from association.roadmap.models import RoadmapTask, TaskStatus
from association.roadmap.queries import CommitteeFigures, committee_figures, task_query
from association.roadmap.workflow import allowed_targets
from association.users.models import User


def describe_committees(committee_id: int | None = None) -> list[dict[str, Any]]:
    """Committees in their order, each with its members and tasks_total / tasks_by_status / progress_percent."""
    query = sa.select(Committee).order_by(Committee.position, Committee.code)
    if committee_id is not None:
        query = query.where(Committee.id == committee_id)
    committees = db.session.scalars(query).all()
    ids = [c.id for c in committees]
    # The members' names and chairs only, as rows: loading each member as a User (with its roles) cost more than
    # the rest of the committee list.
    members: dict[int, list[dict[str, Any]]] = {committee_id: [] for committee_id in ids}
    for row in db.session.execute(
        sa.select(CommitteeMembership.committee_id, User.name, CommitteeMembership.chair)
        .join(User, User.id == CommitteeMembership.user_id).where(CommitteeMembership.committee_id.in_(ids))
    ):
        members[row.committee_id].append({"name": row.name, "chair": row.chair})
    figures = cached_committee_figures(ids)
    return [
        {
            "id": committee.id, "code": committee.code, "name": committee.name, "names": committee.names,
            "short_name": committee.short_name, "mandate": localized(committee.mandate),
            "tasks_total": figures[committee.id].tasks_total,
            "tasks_by_status": figures[committee.id].tasks_by_status,
            "progress_percent": figures[committee.id].progress_percent,
            "members": sorted(members[committee.id], key=lambda member: (not member["chair"], member["name"])),
        }
        for committee in committees
    ]


def cached_committee_figures(committee_ids: list[int]) -> dict[int, CommitteeFigures]:
    """The committees' task figures in the programme shown, from the figures cache (association.progress.cache):
    tasks and programmes are among its sources, so the programme's choice is cached with them, and a list of
    committees costs neither of their two statements until one of them changes."""
    from association.progress.cache import remember

    return remember(("committee_figures", tuple(committee_ids)), lambda: committee_figures(committee_ids))


@dataclass
class CommitteePage:
    """Everything a committee's page shows: its tasks, figures, measures and their adoption, and the bulk rows."""

    committee: Committee
    programme: Programme
    tasks: list[RoadmapTask]
    figures: CommitteeFigures
    measures: list[RoadmapTask]
    adoption: dict[int, dict[str, int]]
    can_bulk_update: bool
    row_choices: dict[int, list[TaskStatus]]  # for each task the user may move: its status, then the allowed ones

    @property
    def adoption_rows(self) -> list[tuple[str, int]]:
        return [(task.code, self.adoption[task.id]["done"]) for task in self.measures]

    @property
    def adoption_max(self) -> int:
        return max((sum(counts.values()) for counts in self.adoption.values()), default=1)


def committee_or_404(code: str) -> Committee:
    """The committee a path names (its code, any case), or 404: the committee's meetings and documents start here."""
    committee = db.session.scalar(sa.select(Committee).where(Committee.code == code.upper()))
    if committee is None:
        abort(404)
    return committee


def get_committee(code: str) -> Committee | None:
    """A committee by its code, with its members."""
    return db.session.scalars(
        sa.select(Committee).where(Committee.code == code.upper())
        .options(selectinload(Committee.memberships).joinedload(CommitteeMembership.user))
    ).one_or_none()


def committee_page(committee: Committee, user: User, programme: Programme) -> CommitteePage:
    """The committee page for `user`, showing its tasks of `programme`, in one call."""
    from association.progress.queries import measure_adoption
    from association.roadmap.operations import actor_for, can_bulk_update

    tasks = list(db.session.scalars(
        task_query({"committee": committee.code, "programme_id": programme.id})).unique().all())
    measures = [task for task in tasks if task.library_level and task.status != TaskStatus.CANCELLED]
    bulk = can_bulk_update(user, committee.id)
    actors = {task.id: actor_for(user, task) for task in tasks} if bulk else {}
    return CommitteePage(
        committee=committee, programme=programme, tasks=tasks,
        figures=committee_figures([committee.id], programme_id=programme.id)[committee.id], measures=measures,
        adoption=measure_adoption([task.id for task in measures]), can_bulk_update=bulk,
        row_choices={task.id: [task.status, *allowed_targets(task.status, actor)]
                     for task in tasks if (actor := actors.get(task.id)) is not None},
    )
