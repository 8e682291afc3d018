"""Migration 0007 (the mail outbox) upgrades a database holding data from its down revision, keeps the rows, and
the new tables take messages and opt-outs that refer to the existing users."""

from __future__ import annotations

import flask_migrate
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from association import create_app
from association.extensions import db
from tests.conftest import empty_database
from tests.migrations.test_migrations import MIGRATIONS


def test_upgrading_a_database_with_users_to_0007_keeps_them_and_adds_the_outbox(tmp_path):
    down_revision = ScriptDirectory(MIGRATIONS).get_revision("0007").down_revision
    with empty_database(tmp_path, "assoc_i15_mig") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            flask_migrate.upgrade(directory=MIGRATIONS, revision=down_revision)
            with db.engine.begin() as connection:
                connection.execute(sa.text(
                    "INSERT INTO users (email, name, password_hash, is_active_account, session_generation, created_at,"
                    " updated_at) VALUES ('rep@migration.test', 'Rep', 'x', true, 1, CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP)"))
            flask_migrate.upgrade(directory=MIGRATIONS, revision="0007")
            with db.engine.begin() as connection:
                user_id = connection.execute(sa.text("SELECT id FROM users WHERE email = 'rep@migration.test'")).scalar()
                assert user_id is not None
                connection.execute(sa.text(
                    "INSERT INTO mail_outbox (kind, recipient_id, to_address, locale, subject, body, status, attempts,"
                    " last_error, created_at) VALUES ('return_accepted', :user, 'rep@migration.test', 'kk', 's', 'b',"
                    " 'pending', 0, '', CURRENT_TIMESTAMP)"), {"user": user_id})
                connection.execute(sa.text("INSERT INTO mail_opt_outs (user_id, kind) VALUES (:user, 'return_accepted')"),
                                   {"user": user_id})
                assert connection.execute(sa.text("SELECT count(*) FROM mail_outbox")).scalar() == 1
            flask_migrate.downgrade(directory=MIGRATIONS, revision=down_revision)
            assert "mail_outbox" not in sa.inspect(db.engine).get_table_names()
            with db.engine.connect() as connection:
                assert connection.execute(sa.text("SELECT count(*) FROM users")).scalar() == 1
            db.engine.dispose()
