"""The figures of SPEC §2, each computed once, in SQL, with a number of queries that does not grow with the data:

- a library's overall progress: done ÷ applicable library-level measures (not_applicable left out);
- a committee's progress: done ÷ its tasks, cancelled left out (association.roadmap.queries.committee_figures);
- the programme's progress: done ÷ all tasks, cancelled left out;
- a region's progress: done ÷ applicable measures over the region's active member libraries;
- annual-return completeness for a year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from association.core.i18n import current_language
from association.core.rules import percent
from association.extensions import db
from association.libraries.models import LibraryProgress, MeasureStatus, MemberLibrary, MembershipStatus, Region
from association.returns.lateness import end_of_day
from association.returns.models import AnnualReturn, ReturnForm, ReturnStatus
from association.roadmap.models import RoadmapTask, TaskStatus
from association.roadmap.queries import overdue_clause

PROGRESS_BUCKETS = ((0, 24), (25, 49), (50, 74), (75, 99), (100, 100))


def _plain_rows(query: sa.Select) -> Sequence[sa.Row]:
    """The rows of a query of columns, run on the session's connection: a row per library at 30× is 3,600 rows,
    and the ORM's result layer (which this query of plain columns does not need) doubled their cost. Pending
    changes are flushed first, as the session's own execute would have done."""
    session = db.session()
    session.flush()
    return session.connection().execute(query).all()


def measure_ids(programme_id: int | None = None) -> list[int]:
    """The library-level measures every member library carries out, of the programme (default: the one shown);
    cancelled ones no longer count."""
    if programme_id is None:
        from association.programme.queries import default_programme_id

        programme_id = default_programme_id()
    return list(db.session.scalars(
        sa.select(RoadmapTask.id).where(RoadmapTask.library_level, RoadmapTask.status != TaskStatus.CANCELLED,
                                        RoadmapTask.programme_id == programme_id)
    ))


@dataclass(frozen=True)
class LibraryFigures:
    done: int
    applicable: int

    @property
    def overall_percent(self) -> int:
        return percent(self.done, self.applicable)


def library_figures(library_ids: list[int] | None = None,
                    programme_id: int | None = None) -> dict[int, LibraryFigures]:
    """Done and applicable measures per library (two queries, whatever the number of libraries)."""
    measures, counted = measure_counts(library_ids, programme_id)
    ids = library_ids if library_ids is not None else list(counted)
    return {i: LibraryFigures(counted.get(i, (0, 0))[0], measures - counted.get(i, (0, 0))[1]) for i in ids}


def measure_counts(library_ids: list[int] | None = None,
                   programme_id: int | None = None) -> tuple[int, dict[int, tuple[int, int]]]:
    """The number of the programme's measures, and per library that has any done or not applicable: (done, not
    applicable). The database counts both in one pass and answers a row of two integers per library, so no
    status is loaded into Python (400,000 progress rows at 30×)."""
    measures = measure_ids(programme_id)
    query = (
        sa.select(LibraryProgress.library_id,
                  sa.func.count(sa.case((LibraryProgress.status == MeasureStatus.DONE, 1))),
                  sa.func.count(sa.case((LibraryProgress.status == MeasureStatus.NOT_APPLICABLE, 1))))
        .where(LibraryProgress.task_id.in_(measures),
               LibraryProgress.status.in_([MeasureStatus.DONE, MeasureStatus.NOT_APPLICABLE]))
        .group_by(LibraryProgress.library_id)
    )
    if library_ids is not None:
        query = query.where(LibraryProgress.library_id.in_(library_ids))
    return len(measures), {library_id: (done, excluded) for library_id, done, excluded in _plain_rows(query)}


def overall_percents(library_ids: list[int], programme_id: int | None = None) -> dict[int, int]:
    """Each library's overall progress, from every library's figures cached together (see
    association.progress.cache): the library list then costs no progress query at all."""
    from association.progress.cache import remember

    everyone = remember(("overall_percents", programme_id), lambda: {
        library_id: figures.overall_percent
        for library_id, figures in library_figures(programme_id=programme_id).items()})
    return {library_id: everyone.get(library_id, 0) for library_id in library_ids}  # nothing done or excluded: 0


def _active_libraries_with_regions() -> sa.Select:
    """The active member libraries, in code order, with their names and their region's code, names and position."""
    return (
        sa.select(MemberLibrary.id, MemberLibrary.code, MemberLibrary.name_kk, MemberLibrary.name_ru,
                  MemberLibrary.name_en, Region.code.label("region_code"), Region.name_kk.label("region_kk"),
                  Region.name_ru.label("region_ru"), Region.name_en.label("region_en"),
                  Region.position.label("region_position"), Region.id.label("region_id"))
        .join(Region, MemberLibrary.region_id == Region.id)
        .where(MemberLibrary.membership_status == MembershipStatus.ACTIVE).order_by(MemberLibrary.code)
    )


def progress_distribution(percents: list[int]) -> list[tuple[str, int]]:
    """How many libraries fall in each progress band (0–24 %, 25–49 %, …, 100 %)."""
    counts = dict.fromkeys(range(101), 0)
    for value in percents:
        counts[value] += 1
    bands = []
    for low, high in PROGRESS_BUCKETS:
        label = f"{low}–{high} %" if low != high else f"{low} %"
        bands.append((label, sum(counts[value] for value in range(low, high + 1))))
    return bands


def task_status_counts(year: int | None = None, today: date | None = None,
                       programme_id: int | None = None) -> dict[str, int]:
    """Tasks by status (planned in `year`, or all; of one programme, or all), with `overdue` counted on the side."""
    query = sa.select(RoadmapTask.status, sa.func.count()).group_by(RoadmapTask.status)
    overdue_query = sa.select(sa.func.count()).select_from(RoadmapTask).where(overdue_clause(today))
    if programme_id is not None:
        query = query.where(RoadmapTask.programme_id == programme_id)
        overdue_query = overdue_query.where(RoadmapTask.programme_id == programme_id)
    if year is not None:
        query = query.where(RoadmapTask.planned_year == year)
        overdue_query = overdue_query.where(RoadmapTask.planned_year == year)
    counts = {status.value: 0 for status in TaskStatus}
    for status, count in db.session.execute(query):
        counts[TaskStatus(status).value] = count
    counts["overdue"] = db.session.scalar(overdue_query) or 0
    return counts


def programme_percent(counts: dict[str, int]) -> int:
    """The programme's progress: done ÷ all tasks, cancelled left out."""
    total = sum(counts[status.value] for status in TaskStatus)
    return percent(counts["done"], total - counts["cancelled"])


@dataclass(frozen=True)
class Completeness:
    year: int
    due_on: date | None
    expected: int
    submitted: int
    accepted: int
    on_time: int
    items: list[dict]


def returns_completeness(year: int) -> Completeness:
    """Which active member libraries have submitted their return for `year`, and how many on time.

    expected = active member libraries; submitted = returns now submitted or accepted; accepted = accepted;
    on_time = of those, the ones first submitted by the end of the form's due date."""
    form = db.session.scalars(
        sa.select(ReturnForm).where(ReturnForm.year == year).order_by(ReturnForm.revision.desc())
    ).first()
    rows = _plain_rows(
        # The status as stored (a string), not as an enum: 3,600 libraries at 30× would build 3,600 members.
        sa.select(MemberLibrary.code, sa.type_coerce(AnnualReturn.status, sa.String), AnnualReturn.submitted_at,
                  AnnualReturn.first_submitted_at)
        .outerjoin(AnnualReturn, sa.and_(AnnualReturn.library_id == MemberLibrary.id, AnnualReturn.year == year))
        .where(MemberLibrary.membership_status == MembershipStatus.ACTIVE)
        .order_by(MemberLibrary.code)
    )
    submitted_states = {ReturnStatus.SUBMITTED.value, ReturnStatus.ACCEPTED.value}
    accepted_state = ReturnStatus.ACCEPTED.value
    # returns.lateness.on_time, with the due date's last instant computed once rather than once per library.
    deadline = end_of_day(form.due_on) if form is not None else None
    items, submitted, accepted, on_time = [], 0, 0, 0
    for code, status, submitted_at, first_submitted_at in rows:
        if status in submitted_states:
            submitted += 1
            if status == accepted_state:
                accepted += 1
            if deadline is not None and first_submitted_at is not None and first_submitted_at <= deadline:
                on_time += 1
        items.append({"library": code, "status": status or "not_started", "submitted_at": submitted_at})
    return Completeness(year, form.due_on if form else None, len(rows), submitted, accepted, on_time, items)


def current_reporting_year(today: date | None = None) -> int | None:
    """The newest reporting year whose return window has opened (else the newest form's year)."""
    today = today or date.today()
    opened = db.session.scalar(sa.select(sa.func.max(ReturnForm.year)).where(ReturnForm.opens_on <= today))
    return opened or db.session.scalar(sa.select(sa.func.max(ReturnForm.year)))


@dataclass(frozen=True)
class ProgrammeSummary:
    programme: str | None
    year: int | None
    tasks: dict
    committees: list[dict]
    libraries: list[dict]
    library_distribution: list[dict]
    regions: list[dict]
    returns: Completeness | None


def programme_summary(year: int | None = None, today: date | None = None,
                      programme_id: int | None = None) -> ProgrammeSummary:
    """Every figure of the Association overview: the same numbers on the dashboard, in the API and in exports.
    Cached until the data under it changes (association.progress.cache); names are in the reader's language and
    "overdue" depends on the day, so both are part of the key."""
    from association.progress.cache import remember

    today = today or date.today()
    # None (the default programme) is a key of its own: `programmes` is a figure source, so activating another
    # programme renews the generation, and the common read costs no programme query.
    return remember(("programme_summary", programme_id, year, current_language(), today),
                    lambda: compute_programme_summary(year, today, programme_id))


def compute_programme_summary(year: int | None, today: date, programme_id: int | None = None) -> ProgrammeSummary:
    from association.committees.models import Committee
    from association.core.models import localized
    from association.programme.models import Programme
    from association.programme.queries import default_programme_id
    from association.roadmap.queries import committee_figures

    programme_id = programme_id or default_programme_id()
    counts = task_status_counts(year, today, programme_id)
    committees = db.session.scalars(sa.select(Committee).order_by(Committee.position)).all()
    figures = committee_figures([c.id for c in committees], year, programme_id)
    rows = _plain_rows(_active_libraries_with_regions())
    measures, counted = measure_counts(programme_id=programme_id)  # every library at once: no IN list
    language = current_language()
    # One pass over the libraries (3,600 at 30×): each one's percent, and its counts pooled into its region's.
    libraries, percents = [], []
    pooled: dict[int, list[int]] = {}  # region id → [libraries, done, applicable]
    first_of_region: dict[int, sa.Row] = {}
    for row in rows:
        done, excluded = counted.get(row.id, (0, 0))  # nothing done or excluded: every measure applies
        applicable = measures - excluded
        library_percent = percent(done, applicable)
        percents.append(library_percent)
        libraries.append({"code": row.code,
                          "name": localized({"kk": row.name_kk, "ru": row.name_ru, "en": row.name_en}, language),
                          "region": row.region_code, "overall_percent": library_percent})
        sums = pooled.get(row.region_id)
        if sums is None:
            pooled[row.region_id] = sums = [0, 0, 0]
            first_of_region[row.region_id] = row
        sums[0] += 1
        sums[1] += done
        sums[2] += applicable
    regions = [{"code": row.region_code,
                "name": localized({"kk": row.region_kk, "ru": row.region_ru, "en": row.region_en}, language),
                "libraries": pooled[row.region_id][0],
                "progress_percent": percent(pooled[row.region_id][1], pooled[row.region_id][2])}
               for row in sorted(first_of_region.values(), key=lambda row: (row.region_position, row.region_id))]
    returns_year = year or current_reporting_year(today)
    programme = db.session.get(Programme, programme_id) if programme_id else None
    return ProgrammeSummary(
        programme=programme.code if programme else None,
        year=year,
        tasks={"total": sum(counts[s.value] for s in TaskStatus),
               "by_status": {s.value: counts[s.value] for s in TaskStatus
                             if s != TaskStatus.CARRIED_OVER or counts[s.value]},
               "overdue": counts["overdue"], "progress_percent": programme_percent(counts)},
        committees=[{"code": c.code, "name": c.name, "short_name": c.short_name,
                     "tasks_total": figures[c.id].tasks_total, "tasks_by_status": figures[c.id].tasks_by_status,
                     "progress_percent": figures[c.id].progress_percent} for c in committees],
        libraries=libraries,
        library_distribution=[{"band": band, "libraries": count} for band, count in progress_distribution(percents)],
        regions=regions,
        returns=returns_completeness(returns_year) if returns_year else None,
    )


def measure_adoption(task_ids: list[int]) -> dict[int, dict[str, int]]:
    """For each library-level measure: how many active member libraries stand at each status (one query)."""
    active = db.session.scalar(sa.select(sa.func.count(MemberLibrary.id)).where(
        MemberLibrary.membership_status == MembershipStatus.ACTIVE)) or 0
    counts = {task_id: {status.value: 0 for status in MeasureStatus} for task_id in task_ids}
    rows = db.session.execute(
        sa.select(LibraryProgress.task_id, LibraryProgress.status, sa.func.count())
        .join(MemberLibrary, LibraryProgress.library_id == MemberLibrary.id)
        .where(LibraryProgress.task_id.in_(task_ids), MemberLibrary.membership_status == MembershipStatus.ACTIVE)
        .group_by(LibraryProgress.task_id, LibraryProgress.status)
    )
    for task_id, status, count in rows:
        counts[task_id][MeasureStatus(status).value] = count
    for by_status in counts.values():
        recorded = sum(by_status.values()) - by_status[MeasureStatus.NOT_STARTED.value]
        by_status[MeasureStatus.NOT_STARTED.value] = active - recorded
    return counts
