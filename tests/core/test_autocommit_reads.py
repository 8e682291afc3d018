"""A GET's reads run without a transaction on PostgreSQL (no BEGIN and ROLLBACK round trips), and its writes still
run in one: the first statement that writes or locks opens it, so a write a GET rolls back is gone entirely, and
the pool hands the next request a transactional connection. SQLite is left as it was: every request's statements
run in a transaction (its BEGIN costs no round trip)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask, jsonify

from association import create_app
from association.audit.models import AuditEvent
from association.core.database import is_plain_read
from association.core.permissions import PUBLIC, access
from association.extensions import db
from tests.conftest import empty_database


def _in_transaction() -> bool:
    """Whether the request's connection is inside a transaction on the server's side."""
    connection = db.session.connection()
    dbapi_connection = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        return dbapi_connection.info.transaction_status.name != "IDLE"
    return dbapi_connection.in_transaction


def _events(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


@pytest.fixture
def application(tmp_path) -> Iterator[Flask]:
    with empty_database(tmp_path, "autocommit") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.create_all()

        @access(PUBLIC.without_csrf())
        def read_state():
            db.session.execute(sa.text("SELECT 1"))
            return jsonify(in_transaction=_in_transaction())

        @access(PUBLIC)
        def lock_state():
            db.session.execute(sa.select(AuditEvent.id).with_for_update())
            return jsonify(in_transaction=_in_transaction())

        @access(PUBLIC)
        def streamed_read():
            rows = db.session.execute(sa.select(AuditEvent.id).execution_options(yield_per=10)).all()
            return jsonify(rows=len(rows))

        @access(PUBLIC)
        def write_then_undo():
            db.session.add(AuditEvent(action="undone.first"))
            db.session.flush()  # sent: in autocommit it would be committed here
            db.session.add(AuditEvent(action="undone.second"))
            db.session.flush()
            db.session.rollback()
            return jsonify(ok=True)

        @access(PUBLIC)
        def write_and_commit():
            db.session.add(AuditEvent(action="kept"))
            db.session.commit()
            return jsonify(ok=True)

        app.add_url_rule("/test/state", "test_state", read_state, methods=["GET", "POST"])
        app.add_url_rule("/test/lock", "test_lock", lock_state)
        app.add_url_rule("/test/stream", "test_stream", streamed_read)
        app.add_url_rule("/test/undo", "test_undo", write_then_undo)
        app.add_url_rule("/test/commit", "test_commit", write_and_commit)
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_a_get_reads_outside_a_transaction_on_postgresql_only(application):
    client = application.test_client()
    assert client.get("/test/state").get_json() == {"in_transaction": _dialect(application) == "sqlite"}
    assert client.head("/test/state").status_code == 200


def test_a_write_request_after_a_get_gets_a_transaction(application):
    client = application.test_client()
    client.get("/test/state")
    assert client.post("/test/state").get_json() == {"in_transaction": True}
    assert client.get("/test/state").get_json() == {"in_transaction": _dialect(application) == "sqlite"}


def _dialect(app: Flask) -> str:
    with app.app_context():
        return db.engine.dialect.name


def test_a_locking_read_in_a_get_opens_a_transaction(application):
    assert application.test_client().get("/test/lock").get_json() == {"in_transaction": True}


def test_a_streamed_read_in_a_get_works(application):
    """Exports stream their rows through a server-side cursor, which PostgreSQL opens only in a transaction."""
    assert application.test_client().get("/test/stream").get_json() == {"rows": 0}


def test_a_get_that_undoes_its_writes_leaves_nothing(application):
    client = application.test_client()
    assert client.get("/test/undo").status_code == 200
    with application.app_context():
        assert _events("undone.first") == 0
        assert _events("undone.second") == 0


def test_a_get_that_commits_its_write_keeps_it(application):
    assert application.test_client().get("/test/commit").status_code == 200
    with application.app_context():
        assert _events("kept") == 1


@pytest.mark.parametrize(("statement", "plain"), [
    ("SELECT 1", True),
    ("  select users.id FROM users", True),
    ("SELECT a FROM t FOR UPDATE", False),
    ("SELECT a FROM t\nFOR NO KEY UPDATE OF t", False),
    ("SELECT a FROM t FOR SHARE", False),
    ("SELECT a FROM t FOR KEY SHARE", False),
    ("SELECT a FROM t WHERE note = 'FORUPDATE'", True),
    ("INSERT INTO t VALUES (1)", False),
    ("UPDATE t SET a = 1", False),
    ("DELETE FROM t", False),
    ("SAVEPOINT sa_savepoint_1", False),
    ("WITH moved AS (DELETE FROM t RETURNING *) SELECT * FROM moved", False),
])
def test_which_statements_keep_autocommit(statement, plain):
    assert is_plain_read(statement) is plain
