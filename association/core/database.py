"""Engine set-up: SQLite in the instance folder by default (WAL, foreign keys on); PostgreSQL by DATABASE_URL."""

from __future__ import annotations

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


def init_app(app: Flask, db: Any) -> None:
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                configure_sqlite(engine)
            elif engine.dialect.name == "postgresql":
                recognize_disconnects(engine)
