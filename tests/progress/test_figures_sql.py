"""The programme figures, aggregated in SQL (association.progress.queries), agree with the same figures counted
the plain way in Python from every row, on varied data: two programmes, cancelled tasks and measures,
not-applicable measures, overdue tasks, an inactive library, returns in every state, late and on time."""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from association.extensions import db
from association.libraries.models import LibraryProgress, MeasureStatus, MemberLibrary, MembershipStatus, Region
from association.programme.models import Programme, ProgrammeStatus
from association.progress.queries import PROGRESS_BUCKETS, compute_programme_summary, returns_completeness
from association.returns.lateness import end_of_day
from association.returns.models import AnnualReturn, ReturnForm, ReturnStatus
from association.roadmap.models import RoadmapTask, TaskStatus
from association.seed.synthetic import make_synthetic

TODAY = date(2024, 7, 1)


def ratio(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def varied_data() -> tuple[int, int]:
    """Synthetic data at 2× (random task and measure statuses), then a second programme holding a third of the
    synthetic tasks, cancelled measures in both, an inactive library and returns in every state."""
    make_synthetic(2, seed=17)
    first = db.session.scalars(sa.select(Programme).order_by(Programme.id)).first()
    second = Programme(code="NEXT", titles={"en": "Next"}, roadmap_titles={"en": "Next"}, start_year=2025,
                       end_year=2027, status=ProgrammeStatus.DRAFT)
    db.session.add(second)
    db.session.flush()
    synthetic = db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.code.like("SYN-%"))
                                   .order_by(RoadmapTask.id)).all()
    for index, task in enumerate(synthetic):
        if index % 3 == 0:
            task.programme_id = second.id
        if index % 7 == 0:
            task.library_level = True  # more measures, in both programmes
    measures = [t for t in synthetic if t.library_level]
    measures[0].status = TaskStatus.CANCELLED
    measures[1].status = TaskStatus.CANCELLED
    libraries = db.session.scalars(sa.select(MemberLibrary).order_by(MemberLibrary.code)).all()
    libraries[3].membership_status = MembershipStatus.SUSPENDED
    for library in libraries[:40]:  # progress on the new measures too, all four statuses
        for offset, measure in enumerate(measures):
            if not db.session.scalar(sa.select(LibraryProgress.id).where(
                    LibraryProgress.library_id == library.id, LibraryProgress.task_id == measure.id)):
                db.session.add(LibraryProgress(library_id=library.id, task_id=measure.id, note="",
                                               status=list(MeasureStatus)[(library.id + offset) % 4]))
    returns = db.session.scalars(sa.select(AnnualReturn).order_by(AnnualReturn.id)).all()
    form_due = {form.id: form.due_on for form in db.session.scalars(sa.select(ReturnForm))}
    for index, annual_return in enumerate(returns):
        state = index % 5
        if state == 1:
            annual_return.status = ReturnStatus.SUBMITTED
        elif state == 2:
            annual_return.status = ReturnStatus.DRAFT
        elif state == 3:  # late: first submitted two days after the due date
            annual_return.first_submitted_at = (datetime.combine(form_due[annual_return.form_id], datetime.min.time(),
                                                                 tzinfo=UTC) + timedelta(days=2))
        elif state == 4:
            db.session.delete(annual_return)  # not started
    db.session.flush()
    return first.id, second.id


def plain_summary(programme_id: int, year: int | None) -> dict:
    """Every figure from every row, counted one by one in Python."""
    tasks = [t for t in db.session.scalars(sa.select(RoadmapTask)).all() if t.programme_id == programme_id
             and (year is None or t.planned_year == year)]
    by_status = {s.value: sum(1 for t in tasks if t.status == s) for s in TaskStatus}
    counted = len(tasks) - by_status["cancelled"]
    measures = {t.id for t in db.session.scalars(sa.select(RoadmapTask)).all() if t.programme_id == programme_id
                and t.library_level and t.status != TaskStatus.CANCELLED}
    progress = db.session.scalars(sa.select(LibraryProgress)).all()
    regions = {r.id: r for r in db.session.scalars(sa.select(Region)).all()}
    active = sorted((lib for lib in db.session.scalars(sa.select(MemberLibrary)).all()
                     if lib.membership_status == MembershipStatus.ACTIVE), key=lambda lib: lib.code)
    done, excluded = {}, {}
    for row in progress:
        if row.task_id in measures:
            if row.status == MeasureStatus.DONE:
                done[row.library_id] = done.get(row.library_id, 0) + 1
            elif row.status == MeasureStatus.NOT_APPLICABLE:
                excluded[row.library_id] = excluded.get(row.library_id, 0) + 1
    applicable = {lib.id: len(measures) - excluded.get(lib.id, 0) for lib in active}
    percents = {lib.id: ratio(done.get(lib.id, 0), applicable[lib.id]) for lib in active}
    pooled: dict[int, list[int]] = {}
    for lib in active:
        sums = pooled.setdefault(lib.region_id, [0, 0, 0])
        sums[0] += 1
        sums[1] += done.get(lib.id, 0)
        sums[2] += applicable[lib.id]
    ordered_regions = sorted(pooled, key=lambda rid: (regions[rid].position, rid))
    return {
        "by_status": by_status, "total": len(tasks), "progress_percent": ratio(by_status["done"], counted),
        "overdue": sum(1 for t in tasks if t.is_overdue(TODAY)),
        "libraries": [(lib.code, lib.name, regions[lib.region_id].code, percents[lib.id]) for lib in active],
        "distribution": [sum(1 for p in percents.values() if low <= p <= high) for low, high in PROGRESS_BUCKETS],
        "regions": [(regions[rid].code, regions[rid].name, pooled[rid][0],
                     ratio(pooled[rid][1], pooled[rid][2])) for rid in ordered_regions],
    }


def plain_completeness(year: int) -> tuple:
    form = max((f for f in db.session.scalars(sa.select(ReturnForm)).all() if f.year == year),
               key=lambda f: f.revision)
    returns = {r.library_id: r for r in db.session.scalars(sa.select(AnnualReturn)).all() if r.year == year}
    active = sorted((lib for lib in db.session.scalars(sa.select(MemberLibrary)).all()
                     if lib.membership_status == MembershipStatus.ACTIVE), key=lambda lib: lib.code)
    sent = [returns[lib.id] for lib in active if lib.id in returns
            and returns[lib.id].status in (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED)]
    items = [(lib.code, returns[lib.id].status.value if lib.id in returns else "not_started",
              returns[lib.id].submitted_at if lib.id in returns else None) for lib in active]
    on_time = sum(1 for r in sent if r.first_submitted_at is not None
                  and r.first_submitted_at <= end_of_day(form.due_on))
    return (len(active), len(sent), sum(1 for r in sent if r.status == ReturnStatus.ACCEPTED), on_time, items)


def test_the_sql_figures_equal_a_plain_count_of_every_row(app, ctx):
    programmes = varied_data()
    with app.test_request_context():
        for programme_id in programmes:
            for year in (None, 2024, 2025):
                summary = compute_programme_summary(year, TODAY, programme_id)
                plain = plain_summary(programme_id, year)
                shown = {s: summary.tasks["by_status"].get(s, 0) for s in plain["by_status"]}
                assert shown == plain["by_status"]
                assert summary.tasks["total"] == plain["total"]
                assert summary.tasks["progress_percent"] == plain["progress_percent"]
                assert summary.tasks["overdue"] == plain["overdue"]
                assert [(x["code"], x["name"], x["region"], x["overall_percent"]) for x in summary.libraries] == \
                    plain["libraries"]
                assert [band["libraries"] for band in summary.library_distribution] == plain["distribution"]
                assert [(r["code"], r["name"], r["libraries"], r["progress_percent"]) for r in summary.regions] == \
                    plain["regions"]
        # the data is varied: every kind of figure is non-trivial somewhere
        plain = plain_summary(programmes[1], None)
        assert plain["by_status"]["cancelled"] and plain["overdue"] and len(set(plain["distribution"])) > 1
        for year in sorted({f.year for f in db.session.scalars(sa.select(ReturnForm))}):
            completeness = returns_completeness(year)
            expected, submitted, accepted, on_time, items = plain_completeness(year)
            assert (completeness.expected, completeness.submitted, completeness.accepted, completeness.on_time) == \
                (expected, submitted, accepted, on_time)
            assert [(i["library"], i["status"], i["submitted_at"]) for i in completeness.items] == items
        assert any(0 < c.on_time < c.submitted for c in (returns_completeness(y) for y in (2022, 2023, 2024)))
