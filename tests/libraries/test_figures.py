"""The programme figures, checked against values computed by hand on a small fixture."""

from datetime import UTC, date, datetime

import sqlalchemy as sa

from association.extensions import db
from association.libraries.models import LibraryProgress, MeasureStatus, MemberLibrary, Region
from association.progress.queries import programme_summary
from association.returns.models import AnnualReturn, ReturnForm, ReturnStatus
from association.roadmap.models import RoadmapTask, TaskStatus
from association.users.models import Role
from tests.conftest import api_token
from tests.factories import make_user


def ids(model, codes):
    return dict(db.session.execute(sa.select(model.code, model.id).where(model.code.in_(codes))).all())


def build_fixture():
    """2 tasks done and 1 cancelled of 35; NU 2 done of 9 applicable; ENU 1 done of 10; 3 returns for 2024."""
    tasks = {t.code: t for t in db.session.scalars(sa.select(RoadmapTask))}
    tasks["1.1"].status = TaskStatus.DONE
    tasks["1.2"].status = TaskStatus.DONE
    tasks["1.3"].status = TaskStatus.CANCELLED
    tasks["2.1"].status = TaskStatus.IN_PROGRESS
    libraries = ids(MemberLibrary, ["NU", "ENU", "KAZNU"])
    rows = [("NU", "1.5", MeasureStatus.DONE), ("NU", "2.5", MeasureStatus.DONE),
            ("NU", "3.4", MeasureStatus.NOT_APPLICABLE), ("NU", "3.6", MeasureStatus.IN_PROGRESS),
            ("ENU", "1.5", MeasureStatus.DONE)]
    for library, task, status in rows:
        db.session.add(LibraryProgress(library_id=libraries[library], task_id=tasks[task].id, status=status))
    form = db.session.scalars(sa.select(ReturnForm).where(ReturnForm.year == 2024)).one()
    on_time = datetime(2025, 2, 10, 9, 0, tzinfo=UTC)
    late = datetime(2025, 2, 20, 9, 0, tzinfo=UTC)
    db.session.add_all([
        AnnualReturn(library_id=libraries["NU"], year=2024, form_id=form.id, status=ReturnStatus.SUBMITTED,
                     submitted_at=on_time, first_submitted_at=on_time),
        AnnualReturn(library_id=libraries["ENU"], year=2024, form_id=form.id, status=ReturnStatus.ACCEPTED,
                     submitted_at=late, first_submitted_at=late, accepted_at=late),
        AnnualReturn(library_id=libraries["KAZNU"], year=2024, form_id=form.id, status=ReturnStatus.DRAFT),
    ])
    db.session.flush()


def test_programme_figures_match_hand_computed_values(ctx):
    build_fixture()
    summary = programme_summary(today=date(2025, 3, 1))  # the current reporting year then was 2024
    assert summary.tasks["by_status"] == {"planned": 31, "in_progress": 1, "blocked": 0, "done": 2, "cancelled": 1}
    assert summary.tasks["progress_percent"] == round(100 * 2 / 34)  # 6
    reg = next(c for c in summary.committees if c["code"] == "REG")
    assert reg["progress_percent"] == round(100 * 2 / 5)  # 40
    libraries = {row["code"]: row["overall_percent"] for row in summary.libraries}
    assert libraries["NU"] == round(100 * 2 / 9)  # 22
    assert libraries["ENU"] == 10
    assert libraries["KAZNU"] == 0
    bands = {row["band"]: row["libraries"] for row in summary.library_distribution}
    assert bands["0–24 %"] == 28 and sum(bands.values()) == 28
    astana = db.session.scalar(sa.select(sa.func.count(MemberLibrary.id)).join(Region).where(Region.code == "AST"))
    ast = next(r for r in summary.regions if r["code"] == "AST")
    assert ast["libraries"] == astana
    assert ast["progress_percent"] == round(100 * 3 / (10 * astana - 1))
    returns = summary.returns
    assert (returns.year, returns.expected, returns.submitted, returns.accepted, returns.on_time) == (2024, 28, 2, 1, 1)
    statuses = {item["library"]: item["status"] for item in returns.items}
    assert (statuses["NU"], statuses["ENU"], statuses["KAZNU"], statuses["SATBAYEV"]) == (
        "submitted", "accepted", "draft", "not_started")


def test_year_filter_counts_only_that_years_tasks(ctx):
    build_fixture()
    summary = programme_summary(2022)
    assert summary.tasks["total"] == 6
    assert summary.tasks["by_status"]["done"] == 1  # 1.1 is planned for 2022; 1.2 for a later year
    assert summary.returns.year == 2022 and summary.returns.submitted == 0


def test_progress_endpoint_gives_the_same_figures(app, client):
    with app.app_context():
        build_fixture()
        db.session.commit()
        expected = programme_summary(2024)
        expected_libraries = {row["code"]: row["overall_percent"] for row in expected.libraries}
    account = make_user(app, Role.OBSERVER)
    body = client.get("/api/v1/progress?year=2024", headers=api_token(client, account.email, account.password)).get_json()
    assert body["tasks"]["progress_percent"] == expected.tasks["progress_percent"]
    assert {row["code"]: row["overall_percent"] for row in body["libraries"]} == expected_libraries
    assert body["returns"]["on_time"] == 1
    assert client.get("/api/v1/progress?year=1800", headers=api_token(client, account.email, account.password)).status_code == 422


def test_measure_adoption_counts_every_active_library(ctx):
    from association.progress.queries import measure_adoption

    build_fixture()
    task_ids = dict(db.session.execute(sa.select(RoadmapTask.code, RoadmapTask.id).where(
        RoadmapTask.code.in_(["1.5", "3.4"]))).all())
    adoption = measure_adoption(list(task_ids.values()))
    assert adoption[task_ids["1.5"]] == {"not_started": 26, "in_progress": 0, "done": 2, "not_applicable": 0}
    assert adoption[task_ids["3.4"]] == {"not_started": 27, "in_progress": 0, "done": 0, "not_applicable": 1}
