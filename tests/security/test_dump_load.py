"""`flask data dump` of a seeded SQLite database, `flask data load` into PostgreSQL (or another SQLite database when
the suite runs on SQLite), and every row compared."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import flask_migrate
import pytest
import sqlalchemy as sa

from association import PROJECT_ROOT, create_app
from association.data.dump import tables
from association.extensions import db
from association.progress.cache import current_generation
from association.progress.queries import programme_summary
from tests.conftest import empty_database

MIGRATIONS = str(PROJECT_ROOT / "migrations")


@pytest.fixture
def target_url(tmp_path) -> Iterator[str]:
    with empty_database(tmp_path, "assoc_load") as url:
        yield url


def normalized(value):
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def every_row(app) -> dict[str, list[tuple]]:
    with app.app_context():
        with db.engine.connect() as connection:
            return {table.name: [tuple(normalized(v) for v in row) for row in connection.execute(
                sa.select(table).order_by(*table.primary_key.columns))] for table in tables()}


def test_dump_sqlite_load_elsewhere_every_row_equal(tmp_path, target_url, monkeypatch):
    monkeypatch.setenv("ASSOCIATION_INSTANCE_PATH", str(tmp_path))
    source = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'source.sqlite3'}")
    runner = source.test_cli_runner()
    with source.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
    assert runner.invoke(args=["seed", "--demo"]).exit_code == 0
    assert runner.invoke(args=["seed", "synthetic", "--scale", "1"]).exit_code == 0
    dump_file = tmp_path / "association.jsonl.gz"
    result = runner.invoke(args=["data", "dump", "--output", str(dump_file)])
    assert result.exit_code == 0, result.output

    target = create_app("testing", SQLALCHEMY_DATABASE_URI=target_url)
    with target.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        empty_figures = programme_summary()  # cached now, in this process
        generation = current_generation()
        db.session.remove()
    result = target.test_cli_runner().invoke(args=["data", "load", str(dump_file)])
    assert result.exit_code == 0, result.output
    with target.app_context():
        # the rows went in beside the session; the load itself made the cached figures stale
        assert current_generation() != generation
        assert len(programme_summary().libraries) > len(empty_figures.libraries)
    before, after = every_row(source), every_row(target)
    assert sum(len(rows) for rows in before.values()) > 2000
    for name in before:
        assert after[name] == before[name], name

    # the loaded database goes on working: new rows get new ids
    client = target.test_client()
    email, password = (tmp_path / "demo-logins.txt").read_text().splitlines()[1].split("\t")[:2]
    assert client.post("/api/v1/auth/token", json={"email": email, "password": password}).status_code == 201

    again = target.test_cli_runner().invoke(args=["data", "load", str(dump_file)])
    assert again.exit_code != 0 and "not empty" in again.output
    for engine_app in (source, target):
        with engine_app.app_context():
            db.engine.dispose()


def test_foreign_files_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSOCIATION_INSTANCE_PATH", str(tmp_path))
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text('{"kind": "something-else"}\n')
    result = app.test_cli_runner().invoke(args=["data", "load", str(foreign)])
    assert result.exit_code != 0 and "not a dump" in result.output
    with app.app_context():
        db.engine.dispose()
