"""Counting the SQL statements a request makes (query counts are deterministic, so tests assert them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

from association.extensions import db


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """Collect the statements run on the app's engine inside the block (transaction control excluded)."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "PRAGMA")):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
