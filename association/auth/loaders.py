"""How a request is tied to a user: the session cookie (HTML and API) or a bearer token (API only)."""

from __future__ import annotations

from typing import cast

from flask import Flask, Request, g, request
from flask_babel import lazy_gettext as _l

from association.auth.models import UserSession
from association.extensions import db, login_manager
from association.users.models import User


def load_user_from_session(session_id: str) -> User | None:
    """Flask-Login's user_loader: the id and the password generation must match, and the server-side session the
    cookie names must still live (not ended, not idle too long, not too old). Judged on the identity cache's
    snapshot (association.auth.identity); a session it calls dead is read again from the database first."""
    from association.auth import identity, sessions

    try:
        user_id, generation = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    key = sessions.session_key()
    if key is None:
        return None
    found, cached = identity.for_session(sessions.key_hash(key))
    if found is not None and cached and sessions.expiry_reason(cast(UserSession, found.record)) is not None:
        found, cached = identity.for_session(sessions.key_hash(key), fresh=True)
    if found is None:
        return None
    user, record = found.user, cast(UserSession, found.record)
    if user.id != user_id or user.session_generation != generation or not user.is_active:
        return None
    reason = sessions.expiry_reason(record)
    if reason is not None:
        if record.ended_at is None:
            sessions.end_session(identity.attach(record), reason)
            db.session.commit()
        return None
    sessions.keep_alive(record)  # before the user is attached: its commit would expire the user
    g.authenticated_by = "session"
    g.user_session = record
    return cast(User, identity.attach(user))


def load_user_from_bearer(req: Request) -> User | None:
    """The user of a usable `Authorization: Bearer <token>` on an API path."""
    if not req.path.startswith("/api/"):
        return None
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    from association.auth.operations import user_for_token

    found = user_for_token(token.strip())
    if found is None:
        return None
    user, record = found
    g.authenticated_by = "token"
    g.api_token = record
    return user


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_from_session)

    @app.before_request
    def authenticate_bearer_token() -> None:
        """A request with a bearer token is judged by the token alone, even if a session cookie came along."""
        if request.path.startswith("/api/") and "Authorization" in request.headers:
            g._login_user = load_user_from_bearer(request) or login_manager.anonymous_user()
