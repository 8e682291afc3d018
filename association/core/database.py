"""Engine set-up: SQLite in the instance folder by default (WAL, foreign keys on); PostgreSQL by DATABASE_URL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, has_request_context, request
from sqlalchemy import event


def default_sqlite_uri(instance_path: str) -> str:
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(instance_path) / 'association.sqlite3'}"


def normalize_uri(uri: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs (the driver SQLAlchemy would pick is psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix):]
    return uri


# PostgreSQL compiles a query to machine code (JIT) once its estimated cost passes jit_above_cost. On small tables
# that were never analyzed (autovacuum analyzes a table only after 50 changed rows, so `users` or `user_roles`
# may never be) the estimates are wild, and the sign-in query was seen taking 12 ms to compile for 0.05 ms of work,
# on every request. This application's queries are short: JIT cannot pay for itself here.
POSTGRESQL_SESSION_OPTIONS = "-c jit=off"


def engine_options(uri: str, options: dict[str, Any]) -> dict[str, Any]:
    """The configured engine options, plus the session settings PostgreSQL connections need."""
    if not uri.startswith("postgresql"):
        return options
    connect_args = dict(options.get("connect_args") or {})
    connect_args["options"] = " ".join(filter(None, [connect_args.get("options"), POSTGRESQL_SESSION_OPTIONS]))
    return {**options, "connect_args": connect_args}


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def _request_may_write() -> bool:
    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")


def configure_sqlite(engine: sa.Engine) -> None:
    """Foreign keys on, WAL, a busy timeout, and SQLAlchemy in charge of BEGIN (so SAVEPOINTs work)."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite's own transaction handling is off; see "begin" below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # SQLite's lower() (and so ILIKE) only folds ASCII; Python's folds Kazakh and Russian letters too.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        # A request that may write takes the write lock at BEGIN: concurrent writers then wait their turn
        # (busy_timeout) and see each other's commits, so the version checks answer 412 instead of
        # SQLite failing with "database is locked" halfway through a read-then-write transaction.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _request_may_write() else "BEGIN")


# SQLSTATEs that mean the server has gone or is going away: connection exceptions (class 08), and the server's
# shutdown or the backend's termination (57P01 admin_shutdown, also sent by pg_terminate_backend; 57P02
# crash_shutdown; 57P03 cannot_connect_now; 57P05 idle_session_timeout).
DISCONNECT_SQLSTATES = ("08", "57P01", "57P02", "57P03", "57P05")


def recognize_disconnects(engine: sa.Engine) -> None:
    """Without `pool_pre_ping`, a dead connection shows itself on its first statement. SQLAlchemy then invalidates
    it and every older connection of the pool (the next checkout reconnects) if it knows the error for a
    disconnect; psycopg 3's dialect only looks at the connection's `broken` flag, so the server's own words for
    it (its SQLSTATE) are recognized here too."""

    @event.listens_for(engine, "handle_error")
    def on_error(context: sa.engine.ExceptionContext) -> None:
        sqlstate = getattr(context.original_exception, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(DISCONNECT_SQLSTATES):
            context.is_disconnect = True


READING_METHODS = ("GET", "HEAD", "OPTIONS")
# A statement that neither writes nor locks: anything else (INSERT, UPDATE, DELETE, SAVEPOINT, WITH …, SELECT …
# FOR UPDATE/SHARE, a DDL), and a read through a server-side cursor, end a reading request's autocommit before
# they are sent.
_LOCKING = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b", re.IGNORECASE)


def is_plain_read(statement: str) -> bool:
    return statement.lstrip()[:6].upper() == "SELECT" and _LOCKING.search(statement) is None


def autocommit_reads(engine: sa.Engine) -> None:
    """A GET's statements run in autocommit until its first write. psycopg opens a transaction with a BEGIN round
    trip of its own before the first statement, and the pool ends it with a ROLLBACK round trip when the request
    returns the connection: two of a signed-in GET's three round trips (each ≈ 0.15 ms of the app's CPU and
    0.35 ms of wall clock on the benchmark's machine; bench/RESULTS.md). Reads lose nothing by it: at READ
    COMMITTED, PostgreSQL's level and ours, each statement sees its own snapshot inside a transaction as well.
    Writes keep theirs: the first statement that writes or locks (a GET that records a session's last use, an
    audit event, a notification read) turns autocommit off before it is sent, so it and everything after it in
    the request run in one transaction, committed or rolled back as before."""

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if has_request_context() and request.method in READING_METHODS:
            dbapi_connection.autocommit = True

    @event.listens_for(engine, "before_cursor_execute")
    def before_statement(connection: sa.Connection, cursor: Any, statement: str, *_args: Any) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection is None or not dbapi_connection.autocommit:
            return
        # A streamed read (an export's yield_per) runs on a server-side cursor: DECLARE needs a transaction too.
        server_side = getattr(cursor, "name", None) is not None
        if server_side or not is_plain_read(statement):
            dbapi_connection.autocommit = False  # psycopg sends BEGIN before this statement

    @event.listens_for(engine, "checkin")
    def on_checkin(dbapi_connection: Any, _record: Any) -> None:
        # The next checkout may be a write request's: the pool hands out transactional connections.
        if dbapi_connection is not None and dbapi_connection.autocommit and not dbapi_connection.closed:
            dbapi_connection.autocommit = False


def init_app(app: Flask, db: Any) -> None:
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                configure_sqlite(engine)
            elif engine.dialect.name == "postgresql":
                recognize_disconnects(engine)
                autocommit_reads(engine)
