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
from association.returns.lateness import on_time as returns_on_time
from association.returns.models import AnnualReturn, ReturnForm, ReturnStatus
from association.roadmap.models import RoadmapTask, TaskStatus
from association.roadmap.queries import overdue_clause

PROGRESS_BUCKETS = ((0, 24), (25, 49), (50, 74), (75, 99), (100, 100))


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
    """Done and applicable measures per library (two queries, whatever the number of libraries). PostgreSQL counts
    both in one pass (a row per library, two integers), so no status is loaded into Python."""
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
    counted = {library_id: (done, not_applicable) for library_id, done, not_applicable in db.session.execute(query)}
    ids = library_ids if library_ids is not None else list(counted)
    return {i: LibraryFigures(counted.get(i, (0, 0))[0], len(measures) - counted.get(i, (0, 0))[1]) for i in ids}


def overall_percents(library_ids: list[int], programme_id: int | None = None) -> dict[int, int]:
    """Each library's overall progress, from every library's figures cached together (see
    association.progress.cache): the library list then costs no progress query at all."""
    from association.progress.cache import remember

    everyone = remember(("overall_percents", programme_id), lambda: {
        library_id: figures.overall_percent
        for library_id, figures in library_figures(programme_id=programme_id).items()})
    return {library_id: everyone.get(library_id, 0) for library_id in library_ids}  # nothing done or excluded: 0


@dataclass(frozen=True)
class RegionFigures:
    code: str
    names: dict[str, str]
    libraries: int
    done: int
    applicable: int

    @property
    def progress_percent(self) -> int:
        return percent(self.done, self.applicable)


def region_figures(figures: dict[int, LibraryFigures] | None = None) -> list[RegionFigures]:
    """Progress per region, pooled over its active member libraries (regions without members left out).
    `figures`: the libraries' figures when the caller has them already (they are not computed twice)."""
    rows = db.session.execute(_active_libraries_with_regions()).all()
    if figures is None:
        figures = library_figures([row.id for row in rows])
    return _pooled_by_region(rows, figures)


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


def _pooled_by_region(rows: Sequence[sa.Row], figures: dict[int, LibraryFigures]) -> list[RegionFigures]:
    """The libraries' figures summed per region, regions in their position order."""
    pooled: dict[int, list[int]] = {}  # region id → [libraries, done, applicable]
    first: dict[int, sa.Row] = {}
    for row in rows:
        library = figures[row.id]
        sums = pooled.get(row.region_id)
        if sums is None:
            pooled[row.region_id] = sums = [0, 0, 0]
            first[row.region_id] = row
        sums[0] += 1
        sums[1] += library.done
        sums[2] += library.applicable
    ordered = sorted(first.values(), key=lambda row: (row.region_position, row.region_id))
    return [RegionFigures(row.region_code, {"kk": row.region_kk, "ru": row.region_ru, "en": row.region_en},
                          *pooled[row.region_id]) for row in ordered]


def progress_distribution(percents: list[int]) -> list[tuple[str, int]]:
    """How many libraries fall in each progress band (0–24 %, 25–49 %, …, 100 %)."""
    bands = []
    for low, high in PROGRESS_BUCKETS:
        label = f"{low}–{high} %" if low != high else f"{low} %"
        bands.append((label, sum(1 for value in percents if low <= value <= high)))
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
    rows = db.session.execute(
        # The status as stored (a string), not as an enum: 3,600 libraries at 30× would build 3,600 members.
        sa.select(MemberLibrary.code, sa.type_coerce(AnnualReturn.status, sa.String), AnnualReturn.submitted_at,
                  AnnualReturn.first_submitted_at)
        .outerjoin(AnnualReturn, sa.and_(AnnualReturn.library_id == MemberLibrary.id, AnnualReturn.year == year))
        .where(MemberLibrary.membership_status == MembershipStatus.ACTIVE)
        .order_by(MemberLibrary.code)
    ).all()
    submitted_states = {ReturnStatus.SUBMITTED.value, ReturnStatus.ACCEPTED.value}
    accepted_state = ReturnStatus.ACCEPTED.value
    items, submitted, accepted, on_time = [], 0, 0, 0
    for code, status, submitted_at, first_submitted_at in rows:
        if status in submitted_states:
            submitted += 1
            if status == accepted_state:
                accepted += 1
            if form is not None and returns_on_time(first_submitted_at, form.due_on):
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
    libraries = db.session.execute(_active_libraries_with_regions()).all()
    figures_by_library = library_figures(programme_id=programme_id)  # every library at once: no IN list
    untouched = LibraryFigures(0, len(measure_ids(programme_id)))  # a library with nothing done and nothing excluded
    everyone = {row.id: figures_by_library.get(row.id, untouched) for row in libraries}
    percents = {library_id: figures.overall_percent for library_id, figures in everyone.items()}
    language = current_language()
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
        libraries=[{"code": row.code,
                    "name": localized({"kk": row.name_kk, "ru": row.name_ru, "en": row.name_en}, language),
                    "region": row.region_code, "overall_percent": percents[row.id]} for row in libraries],
        library_distribution=[{"band": band, "libraries": count}
                              for band, count in progress_distribution(list(percents.values()))],
        regions=[{"code": r.code, "name": localized(r.names, language), "libraries": r.libraries,
                  "progress_percent": r.progress_percent} for r in _pooled_by_region(libraries, everyone)],
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
