"""The dashboard's to-do list: what each person has to do next, read in one call with a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from association.extensions import db
from association.libraries.models import MemberLibrary
from association.returns.models import AnnualReturn, ReturnForm, ReturnHistory, ReturnStatus
from association.returns.operations import can_change_return
from association.returns.queries import REVIEW_ACTIONS, is_late
from association.roadmap import queries as roadmap_queries
from association.roadmap.models import CLOSED_STATUSES, RoadmapTask
from association.users.models import Role, User

# A committee's task is on its members' to-do list once it is overdue or due within this many days.
TASKS_DUE_WITHIN = timedelta(days=30)
TASKS_SHOWN = 30


@dataclass(frozen=True)
class ReturnTodo:
    """One open year's return of the representative's library."""

    year: int
    due_on: date
    status: str  # a ReturnStatus value, or "not_started"
    late: bool
    editable: bool
    review_action: str | None  # the newest review action (returned, accepted, reopened) and its comment
    review_comment: str


@dataclass(frozen=True)
class YearTodo:
    """A reporting year the coordinator has something to do in: returns to review, or a window to close."""

    year: int
    due_on: date
    waiting: int  # returns submitted and not yet reviewed


@dataclass
class Todo:
    library: MemberLibrary | None = None
    returns: list[ReturnTodo] = field(default_factory=list)
    to_review: list[YearTodo] = field(default_factory=list)
    to_close: list[YearTodo] = field(default_factory=list)
    tasks: list[RoadmapTask] = field(default_factory=list)
    is_coordinator: bool = False
    is_member: bool = False

    @property
    def empty(self) -> bool:
        return not (self.returns or self.to_review or self.to_close or self.tasks)


def _open_forms(today: date) -> list[ReturnForm]:
    """Every revision of the open years' forms, newest first (open: the window has opened and the coordinator has
    not closed the year)."""
    return list(db.session.scalars(
        sa.select(ReturnForm).where(ReturnForm.opens_on <= today, ReturnForm.closed_at.is_(None))
        .order_by(ReturnForm.year.desc(), ReturnForm.revision.desc())
    ))


def _newest_by_year(revisions: list[ReturnForm]) -> dict[int, ReturnForm]:
    newest: dict[int, ReturnForm] = {}
    for form in revisions:
        newest.setdefault(form.year, form)
    return newest


def _latest_reviews(return_ids: list[int]) -> dict[int, tuple[str, str]]:
    """The newest review action and its comment of each return (one query whatever the history's length)."""
    if not return_ids:
        return {}
    newest = sa.func.row_number().over(
        partition_by=ReturnHistory.return_id, order_by=(ReturnHistory.at.desc(), ReturnHistory.id.desc()))
    ranked = (
        sa.select(ReturnHistory.return_id, ReturnHistory.action, ReturnHistory.comment, newest.label("rank"))
        .where(ReturnHistory.return_id.in_(return_ids), ReturnHistory.action.in_(REVIEW_ACTIONS))
        .subquery()
    )
    rows = db.session.execute(
        sa.select(ranked.c.return_id, ranked.c.action, ranked.c.comment).where(ranked.c.rank == 1))
    return {return_id: (action, comment or "") for return_id, action, comment in rows}


def _library_returns(user: User, library: MemberLibrary, revisions: list[ReturnForm],
                     today: date) -> list[ReturnTodo]:
    forms = _newest_by_year(revisions)
    by_id = {form.id: form for form in revisions}
    returns = {r.year: r for r in db.session.scalars(
        sa.select(AnnualReturn).where(AnnualReturn.library_id == library.id, AnnualReturn.year.in_(list(forms))))}
    reviews = _latest_reviews([r.id for r in returns.values()])
    items = []
    for year, newest in sorted(forms.items(), reverse=True):
        annual_return = returns.get(year)
        # A return keeps the revision it was started on; its due date is that revision's.
        form = by_id.get(annual_return.form_id, newest) if annual_return else newest
        action, comment = reviews.get(annual_return.id, (None, "")) if annual_return else (None, "")
        items.append(ReturnTodo(
            year=year, due_on=form.due_on, status=annual_return.status.value if annual_return else "not_started",
            late=is_late(annual_return, form, today), editable=can_change_return(user, library, annual_return, form),
            review_action=action, review_comment=comment,
        ))
    return items


def _coordinator_years(revisions: list[ReturnForm], today: date) -> tuple[list[YearTodo], list[YearTodo]]:
    forms = _newest_by_year(revisions)
    waiting = dict(db.session.execute(
        sa.select(AnnualReturn.year, sa.func.count(AnnualReturn.id))
        .where(AnnualReturn.year.in_(list(forms)), AnnualReturn.status == ReturnStatus.SUBMITTED)
        .group_by(AnnualReturn.year)
    ).all()) if forms else {}
    years = [YearTodo(year, form.due_on, waiting.get(year, 0)) for year, form in sorted(forms.items(), reverse=True)]
    return [y for y in years if y.waiting], [y for y in years if y.due_on < today]


def _committee_tasks(committee_ids: set[int], today: date) -> list[RoadmapTask]:
    query = roadmap_queries.task_query({"committee_ids": list(committee_ids)}, today).where(
        RoadmapTask.status.not_in(list(CLOSED_STATUSES)), RoadmapTask.due_date <= today + TASKS_DUE_WITHIN)
    query = query.order_by(None).order_by(RoadmapTask.due_date, *roadmap_queries.code_order())
    return list(db.session.scalars(query.limit(TASKS_SHOWN)).unique())


def todo_for(user: User, today: date | None = None) -> Todo:
    """The signed-in person's to-do list: a representative's returns of every open year, the coordinator's returns
    to review and windows to close, a committee member's tasks overdue or due within 30 days."""
    today = today or date.today()
    todo = Todo(is_coordinator=user.is_coordinator, is_member=bool(user.committee_ids()))
    is_rep = user.has_role(Role.LIBRARY_REP) and user.library_id is not None
    forms = _open_forms(today) if is_rep or todo.is_coordinator else []
    if is_rep:
        todo.library = db.session.get(MemberLibrary, user.library_id)
        if todo.library is not None:
            todo.returns = _library_returns(user, todo.library, forms, today)
    if todo.is_coordinator:
        todo.to_review, todo.to_close = _coordinator_years(forms, today)
    if todo.is_member:
        todo.tasks = _committee_tasks(user.committee_ids(), today)
    return todo
