"""Migration 0006 upgrades a database holding users: they keep their rows and get version 1; the new tables
(sessions, failed attempts, reset links) start empty and take rows."""

from __future__ import annotations

import flask_migrate
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from association import create_app
from association.extensions import db
from tests.migrations.test_migrations import MIGRATIONS, empty_database_url  # noqa: F401  (the fixture)

REVISION = "0006"


def down_revision() -> str:
    script = ScriptDirectory(MIGRATIONS)
    return str(script.get_revision(REVISION).down_revision)


def test_upgrade_keeps_users_and_adds_the_new_tables(empty_database_url):  # noqa: F811
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS, revision=down_revision())
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO users (email, name, password_hash, is_active_account, session_generation, created_at,"
                " updated_at) VALUES ('kept@example.org', 'Kept', 'x', true, 3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ))
        flask_migrate.upgrade(directory=MIGRATIONS, revision=REVISION)
        with db.engine.begin() as connection:
            row = connection.execute(sa.text(
                "SELECT id, email, session_generation, version FROM users")).one()
            assert (row.email, row.session_generation, row.version) == ("kept@example.org", 3, 1)
            for table in ("user_sessions", "login_failures", "password_reset_tokens"):
                assert connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 0
            connection.execute(sa.text(
                "INSERT INTO user_sessions (user_id, key_hash, created_at, last_seen_at, user_agent)"
                " VALUES (:id, 'h', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '')"), {"id": row.id})
        flask_migrate.downgrade(directory=MIGRATIONS, revision=down_revision())
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT email FROM users")).scalar() == "kept@example.org"
        db.engine.dispose()
