"""Server-side sessions: the cookie carries a random key, the `user_sessions` row says whether it still lives.

Signing out, a password change, a deactivation or ending a session from the account page set `ended_at`, and every
copy of the cookie is dead at once. A session also dies when it has been idle too long (SESSION_IDLE_TIMEOUT) or
has lived too long (SESSION_ABSOLUTE_LIFETIME), whatever the cookie says."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, request, session
from sqlalchemy.orm.attributes import set_committed_value

from association.auth.models import UserSession
from association.core.models import utcnow
from association.extensions import db
from association.users.models import User

SESSION_KEY = "sid"
# last_seen_at is written at most this often: a page view is not a write.
TOUCH_INTERVAL = timedelta(minutes=1)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user: User) -> UserSession:
    """A new server-side session for the user, its key put in the (fresh) cookie session."""
    key = secrets.token_urlsafe(32)
    record = UserSession(user_id=user.id, key_hash=key_hash(key), ip_address=(request.remote_addr or "")[:45] or None,
                         user_agent=(request.user_agent.string or "")[:200])
    db.session.add(record)
    db.session.flush()
    session[SESSION_KEY] = key
    g.user_session = record
    return record


def session_key() -> str | None:
    """The key the request's cookie carries, if any."""
    key = session.get(SESSION_KEY)
    return key if isinstance(key, str) and 0 < len(key) <= 100 else None


def expiry_reason(record: UserSession, now: datetime | None = None) -> str | None:
    """Why the session no longer lives ('idle', 'expired' or how it was ended), or None while it lives."""
    if record.ended_at is not None:
        return record.ended_reason or "ended"
    now = now or utcnow()
    if now - record.last_seen_at > current_app.config["SESSION_IDLE_TIMEOUT"]:
        return "idle"
    if now - record.created_at > current_app.config["SESSION_ABSOLUTE_LIFETIME"]:
        return "expired"
    return None


def keep_alive(record: UserSession) -> None:
    """Note that the session is in use: at most once a TOUCH_INTERVAL (a page view is not a write), committed at
    once (GETs commit nothing). `record` may be the identity cache's snapshot: its `last_seen_at` follows, and the
    write, of that column alone, leaves the cache of every process as it is (association.auth.identity)."""
    now = utcnow()
    if now - record.last_seen_at >= TOUCH_INTERVAL:
        db.session.execute(sa.update(UserSession).where(UserSession.id == record.id).values(last_seen_at=now)
                           .execution_options(synchronize_session=False))
        db.session.commit()
        set_committed_value(record, "last_seen_at", now)


def end_session(record: UserSession, reason: str) -> None:
    """End one session: every copy of its cookie stops working."""
    if record.ended_at is None:
        record.ended_at = utcnow()
        record.ended_reason = reason[:32]


def end_all_sessions(user: User, reason: str, *, keep: UserSession | None = None) -> None:
    """End every session of the user (but `keep`, the one making the request, when given)."""
    statement = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    db.session.execute(statement.values(ended_at=utcnow(), ended_reason=reason[:32])
                       .execution_options(synchronize_session=False))


def current_session() -> UserSession | None:
    """The server-side session the current request was authenticated with, if any (attached to the request's
    session: the loader leaves the identity cache's detached snapshot in `g`)."""
    from association.auth.identity import attach

    record = g.get("user_session")
    if record is not None:
        record = g.user_session = attach(record)
    return record


def live_sessions(user: User) -> list[UserSession]:
    """The user's sessions that still live, newest first."""
    config = current_app.config
    now = utcnow()
    return list(db.session.scalars(
        sa.select(UserSession).where(
            UserSession.user_id == user.id, UserSession.ended_at.is_(None),
            UserSession.last_seen_at > now - config["SESSION_IDLE_TIMEOUT"],
            UserSession.created_at > now - config["SESSION_ABSOLUTE_LIFETIME"],
        ).order_by(UserSession.last_seen_at.desc())
    ))
