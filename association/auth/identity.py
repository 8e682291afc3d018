"""Who a signed-in request is, kept between requests: the identity cache.

Loading the token or session, the user, their roles and memberships (and the memberships' committees) as ORM
objects was 65 % of a bare signed-in request (bench/RESULTS-inprocess.md). They change rarely, so each process keeps
a detached snapshot of them per token hash and per session key hash, and a request reads one single-row generation
instead:

- every transaction that changes a row of `IDENTITY_SOURCES` (through the ORM, or a DML statement run by the
  session that changed at least one row), or ends or deletes a session, gives the single `identity_generation` row
  a new random value just before it commits. What cannot be in any cache does not: new sessions and tokens, a new
  user with the roles and memberships created with it; nor the keep-alive write of a session's `last_seen_at`, nor
  a user's `last_login_at` and digest mark: bumping on those would empty every cache at every sign-in and once a
  minute per signed-in browser (see `_changes_identity`);
- a request reads the generation (the first statement of its transaction), then uses the snapshot cached under it,
  or loads one and caches it. A snapshot loaded after reading the generation is at least as new as it, so nothing
  older than the database is served;
- a session holding uncommitted changes to those tables neither reads nor fills the cache;
- what changes with time alone is still judged on every request from the snapshot's timestamps: a token's expiry, a
  session's idle and absolute lifetimes. A snapshot's `last_seen_at` may be older than the database's (another
  process kept the session alive): a session the snapshot calls idle is therefore read again from the database
  before it is refused.

The snapshot is merged into the request's session with `load=False` (no SQL): `current_user` is the same persistent
`User` as before, with its roles and memberships loaded, which operations may change and flush as before. The
token's or session's own row is merged only when asked for (`current_token`, `current_session`).

Each process keeps its own LRU cache (gunicorn workers share nothing); the generation row keeps them all correct.
Writes that bypass the session call `bump_generation` themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from cachetools import LRUCache
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from association.auth.models import (
    IDENTITY_GENERATION_ROW,
    ApiToken,
    IdentityGeneration,
    UserSession,
    new_identity_generation,
)
from association.core import generations
from association.extensions import db
from association.users.models import User, with_access_loaded

# The tables a cached identity is read from (association.users.models.with_access_loaded), and the tokens.
IDENTITY_SOURCES = frozenset({"users", "user_roles", "committee_memberships", "committees", "api_tokens"})
SESSIONS = "user_sessions"  # a source too, but for its keep-alive column and for new rows (new keys)
KEEP_ALIVE_COLUMNS = frozenset({"last_seen_at"})
USER_BOOKKEEPING_COLUMNS = frozenset({"last_login_at", "digest_history_id", "updated_at"})
CHANGED = "identity_sources_changed"  # session.info flag
NEW_USERS = "identity_new_users"  # session.info: the ids of the users this transaction inserted
ENTRIES = 4096  # per process: one per live token or browser session that used this worker

GENERATION_QUERY = sa.select(IdentityGeneration.value).where(IdentityGeneration.id == IDENTITY_GENERATION_ROW)


@dataclass(frozen=True)
class Identity:
    """Detached snapshots: never changed, merged into a request's session to be used."""

    user: User
    record: ApiToken | UserSession


class IdentityCache:
    def __init__(self) -> None:
        self._entries: LRUCache = LRUCache(maxsize=ENTRIES)
        self._lock = threading.Lock()  # gthread workers: LRUCache itself is not thread-safe
        self.schema_ready = False  # the database has the generation's table (association.auth.identity)

    def get(self, key: Hashable, generation: int) -> Identity | None:
        with self._lock:
            found = self._entries.get(key)
        if found is not None and found[0] == generation:
            return cast(Identity, found[1])
        return None

    def put(self, key: Hashable, generation: int, identity: Identity) -> None:
        with self._lock:
            self._entries[key] = (generation, identity)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def identity_cache(app: Flask | None = None) -> IdentityCache:
    return (app or current_app).extensions["identity_cache"]


# What counts as a change.

def _table_name(obj: Any) -> str | None:
    return getattr(getattr(obj, "__table__", None), "name", None)


def _changed_columns(obj: Any) -> set[str]:
    """The columns changed (a collection changes only through its members' own rows: a committee gaining a
    membership is dirty, its row unchanged)."""
    state = sa.inspect(obj)
    return {prop.key for prop in state.mapper.column_attrs if state.attrs[prop.key].history.has_changes()}


def _changes_identity(obj: Any, *, new: bool = False, deleted: bool = False,
                      new_users: frozenset[int] | set[int] = frozenset()) -> bool:
    """Whether writing `obj` may change an identity some cache holds. Nothing new can be in a cache, for every
    cached identity is keyed by a token or session of a user that existed: a new session or token, a new user with
    the roles and memberships created with them (`new_users`: the users this transaction inserted). Nor do the
    keep-alive and the users' bookkeeping columns (the time of the last sign-in, the digest mark) say anything of
    who a request is: a sign-in leaves every cache filled."""
    name = _table_name(obj)
    if name is None or (name not in IDENTITY_SOURCES and name != SESSIONS):
        return False
    if deleted:
        return True
    if new:
        return name in ("user_roles", "committee_memberships") and getattr(obj, "user_id", None) not in new_users
    if name == SESSIONS:
        return bool(_changed_columns(obj) - KEEP_ALIVE_COLUMNS)
    if name == "users":
        return bool(_changed_columns(obj) - USER_BOOKKEEPING_COLUMNS)
    return bool(_changed_columns(obj))


def _pending_changes(session: Session, new_users: frozenset[int] | set[int] = frozenset()) -> bool:
    return (any(_changes_identity(obj, new=True, new_users=new_users) for obj in session.new)
            or any(_changes_identity(obj) for obj in session.dirty)
            or any(_changes_identity(obj, deleted=True) for obj in session.deleted))


def has_uncommitted_identity_changes(session: Session) -> bool:
    return bool(session.info.get(CHANGED)) or _pending_changes(session)


def _updated_columns(statement: Any) -> set[str] | None:
    """The columns an UPDATE statement sets, or None when they cannot be told (executemany parameters)."""
    values = getattr(statement, "_values", None) or dict(getattr(statement, "_ordered_values", None) or ())
    if not values:
        return None
    return {str(getattr(key, "key", key)) for key in values}


# Reading and renewing the generation.

def current_generation(session: Session) -> int | None:
    """The generation (None: no caching), the first statement of a signed-in request's transaction. A connection
    found dead there (the database restarted, the backend was terminated) has been invalidated with its pool by the
    engine; nothing has been done in the transaction yet, so it is retried once on a new connection instead of
    failing the request."""
    try:
        return _read_generation(session)
    except sa.exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
        session.rollback()
        return _read_generation(session)


def _read_generation(session: Session) -> int | None:
    """The identity generation, and with it, in the same statement, the generations registered to be read along
    (association.core.generations: the figures')."""
    connection = session.connection()
    if not _has_generation(connection):
        return None
    row = connection.execute(GENERATION_QUERY.add_columns(*generations.columns())).one_or_none()
    if row is None:
        return None
    generations.keep(session, row[1:])
    return row[0]


def _has_generation(connection: sa.Connection) -> bool:
    """Whether the database has the generation's table: not before migration 0011, and then nothing is cached and
    nothing renewed (a write must not fail for it). Once seen, it is not looked for again."""
    cache = identity_cache()
    if not cache.schema_ready:
        cache.schema_ready = sa.inspect(connection).has_table(IdentityGeneration.__tablename__)
    return cache.schema_ready


def bump_generation(connection: sa.Connection) -> None:
    """Give the generation a new value: every cached identity becomes stale in every process."""
    if not _has_generation(connection):
        return
    table = cast(sa.Table, IdentityGeneration.__table__)
    updated = connection.execute(
        sa.update(table).where(table.c.id == IDENTITY_GENERATION_ROW).values(value=new_identity_generation()))
    if updated.rowcount == 0:
        connection.execute(sa.insert(table).values(id=IDENTITY_GENERATION_ROW, value=new_identity_generation()))


# Looking identities up.

def _load(statement: sa.Select) -> Identity | None:
    """Load in a short private session on the request's connection (same transaction): the objects come out
    detached and fresh from the database, whatever the request's session already holds."""
    loader = Session(bind=db.session.connection(), join_transaction_mode="rollback_only", expire_on_commit=False)
    try:
        found = loader.execute(with_access_loaded(statement)).unique().one_or_none()
    finally:
        loader.close()
    if found is None:
        return None
    record, user = found
    return Identity(user=user, record=record)


def _identity(key: tuple[str, str], statement: Callable[[], sa.Select], *,
              fresh: bool = False) -> tuple[Identity | None, bool]:
    """The identity under `key` (cached, or loaded with `statement()` and cached when that is safe), and whether
    it came from the cache. `fresh` reads the database whatever the cache holds (and caches what it read)."""
    session = db.session()
    generation = None if has_uncommitted_identity_changes(session) else current_generation(session)
    cache = identity_cache()
    if generation is not None and not fresh:
        cached = cache.get(key, generation)
        if cached is not None:
            return cached, True
    loaded = _load(statement())
    if loaded is not None and generation is not None:
        cache.put(key, generation, loaded)
    return loaded, False


def for_token(token_hash: str) -> tuple[Identity | None, bool]:
    return _identity(("token", token_hash), lambda: sa.select(ApiToken, User).join(User, ApiToken.user_id == User.id)
                     .where(ApiToken.token_hash == token_hash))


def for_session(key_hash: str, *, fresh: bool = False) -> tuple[Identity | None, bool]:
    return _identity(("session", key_hash),
                     lambda: sa.select(UserSession, User).join(User, UserSession.user_id == User.id)
                     .where(UserSession.key_hash == key_hash), fresh=fresh)


def attach(snapshot: Any) -> Any:
    """The request's own persistent copy of a snapshot (no SQL); an object already attached is returned as it is."""
    if sa.inspect(snapshot).detached:
        return db.session.merge(snapshot, load=False)
    return snapshot


# Session events, installed on the application's session class.

def _note_flushed_changes(session: Session, _flush_context: Any) -> None:
    if session.info.get(CHANGED):
        return
    new_users = session.info.setdefault(NEW_USERS, set())
    new_users.update(obj.id for obj in session.new if isinstance(obj, User))
    if _pending_changes(session, new_users):
        session.info[CHANGED] = True


def _note_statements(state: ORMExecuteState) -> Any:
    """A DML statement on an identity table counts once it has changed a row (an UPDATE matching none, as
    `end_all_sessions` of a user without other sessions, leaves every cache filled)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name in IDENTITY_SOURCES:
        counts = True
    elif name == SESSIONS and not state.is_insert:
        columns = _updated_columns(state.statement) if state.is_update else None
        counts = columns is None or bool(columns - KEEP_ALIVE_COLUMNS)
    else:
        return None
    if not counts or state.session.info.get(CHANGED):
        return None
    result = state.invoke_statement()
    if state.is_insert or getattr(result, "rowcount", -1) != 0:
        state.session.info[CHANGED] = True
    return result


def _bump_before_commit(session: Session) -> None:
    # before_commit runs before the commit's own flush: flush now so that pending changes are seen.
    session.flush()
    session.info.pop(NEW_USERS, None)
    if session.info.pop(CHANGED, False):
        bump_generation(session.connection())


def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    # Only when the whole transaction is gone: a savepoint's rollback keeps what was written before it.
    if previous_transaction.parent is None:
        session.info.pop(CHANGED, None)
        session.info.pop(NEW_USERS, None)


def install(app: Flask, session_class: type[Session]) -> None:
    app.extensions["identity_cache"] = IdentityCache()
    for name, listener in (("after_flush", _note_flushed_changes), ("do_orm_execute", _note_statements),
                           ("before_commit", _bump_before_commit), ("after_soft_rollback", _forget_after_rollback)):
        if not event.contains(session_class, name, listener):
            event.listen(session_class, name, listener)

