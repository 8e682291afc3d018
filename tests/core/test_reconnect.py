"""No `pool_pre_ping` (a `SELECT 1` round trip before every request's first statement): a connection the database
dropped while it sat in the pool shows itself on its first statement instead. The engine then invalidates it with
the rest of the pool, so the next checkout reconnects; a signed-in request, whose first statement is the identity
generation, retries it on a new connection and does not fail; any other request fails at most once per process.

On PostgreSQL every backend of the database is terminated (`pg_terminate_backend`, what a restart does to them);
SQLite has no server, so the pooled connection is closed under the pool, which is what it then hands out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event

from association import create_app
from association.extensions import db
from association.users import operations
from association.users.models import Role
from tests.conftest import api_token, empty_database
from tests.factories import PASSWORD


@pytest.fixture
def application(tmp_path) -> Iterator[Flask]:
    with empty_database(tmp_path, "reconnect") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.create_all()
            operations.create_user("someone@example.org", "Someone", PASSWORD, [Role.OBSERVER])
            db.session.commit()
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def drop_the_pooled_connections(app: Flask) -> None:
    """What a database restart does to the connections idle in the pool."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        # Autocommit: pg_stat_activity is read once per transaction.
        admin_engine = sa.create_engine(engine.url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as admin:
            database = engine.url.database
            admin.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                  " WHERE datname = :name AND pid <> pg_backend_pid() AND backend_type = 'client backend'"),
                          {"name": database})
            for _ in range(100):  # termination is asynchronous
                left = admin.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name"
                                             " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"),
                                     {"name": database}).scalar()
                if not left:
                    break
                admin.execute(sa.text("SELECT pg_sleep(0.02)"))
            assert not left
    else:
        def close_underneath(dbapi_connection, _record, _proxy) -> None:
            dbapi_connection.close()

        event.listen(engine, "checkout", close_underneath, once=True)


def test_no_request_pings_the_database_first(application, monkeypatch):
    client = application.test_client()
    headers = api_token(client, "someone@example.org", PASSWORD)
    with application.app_context():
        dialect = db.engine.dialect
    pings = []
    original = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda connection: pings.append(1) or original(connection))
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert pings == []


def test_a_signed_in_request_survives_a_dropped_connection(application):
    client = application.test_client()
    headers = api_token(client, "someone@example.org", PASSWORD)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    drop_the_pooled_connections(application)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_any_other_request_fails_at_most_once(application):
    client = application.test_client()
    assert client.get("/healthz").status_code == 200
    drop_the_pooled_connections(application)
    answers = [client.get("/healthz").status_code for _ in range(4)]
    assert answers[1:] == [200, 200, 200] and answers[0] in (200, 503), answers
