"""Migration 0008 moves a database of the one-programme schema (a programme, its directions and tasks, their history,
the libraries' progress on its measures and its history) into programmes-as-a-sequence without losing a row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from association import PROJECT_ROOT, create_app
from association.extensions import db
from tests.conftest import empty_database

MIGRATIONS = str(PROJECT_ROOT / "migrations")
REVISION = "0008"
NOW = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def down_revision() -> str:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return ScriptDirectory.from_config(config).get_revision(REVISION).down_revision


@pytest.fixture
def database_url(tmp_path) -> Iterator[str]:
    with empty_database(tmp_path, "assoc_i16_migration") as url:
        yield url


def rows_before() -> dict[str, list[dict]]:
    stamp = {"created_at": NOW, "updated_at": NOW}
    names = {"name_kk": "К", "name_ru": "Р", "name_en": "E"}
    task = {"direction_id": 1, "committee_id": 1, "title_kk": "а", "title_ru": "б", "title_en": "c",
            "descriptions": {}, "expected_results": {}, "indicators": {}, "planned_year": 2023, "version": 3,
            "target_value": None, "target_unit": None, **stamp}
    return {
        "committees": [{"id": 1, "code": "REG", "position": 1, "short_names": {}, "mandate": {}, "known": True,
                        **names, **stamp}],
        "programmes": [{"id": 1, "code": "MODERNIZATION", "titles": {"en": "Programme"}, "roadmap_titles": {},
                        "start_year": 2022, "end_year": 2024, **stamp}],
        "directions": [{"id": 1, "programme_id": 1, "number": 1, "titles": {"en": "Direction"}}],
        "roadmap_tasks": [
            {"id": 1, "code": "1.1", "due_date": date(2023, 3, 1), "status": "done", "progress_percent": 100,
             "library_level": False, **task},
            {"id": 2, "code": "1.2", "due_date": date(2023, 6, 1), "status": "in_progress", "progress_percent": 30,
             "library_level": True, **task, "target_value": "12.50", "target_unit": "libraries"},
            {"id": 3, "code": "1.10", "due_date": date(2023, 9, 1), "status": "cancelled", "progress_percent": 0,
             "library_level": False, **task},
        ],
        "task_history": [
            {"id": 1, "task_id": 1, "at": NOW, "from_status": "in_progress", "to_status": "done",
             "progress_percent": 100, "comment": "finished"},
            {"id": 2, "task_id": 2, "at": NOW, "from_status": "planned", "to_status": "in_progress",
             "progress_percent": 30, "comment": "started"},
        ],
        "regions": [{"id": 1, "code": "AST", "iso_3166_2": "KZ-71", "type": "city", "position": 1,
                     "admin_centres": {}, **names}],
        "member_libraries": [{"id": 1, "code": "NU", "university": "NU", "city": "Astana", "region_id": 1,
                              "type": "autonomous", "membership_status": "active", "version": 1, **names, **stamp}],
        "library_progress": [{"id": 1, "library_id": 1, "task_id": 2, "status": "done", "note": "ALS in 2023",
                              "evidence_url": "https://example.org/als", "updated_at": NOW, "version": 2}],
        "library_progress_history": [
            {"id": 1, "progress_id": 1, "at": NOW, "from_status": None, "to_status": "in_progress", "note": "",
             "confirmation": False},
            {"id": 2, "progress_id": 1, "at": NOW, "from_status": "in_progress", "to_status": "done",
             "note": "ALS in 2023", "confirmation": True},
        ],
    }


def test_an_existing_database_moves_into_the_new_model_without_loss(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS, revision=down_revision())
        before = rows_before()
        metadata = sa.MetaData()
        metadata.reflect(db.engine)
        with db.engine.begin() as connection:
            for table, rows in before.items():
                connection.execute(sa.insert(metadata.tables[table]), rows)

        flask_migrate.upgrade(directory=MIGRATIONS, revision=REVISION)

        after = sa.MetaData()
        after.reflect(db.engine)
        with db.engine.connect() as connection:
            for table, rows in before.items():
                stored = {row.id: row._mapping for row in connection.execute(sa.select(after.tables[table]))}
                assert set(stored) == {row["id"] for row in rows}, table
                for row in rows:
                    for column, value in row.items():
                        found = stored[row["id"]][column]
                        if isinstance(value, datetime):
                            found = found.replace(tzinfo=UTC) if found.tzinfo is None else found
                        if column == "target_value" and found is not None:
                            found = f"{found:.2f}"
                        assert found == value, (table, row["id"], column)
            programme = connection.execute(sa.select(after.tables["programmes"])).one()
            assert programme.status == "active" and programme.closed_at is None
            tasks = connection.execute(sa.select(after.tables["roadmap_tasks"]).order_by(sa.text("id"))).all()
            assert [(t.programme_id, t.carried_from_id) for t in tasks] == [(1, None)] * 3
            assert connection.execute(sa.select(sa.func.count()).select_from(after.tables["closeout_decisions"])
                                      ).scalar() == 0
        # Codes are now unique per programme: a second programme may number its tasks 1.1 again.
        with db.engine.begin() as connection:
            connection.execute(sa.insert(after.tables["programmes"]).values(
                id=2, code="NEXT", titles={}, roadmap_titles={}, start_year=2025, end_year=2027, status="draft",
                created_at=NOW, updated_at=NOW))
            connection.execute(sa.insert(after.tables["directions"]).values(id=2, programme_id=2, number=1, titles={}))
            connection.execute(sa.insert(after.tables["roadmap_tasks"]).values(
                {**before["roadmap_tasks"][0], "id": 4, "programme_id": 2, "direction_id": 2, "status": "planned"}))
        with pytest.raises(sa.exc.IntegrityError):  # … but not twice in one programme
            with db.engine.begin() as connection:
                connection.execute(sa.insert(after.tables["roadmap_tasks"]).values(
                    {**before["roadmap_tasks"][0], "id": 5, "programme_id": 2, "direction_id": 2}))
        with pytest.raises(sa.exc.IntegrityError):  # and one active programme at most
            with db.engine.begin() as connection:
                connection.execute(sa.update(after.tables["programmes"]).values(status="active"))
        db.engine.dispose()
