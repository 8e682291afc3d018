"""Reading roadmap tasks: filtered lists, one task with what its page shows, its history. No writes here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date
from sqlalchemy.orm import joinedload

from association.committees.models import Committee
from association.core.i18n import current_language
from association.core.models import localized
from association.core.rules import percent
from association.extensions import db
from association.programme.models import Direction, Programme
from association.roadmap.models import CLOSED_STATUSES, RoadmapTask, TaskHistory, TaskStatus, TaskWatcher
from association.users.models import User, as_person


def overdue_clause(today: date | None = None) -> sa.ColumnElement[bool]:
    """SQL for "due date passed and neither done nor cancelled" (the same rule as RoadmapTask.is_overdue)."""
    return sa.and_(RoadmapTask.status.not_in(list(CLOSED_STATUSES)), RoadmapTask.due_date < (today or date.today()))


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def task_query(filters: dict[str, Any], today: date | None = None) -> sa.Select:
    """Tasks matching the list filters (committee, direction, year, status, overdue, q, code), in code order."""
    # Lists show the committee's code and the direction's number only: their JSON columns (names, mandate, …),
    # decoded once per row, were a quarter of a task list's time.
    query = sa.select(RoadmapTask).options(
        joinedload(RoadmapTask.committee).load_only(Committee.code, raiseload=True),
        joinedload(RoadmapTask.direction).load_only(Direction.number, raiseload=True),
        *programme_options(),
    )
    return filtered_tasks(query, filters, today).order_by(*code_order())


def filtered_tasks(query: sa.Select, filters: dict[str, Any], today: date | None = None) -> sa.Select:
    """The query narrowed to the tasks matching the list filters (the one home of what each filter means)."""
    if filters.get("programme_id"):
        query = query.where(RoadmapTask.programme_id == filters["programme_id"])
    if filters.get("committee"):
        query = query.where(RoadmapTask.committee.has(Committee.code == filters["committee"].upper()))
    if filters.get("direction"):
        query = query.where(RoadmapTask.direction.has(Direction.number == filters["direction"]))
    if filters.get("year"):
        query = query.where(RoadmapTask.planned_year == filters["year"])
    if filters.get("status"):
        query = query.where(RoadmapTask.status == TaskStatus(filters["status"]))
    if filters.get("overdue") is True:
        query = query.where(overdue_clause(today))
    elif filters.get("overdue") is False:
        query = query.where(sa.not_(overdue_clause(today)))
    if filters.get("code"):
        query = query.where(RoadmapTask.code == filters["code"])
    if filters.get("committee_ids") is not None:
        query = query.where(RoadmapTask.committee_id.in_(filters["committee_ids"]))
    if filters.get("q"):
        pattern = f"%{escape_like(filters['q'].strip())}%"
        query = query.where(sa.or_(*(
            column.ilike(pattern, escape="\\")
            for column in (RoadmapTask.code, RoadmapTask.title_kk, RoadmapTask.title_ru, RoadmapTask.title_en)
        )))
    return query


@dataclass(frozen=True)
class TaskRow:
    """One task as the HTML lists show it, its values already formatted: the lists render many rows, and plain
    columns cost a fraction of ORM objects with their joined committee, direction and programme."""

    id: int
    code: str
    title: str
    library_level: bool
    committee_code: str
    due_on: str  # the due date, medium format
    overdue: bool
    status: str  # a TaskStatus value
    progress_percent: int


TASK_ROW_COLUMNS = (RoadmapTask.id, RoadmapTask.code, RoadmapTask.title_kk, RoadmapTask.title_ru,
                    RoadmapTask.title_en, RoadmapTask.library_level, Committee.code, RoadmapTask.due_date,
                    RoadmapTask.status, RoadmapTask.progress_percent)


def task_rows(rows: Sequence[Any], today: date | None = None) -> list[TaskRow]:
    """TaskRows from rows of TASK_ROW_COLUMNS (each due date formatted once: many tasks share one)."""
    today = today or date.today()
    language = current_language()
    dates: dict[date, str] = {}
    items = []
    for id_, code, title_kk, title_ru, title_en, library_level, committee_code, due, status, progress in rows:
        if due not in dates:
            dates[due] = format_date(due, "medium")
        status = TaskStatus(status)
        items.append(TaskRow(
            id=id_, code=code, title=localized({"kk": title_kk, "ru": title_ru, "en": title_en}, language),
            library_level=library_level, committee_code=committee_code, due_on=dates[due],
            overdue=status not in CLOSED_STATUSES and due < today, status=status.value, progress_percent=progress,
        ))
    return items


def task_list_page(filters: dict[str, Any], page: int, per_page: int,
                   today: date | None = None) -> tuple[list[TaskRow], int]:
    """What the task list page shows: one page of the matching tasks and how many match, in one statement (the
    count rides along as a window function; only a page past the end needs a count of its own)."""
    query = filtered_tasks(
        sa.select(*TASK_ROW_COLUMNS, sa.func.count().over()).join(Committee, Committee.id == RoadmapTask.committee_id),
        filters, today)
    rows = db.session.execute(query.order_by(*code_order()).limit(per_page).offset((page - 1) * per_page)).all()
    if rows:
        return task_rows([row[:-1] for row in rows], today), rows[0][-1]
    if page == 1:
        return [], 0
    return [], db.session.scalar(sa.select(sa.func.count()).select_from(filtered_tasks(
        sa.select(RoadmapTask.id), filters, today).subquery())) or 0


@dataclass(frozen=True)
class DashboardTasks:
    overdue: list[TaskRow]  # the programme's overdue tasks, the longest overdue first
    mine: list[TaskRow]  # the open tasks of the person's committees, the soonest due first


def dashboard_tasks(programme_id: int, committee_ids: list[int], overdue_shown: int, mine_shown: int,
                    today: date | None = None) -> DashboardTasks:
    """The two task lists of the start page, in one statement (each part ranked, the two told apart by a tag)."""
    parts = [_dashboard_part(0, {"overdue": True, "programme_id": programme_id}, overdue_shown, today)]
    if committee_ids:
        parts.append(_dashboard_part(1, {"committee_ids": committee_ids, "programme_id": programme_id}, mine_shown,
                                     today).where(RoadmapTask.status.not_in(list(CLOSED_STATUSES))))
    ranked = sa.union_all(*(sa.select(part.subquery()) for part in parts)).subquery()
    rows = db.session.execute(sa.select(ranked).order_by(ranked.c.list, ranked.c.rank)).all()
    lists: tuple[list[Any], list[Any]] = ([], [])
    for row in rows:
        lists[row[-2]].append(row[:-2])
    return DashboardTasks(task_rows(lists[0], today), task_rows(lists[1], today))


def _dashboard_part(tag: int, filters: dict[str, Any], shown: int, today: date | None) -> sa.Select:
    """One list of the start page: TASK_ROW_COLUMNS, its tag and each row's rank, soonest due first."""
    order = (RoadmapTask.due_date, *code_order())
    query = sa.select(*TASK_ROW_COLUMNS, sa.literal(tag).label("list"),
                      sa.func.row_number().over(order_by=order).label("rank"))
    query = query.join(Committee, Committee.id == RoadmapTask.committee_id)
    return filtered_tasks(query, filters, today).order_by(*order).limit(shown)


def programme_options() -> list:
    """Load what a task object shows of its programme and of the task it was carried from (their codes)."""
    origin = sa.orm.aliased(RoadmapTask)
    return [
        joinedload(RoadmapTask.programme).load_only(Programme.code, Programme.status, raiseload=True),
        joinedload(RoadmapTask.carried_from.of_type(origin)).load_only(origin.code, origin.programme_id, raiseload=True)
        .joinedload(origin.programme).load_only(Programme.code, raiseload=True),
    ]


def code_order() -> list[sa.ColumnElement[Any]]:
    """Order task codes numerically ("5.2" before "5.10") on SQLite and PostgreSQL alike."""
    return [RoadmapTask.direction_id.expression, sa.func.length(RoadmapTask.code), RoadmapTask.code.expression]


def get_task(task_id: int) -> RoadmapTask | None:
    """One task with its committee and direction loaded."""
    return db.session.scalars(
        sa.select(RoadmapTask).where(RoadmapTask.id == task_id)
        .options(joinedload(RoadmapTask.committee), joinedload(RoadmapTask.direction),
                 as_person(joinedload(RoadmapTask.assignee)), *programme_options())
    ).unique().one_or_none()


def task_history_query(task_id: int) -> sa.Select:
    """The task's history, newest first, with who made each change."""
    return (sa.select(TaskHistory).where(TaskHistory.task_id == task_id)
            .options(as_person(joinedload(TaskHistory.user)))
            .order_by(TaskHistory.at.desc(), TaskHistory.id.desc()))


def task_history(task_id: int) -> list[TaskHistory]:
    return list(db.session.scalars(task_history_query(task_id)))


def user_by_id(user_id: int) -> User | None:
    """A user with the memberships that decide whether they can own a task."""
    return db.session.get(User, user_id)


def user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


@dataclass(frozen=True)
class CommitteeFigures:
    tasks_total: int
    tasks_by_status: dict[str, int]
    progress_percent: int


def committee_figures(committee_ids: list[int] | None = None, year: int | None = None,
                      programme_id: int | None = None) -> dict[int, CommitteeFigures]:
    """Tasks by status and progress per committee in a programme (default: the one shown), in one query.
    A committee's progress is the share of its tasks that are done, cancelled tasks left out (SPEC §2)."""
    from association.programme.queries import default_programme_id

    query = sa.select(RoadmapTask.committee_id, RoadmapTask.status, sa.func.count()).group_by(
        RoadmapTask.committee_id, RoadmapTask.status)
    query = query.where(RoadmapTask.programme_id == (programme_id or default_programme_id()))
    if committee_ids is not None:
        query = query.where(RoadmapTask.committee_id.in_(committee_ids))
    if year is not None:
        query = query.where(RoadmapTask.planned_year == year)
    counts: dict[int, dict[str, int]] = {}
    for committee_id, status, count in db.session.execute(query):
        counts.setdefault(committee_id, {s.value: 0 for s in TaskStatus})[TaskStatus(status).value] = count
    wanted = committee_ids if committee_ids is not None else list(counts)
    figures = {}
    for committee_id in wanted:
        by_status = counts.get(committee_id, {s.value: 0 for s in TaskStatus})
        if not by_status[TaskStatus.CARRIED_OVER.value]:  # only a closed-out programme has any: the usual shape
            by_status = {status: n for status, n in by_status.items() if status != TaskStatus.CARRIED_OVER.value}
        counted = sum(by_status.values()) - by_status["cancelled"]
        figures[committee_id] = CommitteeFigures(sum(by_status.values()), by_status, percent(by_status["done"], counted))
    return figures


def tasks_by_ids(task_ids: list[int]) -> list[RoadmapTask]:
    """The tasks with these ids (with their committees), in code order."""
    return list(db.session.scalars(
        sa.select(RoadmapTask).where(RoadmapTask.id.in_(set(task_ids)))
        .options(joinedload(RoadmapTask.committee), *programme_options()).order_by(*code_order())
    ).unique())


def is_watching(task_id: int, user_id: int) -> bool:
    return db.session.get(TaskWatcher, (task_id, user_id)) is not None


def planned_years() -> list[int]:
    """The years the Roadmap's tasks are planned for (what the task list filters by), from the data."""
    return list(db.session.scalars(sa.select(RoadmapTask.planned_year).distinct().order_by(RoadmapTask.planned_year)))
