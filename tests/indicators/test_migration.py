"""The indicators migration upgrades a database holding data, keeps the data, and goes back cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from association import PROJECT_ROOT, create_app
from association.extensions import db
from tests.conftest import empty_database

MIGRATIONS = str(PROJECT_ROOT / "migrations")
REVISION = "0009"
NOW = datetime(2025, 2, 1, tzinfo=UTC)


def down_revision() -> str:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    script = ScriptDirectory.from_config(config).get_revision(REVISION)
    assert script is not None and isinstance(script.down_revision, str)
    return script.down_revision


@pytest.fixture
def database_url(tmp_path) -> Iterator[str]:
    with empty_database(tmp_path, "assoc_i18_migration") as url:
        yield url


def test_upgrade_from_the_previous_revision_keeps_the_data(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS, revision=down_revision())
        engine = db.engine
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO regions (id, code, iso_3166_2, type, position, admin_centres, name_kk, name_ru, name_en)"
                " VALUES (1, 'AST', 'KZ-11', 'city', 1, '{}', 'Астана', 'Астана', 'Astana')"))
            connection.execute(sa.text(
                "INSERT INTO member_libraries (id, code, university, city, region_id, type, membership_status,"
                " version, name_kk, name_ru, name_en, created_at, updated_at) VALUES (1, 'NU', 'NU', 'Astana', 1,"
                " 'autonomous', 'active', 1, 'а', 'б', 'c', :now, :now)"), {"now": NOW})
            connection.execute(sa.text(
                "INSERT INTO users (id, email, name, password_hash, locale, is_active_account, session_generation,"
                " created_at, updated_at)"
                " VALUES (1, 'rep@example.org', 'Rep', 'x', 'en', true, 1, :now, :now)"), {"now": NOW})
        assert "indicators" not in sa.inspect(engine).get_table_names()

        flask_migrate.upgrade(directory=MIGRATIONS, revision=REVISION)
        with engine.begin() as connection:
            assert connection.execute(sa.text("SELECT code FROM member_libraries")).scalars().all() == ["NU"]
            assert connection.execute(sa.text("SELECT count(*) FROM indicators")).scalar() == 0
            connection.execute(sa.text(
                "INSERT INTO indicators (code, position, names, descriptions, units, numerator, denominator, factor,"
                " direction, standard, created_at, updated_at) VALUES ('loans_per_user', 1, '{}', '{}', '{}',"
                " 'loans_total', 'users_registered', 1, 'higher', 'ISO 11620', :now, :now)"), {"now": NOW})
            connection.execute(sa.text("INSERT INTO peer_groups (id, name, owner_id, shared, created_at)"
                                       " VALUES (1, 'Mine', 1, false, :now)"), {"now": NOW})
            connection.execute(sa.text("INSERT INTO peer_group_members (group_id, library_id) VALUES (1, 1)"))
            with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
                connection.execute(sa.text(
                    "INSERT INTO indicators (code, position, names, descriptions, units, numerator, factor,"
                    " direction, standard, created_at, updated_at) VALUES ('bad', 1, '{}', '{}', '{}', 'x', 1,"
                    " 'sideways', '', :now, :now)"), {"now": NOW})

        flask_migrate.downgrade(directory=MIGRATIONS, revision=down_revision())
        tables = set(sa.inspect(engine).get_table_names())
        assert {"indicators", "peer_groups", "peer_group_members"} & tables == set()
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT email FROM users")).scalars().all() == ["rep@example.org"]
        engine.dispose()
