"""The Alembic migrations build the schema from nothing, go back to nothing, and agree with the models."""

from __future__ import annotations

from collections.abc import Iterator

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from association import PROJECT_ROOT, create_app
from association.extensions import db
from migrations.env_helpers import render_item
from tests.conftest import empty_database

MIGRATIONS = str(PROJECT_ROOT / "migrations")


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    with empty_database(tmp_path, "assoc_migrations") as url:
        yield url


def table_names(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def schema_differences(engine: sa.Engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_item": render_item})
        return compare_metadata(context, db.metadata)


def test_upgrade_downgrade_upgrade_and_models_agree(empty_database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        engine = db.engine
        assert table_names(engine) == set()

        flask_migrate.upgrade(directory=MIGRATIONS)
        assert table_names(engine) == set(db.metadata.tables)
        assert schema_differences(engine) == []

        flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
        assert table_names(engine) == set()

        flask_migrate.upgrade(directory=MIGRATIONS)
        assert table_names(engine) == set(db.metadata.tables)
        assert schema_differences(engine) == []
        engine.dispose()


def test_audit_log_is_append_only_in_the_database(empty_database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO audit_events (at, action, detail) VALUES (CURRENT_TIMESTAMP, 'login', '')"
            ))
        for statement in ("UPDATE audit_events SET action = 'changed'", "DELETE FROM audit_events"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                with db.engine.begin() as connection:
                    connection.execute(sa.text(statement))
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT action FROM audit_events")).scalars().all() == ["login"]
        db.engine.dispose()
