"""Migration 0011 upgrades a database holding users and tokens: they are kept, and the identity generation starts
with its one row, which the application then renews on a change to a user."""

from __future__ import annotations

import flask_migrate
import sqlalchemy as sa

from association import create_app
from association.auth.identity import current_generation
from association.extensions import db
from association.users.models import User
from tests.migrations.test_migrations import MIGRATIONS, empty_database_url  # noqa: F401  (the fixture)


def test_upgrade_keeps_users_and_tokens_and_adds_the_generation_row(empty_database_url):  # noqa: F811
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS, revision="0010")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO users (email, name, password_hash, is_active_account, session_generation, created_at,"
                " updated_at, version) VALUES ('kept@example.org', 'Kept', 'x', true, 2, CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP, 1)"))
            connection.execute(sa.text(
                "INSERT INTO api_tokens (user_id, token_hash, name, created_at, expires_at)"
                " SELECT id, 'h', 'kept', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM users"))
        flask_migrate.upgrade(directory=MIGRATIONS, revision="0011")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM identity_generation")).scalar() == 1
            assert connection.execute(sa.text("SELECT name FROM api_tokens")).scalar() == "kept"
        first = current_generation(db.session())
        assert first is not None
        user = db.session.scalars(sa.select(User)).one()
        user.name = "Renamed"
        db.session.commit()
        assert current_generation(db.session()) not in (None, first)
        db.session.remove()
        flask_migrate.downgrade(directory=MIGRATIONS, revision="0010")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT email FROM users")).scalar() == "kept@example.org"
            assert "identity_generation" not in sa.inspect(connection).get_table_names()
        db.engine.dispose()
