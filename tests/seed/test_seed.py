"""`flask seed` loads the reference data once; a second run changes no row. `--demo` adds users and progress."""

import sqlalchemy as sa

from association.audit.models import AuditEvent
from association.committees.models import Committee
from association.extensions import db
from association.libraries.models import LibraryProgress, MemberLibrary, Region
from association.programme.models import Association, Direction, Programme
from association.returns.models import AnnualReturn, FormField, FormRule, ReturnForm
from association.roadmap.models import RoadmapTask, TaskHistory, TaskStatus
from association.users.models import Role, User

SEEDED_MODELS = (Association, Committee, Programme, Direction, RoadmapTask, Region, MemberLibrary, ReturnForm,
                 FormField, FormRule)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every reference table, as plain tuples."""
    rows = {}
    for model in SEEDED_MODELS:
        table = model.__table__
        rows[table.name] = [tuple(row) for row in db.session.execute(sa.select(table).order_by(*table.primary_key))]
    return rows


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_reference_data_is_loaded(ctx):
    assert count(Association) == 1
    assert sorted(db.session.scalars(sa.select(Committee.code))) == ["AUT", "EDU", "LIT", "OPN", "REG", "RES"]
    assert count(RoadmapTask) == 35
    assert count(Direction) == 5
    assert count(Region) == 20
    assert count(MemberLibrary) >= 25
    assert sorted(db.session.scalars(sa.select(ReturnForm.year))) == [2022, 2023, 2024, 2025]
    assert db.session.scalar(sa.select(sa.func.count(FormField.id)).join(ReturnForm).where(ReturnForm.year == 2024)) == 53
    assert db.session.scalar(sa.select(sa.func.count(FormRule.id)).join(ReturnForm).where(ReturnForm.year == 2024)) == 16
    library_level = db.session.scalars(sa.select(RoadmapTask.code).where(RoadmapTask.library_level)).all()
    assert sorted(library_level) == sorted(["1.5", "2.5", "3.4", "3.6", "4.3", "4.5", "5.6", "5.7", "5.10", "5.11"])


def test_tasks_are_planned_with_no_progress_and_no_returns_exist(ctx):
    statuses = set(db.session.scalars(sa.select(RoadmapTask.status)))
    assert statuses == {TaskStatus.PLANNED}
    assert set(db.session.scalars(sa.select(RoadmapTask.progress_percent))) == {0}
    assert count(AnnualReturn) == 0
    assert count(TaskHistory) == 0


def test_texts_keep_kazakh_and_russian_letters_and_codes_stay_strings(ctx):
    task = db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.code == "5.10")).one()
    assert task.code == "5.10"
    nu = db.session.scalars(sa.select(MemberLibrary).where(MemberLibrary.code == "NU")).one()
    assert nu.name_kk == "Назарбаев Университетінің кітапханасы"
    assert nu.name_ru == "Библиотека Назарбаев Университета"
    form_2022 = db.session.scalars(sa.select(ReturnForm).where(ReturnForm.year == 2022)).one()
    assert (form_2022.opens_on.isoformat(), form_2022.due_on.isoformat()) == ("2023-01-01", "2023-02-15")


def test_second_seed_changes_nothing(app):
    runner = app.test_cli_runner()
    with app.app_context():
        before = snapshot()
        audit_before = count(AuditEvent)
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.output
    with app.app_context():
        assert snapshot() == before
        assert count(AuditEvent) == audit_before


def test_seed_demo_adds_users_of_every_role_and_sample_progress_once(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    assert "admin@example.org" in result.output
    with app.app_context():
        users = db.session.scalars(sa.select(User)).all()
        roles = {role for user in users for role in user.role_names}
        assert roles == {role.value for role in Role}
        assert count(TaskHistory) > 0
        assert count(LibraryProgress) > 0
        in_progress = db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.status != TaskStatus.PLANNED)).all()
        assert in_progress
        users_before = len(users)
        history_before = count(TaskHistory)

    again = runner.invoke(args=["seed", "--demo"])
    assert again.exit_code == 0, again.output
    assert "already exist" in again.output
    with app.app_context():
        assert count(User) == users_before
        assert count(TaskHistory) == history_before


def test_printed_demo_login_works(app, client):
    result = app.test_cli_runner().invoke(args=["seed", "--demo"])
    line = next(line for line in result.output.splitlines() if "coordinator@example.org" in line)
    email, password = line.split()[:2]
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 201
