"""Computed figures kept between requests, and dropped the moment the data under them changes.

The programme summary at ten times the real size reads every library's progress (≈ 50,000 rows) to compute one
page of figures; recomputing it on every dashboard and API read made those the slowest pages of the application
(≈ 65 ms a request). The figures change only when one of the tables they are computed from is written, so:

- every transaction that writes one of `FIGURE_SOURCES` (through the ORM, or a DML statement run by the session)
  gives the single `figure_generation` row a new random value just before it commits. The row is written last, so
  its lock is held only while the transaction commits and cannot take part in a deadlock;
- a reader first reads the generation (one indexed single-row query), then uses the figures cached under it, or
  computes and caches them. Figures computed after reading the generation are at least as new as it, so nothing
  older than the database can be served;
- a session holding uncommitted changes to a source table neither reads nor fills the cache: what it would compute
  may still be rolled back.

Each process keeps its own small LRU cache (gunicorn workers share nothing); the generation row, in the database,
is what keeps them all correct. Writes that bypass the session (`flask data load`) call `bump_generation` themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from itertools import chain
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from cachetools import LRUCache
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from association.core import generations
from association.extensions import db
from association.progress.models import GENERATION_ROW, FigureGeneration, new_generation

# The tables the figures of association.progress.queries and committee_figures are computed from, and those of
# the indicator values (association.indicators.queries: indicators over annual_returns and their forms).
FIGURE_SOURCES = frozenset({
    "roadmap_tasks", "library_progress", "member_libraries", "regions", "committees", "annual_returns",
    "return_forms", "indicators", "programmes",
})
CHANGED = "figure_sources_changed"  # session.info flag
GENERATION_READ = "figure_generation"  # session.info: the generation this transaction read
ENTRIES = 256  # per process: (figure, year, language, day) combinations are few

T = TypeVar("T")


class FiguresCache:
    def __init__(self) -> None:
        self._entries: LRUCache = LRUCache(maxsize=ENTRIES)
        self._lock = threading.Lock()  # gthread workers: LRUCache itself is not thread-safe

    def get(self, key: Hashable, generation: int) -> tuple[bool, Any]:
        with self._lock:
            found = self._entries.get(key)
        if found is not None and found[0] == generation:
            return True, found[1]
        return False, None

    def put(self, key: Hashable, generation: int, value: Any) -> None:
        with self._lock:
            self._entries[key] = (generation, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def figures_cache(app: Flask | None = None) -> FiguresCache:
    return (app or current_app).extensions["figures_cache"]


def _is_source(obj: Any) -> bool:
    return getattr(getattr(obj, "__table__", None), "name", None) in FIGURE_SOURCES


def has_uncommitted_source_changes(session: Session) -> bool:
    return bool(session.info.get(CHANGED)) or any(
        _is_source(obj) for obj in chain(session.new, session.dirty, session.deleted))


GENERATION_QUERY = sa.select(FigureGeneration.value).where(FigureGeneration.id == GENERATION_ROW)
# A signed-in request reads it with the identity generation, in its first statement (no round trip of its own).
generations.read_along(GENERATION_READ, GENERATION_QUERY.scalar_subquery())


def current_generation(session: Session | None = None) -> int | None:
    return (session or db.session()).scalar(GENERATION_QUERY)


def _transaction_generation(session: Session) -> int | None:
    """The generation, read once per transaction (a page asking for several figures reads it once)."""
    if GENERATION_READ not in session.info:
        session.info[GENERATION_READ] = current_generation(session)
    return session.info[GENERATION_READ]


def remember(key: tuple, compute: Callable[[], T]) -> T:
    """The value cached under `key` for the current generation, else `compute()` (cached when it is safe)."""
    session = db.session()
    if has_uncommitted_source_changes(session):
        return compute()
    generation = _transaction_generation(session)
    if generation is None:  # a database without the row (being migrated): no caching
        return compute()
    cache = figures_cache()
    found, value = cache.get(key, generation)
    if found:
        return value
    value = compute()
    cache.put(key, generation, value)
    return value


def bump_generation(connection: sa.Connection) -> None:
    """Give the generation a new value: every cached figure becomes stale in every process."""
    table = cast(sa.Table, FigureGeneration.__table__)
    updated = connection.execute(sa.update(table).where(table.c.id == GENERATION_ROW).values(value=new_generation()))
    if updated.rowcount == 0:
        connection.execute(sa.insert(table).values(id=GENERATION_ROW, value=new_generation()))


# Session events, installed on the application's session class.

def _note_flushed_sources(session: Session, _flush_context: Any) -> None:
    if not session.info.get(CHANGED) and any(
            _is_source(obj) for obj in chain(session.new, session.dirty, session.deleted)):
        session.info[CHANGED] = True


def _note_source_statements(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in FIGURE_SOURCES:
            state.session.info[CHANGED] = True


def _bump_before_commit(session: Session) -> None:
    # before_commit runs before the commit's own flush: flush now so that pending changes are seen.
    session.flush()
    session.info.pop(GENERATION_READ, None)  # the next transaction reads it afresh
    if session.info.pop(CHANGED, False):
        bump_generation(session.connection())


def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    # Only when the whole transaction is gone: a savepoint's rollback keeps what was written before it.
    if previous_transaction.parent is None:
        session.info.pop(CHANGED, None)
        session.info.pop(GENERATION_READ, None)


def install(app: Flask, session_class: type[Session]) -> None:
    app.extensions["figures_cache"] = FiguresCache()
    for name, listener in (("after_flush", _note_flushed_sources), ("do_orm_execute", _note_source_statements),
                           ("before_commit", _bump_before_commit), ("after_soft_rollback", _forget_after_rollback)):
        if not event.contains(session_class, name, listener):
            event.listen(session_class, name, listener)
