"""Signing in and out, and API tokens. Every operation flushes and logs; the caller commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from flask import current_app, g

from association.audit.operations import record_event
from association.auth.models import ApiToken
from association.auth.passwords import hash_password, needs_rehash, verify_password
from association.core.models import utcnow
from association.extensions import db
from association.users.models import User

TOKEN_PREFIX = "aul_"


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def authenticate(email: str, password: str, *, channel: str) -> User | None:
    """The user with these credentials, or None. Both outcomes go to the audit log (`channel`: web or api)."""
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password) and user is not None and user.is_active
    if not ok:
        reason = "" if user is None or user.is_active else " inactive"
        record_event("login_failed", user=user, email=normalize_email(email)[:254], detail=f"channel={channel}{reason}")
        return None
    assert user is not None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    record_event("login", user=user, detail=f"channel={channel}")
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str = "") -> tuple[str, ApiToken]:
    """A new bearer token for the user: the clear token is returned once, only its hash is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=user.id, token_hash=_token_hash(token), name=name[:100],
        expires_at=utcnow() + current_app.config["API_TOKEN_LIFETIME"],
    )
    db.session.add(record)
    db.session.flush()
    return token, record


def user_for_token(token: str, now: datetime | None = None) -> tuple[User, ApiToken] | None:
    """The user a usable (known, unexpired, unrevoked) token belongs to, and the token's snapshot (detached: see
    `current_token`). Read through the identity cache (association.auth.identity)."""
    from association.auth import identity

    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    found, _cached = identity.for_token(_token_hash(token))
    if found is None:
        return None
    record = cast(ApiToken, found.record)
    if not record.is_usable(now) or not found.user.is_active:
        return None
    return cast(User, identity.attach(found.user)), record


def revoke_token(record: ApiToken) -> None:
    """Revoke one token; it stops working at once."""
    record.revoked_at = utcnow()


def revoke_all_tokens(user: User) -> None:
    """Revoke every usable token of the user (after a password change)."""
    now = utcnow()
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    record_event("tokens_revoked", user=user, object_type="users", object_id=user.id)


def current_token() -> ApiToken | None:
    """The token the current request authenticated with, if any (attached to the request's session)."""
    from association.auth.identity import attach

    record = g.get("api_token")
    if record is not None:
        record = g.api_token = attach(record)
    return record
