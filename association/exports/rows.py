"""The rows of every export, read with a fixed number of queries and streamed (yield_per), so memory does not
grow with the data. The figures come from association.progress.queries, the same as the dashboards."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from association.core.models import localized
from association.exports.scope import ExportScope
from association.extensions import db
from association.libraries.models import LibraryProgress, MeasureStatus, MemberLibrary, MembershipStatus
from association.programme.queries import default_programme_id
from association.progress.queries import measure_ids, overall_percents
from association.returns.lateness import is_late
from association.returns.models import AnnualReturn, ReturnForm
from association.roadmap.models import RoadmapTask, TaskHistory
from association.roadmap.queries import code_order, task_query

PROGRESS_COLUMNS = ("task_code", "task_title", "committee_code", "direction", "planned_year", "due_date", "status",
                    "progress_percent", "overdue", "library_level", "last_update_at", "last_comment")
BATCH = 500
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = 200) -> Iterator[Sequence[T]]:
    """Fixed-size slices, so that an export holds a bounded number of rows' data at a time."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def task_rows(scope: ExportScope, year: int | None = None, committee: str | None = None) -> Iterator[dict[str, Any]]:
    """One row per task, with its last history entry (when and the comment)."""
    filters: dict[str, Any] = {"year": year, "committee": committee,
                               "programme_id": scope.programme_id or default_programme_id()}
    if not scope.everything and scope.library_id is None:
        filters["committee_ids"] = sorted(scope.committee_ids)
    last = (sa.select(TaskHistory.task_id, sa.func.max(TaskHistory.id).label("last_id"))
            .group_by(TaskHistory.task_id).subquery())
    query = (task_query(filters)
             .outerjoin(last, last.c.task_id == RoadmapTask.id)
             .outerjoin(TaskHistory, TaskHistory.id == last.c.last_id)
             .add_columns(TaskHistory.at, TaskHistory.comment))
    for task, last_at, last_comment in db.session.execute(query.execution_options(yield_per=BATCH)):
        yield {
            "task_code": task.code, "task_title": task.title, "committee_code": task.committee.code,
            "direction": task.direction.number, "planned_year": task.planned_year, "due_date": task.due_date,
            "status": task.status.value, "progress_percent": task.progress_percent, "overdue": task.is_overdue(),
            "library_level": task.library_level, "last_update_at": last_at, "last_comment": last_comment or "",
        }


LIBRARY_COLUMNS = ("library_code", "library_name", "region", "city", "type", "membership_status", "overall_percent")


def library_rows(scope: ExportScope) -> Iterator[dict[str, Any]]:
    """One row per member library the scope allows, with its overall progress (the dashboard's figure)."""
    query = sa.select(MemberLibrary).options(joinedload(MemberLibrary.region)).order_by(MemberLibrary.code)
    if not scope.everything:
        query = query.where(MemberLibrary.id == (scope.library_id or -1))
    libraries = db.session.scalars(query).all()
    percents = overall_percents([library.id for library in libraries], scope.programme_id)
    for library in libraries:
        yield {"library_code": library.code, "library_name": library.name, "region": library.region.code,
               "region_name": library.region.name, "city": library.city, "type": library.type.value,
               "membership_status": library.membership_status.value, "overall_percent": percents[library.id]}


def measure_matrix(scope: ExportScope) -> tuple[Sequence[RoadmapTask], Iterator[dict[str, Any]]]:
    """Libraries × library-level measures: the measures (columns) and one row per library with each status."""
    measures = db.session.scalars(
        sa.select(RoadmapTask).where(RoadmapTask.id.in_(measure_ids(scope.programme_id))).order_by(*code_order())
    ).all()
    if not scope.everything and scope.library_id is None:
        measures = [m for m in measures if m.committee_id in scope.committee_ids]

    def rows() -> Iterator[dict[str, Any]]:
        query = sa.select(MemberLibrary).order_by(MemberLibrary.code)
        if scope.library_id is not None and not scope.everything:
            query = query.where(MemberLibrary.id == scope.library_id)
        libraries = db.session.scalars(query).all()
        for chunk in _chunks(libraries):  # a bounded number of libraries in memory at a time
            ids = [library.id for library in chunk]
            statuses = {  # the status codes as stored: an enum member per cell cost more than the rest of the row
                (library_id, task_id): status
                for library_id, task_id, status in db.session.execute(
                    sa.select(LibraryProgress.library_id, LibraryProgress.task_id,
                              sa.type_coerce(LibraryProgress.status, sa.String))
                    .where(LibraryProgress.task_id.in_([m.id for m in measures]), LibraryProgress.library_id.in_(ids)))
            }
            percents = overall_percents(ids, scope.programme_id)
            for library in chunk:
                row: dict[str, Any] = {"library_code": library.code, "library_name": library.name,
                                       "overall_percent": percents[library.id]}
                for measure in measures:
                    row[measure.code] = statuses.get((library.id, measure.id), MeasureStatus.NOT_STARTED.value)
                yield row

    return measures, rows()


RETURN_LEADING = ("library_code", "library_name", "status", "submitted_at")
RETURN_TRAILING = ("year", "late", "warnings")


def return_rows(scope: ExportScope, year: int | None) -> tuple[list[tuple[str, str]], Iterator[dict[str, Any]]]:
    """Field columns [(code, label)] and one row per active member library and year (not_started without a return),
    with its values ("NA" for not available) and its warnings."""
    from association.returns.operations import findings_for_many

    years = [year] if year else list(db.session.scalars(sa.select(ReturnForm.year).distinct().order_by(ReturnForm.year)))
    forms = {form.year: form for form in db.session.scalars(
        sa.select(ReturnForm).where(ReturnForm.year.in_(years)).order_by(ReturnForm.revision)
        .options(sa.orm.selectinload(ReturnForm.fields)))}
    fields: dict[str, str] = {}
    for form in forms.values():
        for definition in form.fields:
            fields.setdefault(definition.code, localized(definition.labels))

    def rows() -> Iterator[dict[str, Any]]:
        query = (sa.select(MemberLibrary).where(MemberLibrary.membership_status == MembershipStatus.ACTIVE)
                 .order_by(MemberLibrary.code))
        if not scope.everything:
            query = query.where(MemberLibrary.id == (scope.library_id or -1))
        libraries = db.session.scalars(query).all()
        for year_, chunk in ((y, c) for y in years for c in _chunks(libraries)):
            returns = db.session.scalars(sa.select(AnnualReturn).where(
                AnnualReturn.year == year_, AnnualReturn.library_id.in_([lib.id for lib in chunk]))).all()
            findings = findings_for_many(list(returns))
            by_library = {r.library_id: r for r in returns}
            for library in chunk:
                annual_return = by_library.get(library.id)
                row: dict[str, Any] = {
                    "year": year_, "library_code": library.code, "library_name": library.name,
                    "status": annual_return.status.value if annual_return else "not_started",
                    "submitted_at": annual_return.submitted_at if annual_return else None,
                    "late": year_ in forms and is_late(annual_return.first_submitted_at if annual_return else None,
                                                       forms[year_].due_on),
                }
                values = (annual_return.values or {}) if annual_return else {}
                for code in fields:
                    row[code] = values.get(code)
                warnings = findings[annual_return.id].warnings if annual_return else {}
                row["warnings"] = "; ".join(f"{code}: {' '.join(messages)}" for code, messages in warnings.items())
                yield row

    return list(fields.items()), rows()


def field_types(year: int | None) -> dict[str, tuple[str, list[Any] | None]]:
    """Each return field's type and choices ({code, label}), for writing its values as people read them."""
    query = sa.select(ReturnForm).order_by(ReturnForm.revision).options(sa.orm.selectinload(ReturnForm.fields))
    if year:
        query = query.where(ReturnForm.year == year)
    types: dict[str, tuple[str, list[Any] | None]] = {}
    for form in db.session.scalars(query):
        for definition in form.fields:
            types[definition.code] = (definition.type.value, definition.choices)
    return types
