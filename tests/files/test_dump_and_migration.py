"""The dump carries the stored files, so a move to another database and storage folder keeps them; migration 0010
upgrades a database holding data."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from association import PROJECT_ROOT, create_app
from association.extensions import db
from association.files import storage
from association.files.models import OwnerType, StoredFile
from association.files.operations import store_file
from association.roadmap.models import RoadmapTask
from association.seed.reference import load_reference_data
from association.users.models import Role, User
from association.users.operations import create_user
from tests.conftest import empty_database
from tests.samples import DOCX, PDF

MIGRATIONS = str(PROJECT_ROOT / "migrations")


@pytest.fixture
def target_url(tmp_path) -> Iterator[str]:
    with empty_database(tmp_path, "assoc_i19_files") as url:
        yield url


def test_dump_and_load_keep_the_files_with_their_metadata(tmp_path, target_url, monkeypatch):
    monkeypatch.setenv("ASSOCIATION_INSTANCE_PATH", str(tmp_path))
    source = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'source.sqlite3'}",
                        FILE_STORAGE_PATH=str(tmp_path / "source-files"))
    with source.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        load_reference_data()
        user = create_user("files@example.org", "Files", "tulip steppe archive 42", [Role.COORDINATOR])
        task = db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.code == "1.2")).one()
        big = PDF + bytes(range(256)) * 9000  # more than one chunk of the dump
        store_file(user, OwnerType.TASK, task, "order.pdf", big)
        store_file(user, OwnerType.TASK, task, "regulation.docx", DOCX)
        db.session.commit()
        expected = {row.name: row.sha256 for row in db.session.scalars(sa.select(StoredFile))}
    dump_file = tmp_path / "association.jsonl.gz"
    assert source.test_cli_runner().invoke(args=["data", "dump", "--output", str(dump_file)]).exit_code == 0

    target = create_app("testing", SQLALCHEMY_DATABASE_URI=target_url, FILE_STORAGE_PATH=str(tmp_path / "moved"))
    with target.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        db.session.remove()
    result = target.test_cli_runner().invoke(args=["data", "load", str(dump_file)])
    assert result.exit_code == 0, result.output
    with target.app_context():
        loaded = db.session.scalars(sa.select(StoredFile)).all()
        assert {row.name: row.sha256 for row in loaded} == expected
        for row in loaded:
            data = storage.path_for(row.storage_key).read_bytes()
            assert hashlib.sha256(data).hexdigest() == row.sha256 and len(data) == row.size
        assert target.test_cli_runner().invoke(args=["files", "check"]).exit_code == 0
        db.engine.dispose()
    with source.app_context():
        db.engine.dispose()


def test_migration_0010_upgrades_a_database_holding_data(tmp_path, target_url, monkeypatch):
    monkeypatch.setenv("ASSOCIATION_INSTANCE_PATH", str(tmp_path))
    down = ScriptDirectory(MIGRATIONS).get_revision("0010").down_revision
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=target_url)
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS, revision=str(down))
        load_reference_data()
        db.session.commit()
        tasks_before = db.session.scalar(sa.text("SELECT count(*) FROM roadmap_tasks"))
        db.session.remove()
        flask_migrate.upgrade(directory=MIGRATIONS, revision="0010")
        assert db.session.scalar(sa.text("SELECT count(*) FROM roadmap_tasks")) == tasks_before == 35
        assert db.session.scalar(sa.text("SELECT count(*) FROM stored_files")) == 0
        user = db.session.scalars(sa.select(User)).first()
        assert user is None or user.id  # the users table is untouched
        db.session.remove()
        db.engine.dispose()
