"""Login throttling (Flask-Limiter): after 10 failed sign-ins in 15 minutes, from one address or for one account,
every authentication path answers 429 until the window passes. Only failures count (`deduct_when`), so people who
sign in correctly are never slowed down. Storage: RATELIMIT_STORAGE_URI (Redis in production, memory otherwise)."""

from __future__ import annotations

from flask import Response, g, request
from flask_limiter.util import get_remote_address

from association.extensions import limiter

FAILED_LOGINS = "10 per 15 minutes"


def account_key() -> str:
    """The e-mail the request tries to sign in as (form or JSON), normalized."""
    email = request.form.get("email")
    if email is None:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    return "account:" + str(email or "").strip().lower()[:254]


def _failed(response: Response) -> bool:
    return bool(g.get("login_failed"))


def _locked_out(limit) -> None:
    """Log the lockout once it happens (the 429 itself is answered by the error handlers)."""
    from association.audit.operations import record_event
    from association.extensions import db

    record_event("login_locked", email=account_key().removeprefix("account:") or None,
                 detail=f"{request.method} {request.path} limit={limit.limit}")
    db.session.commit()


def throttled(view):
    """Apply both throttles (per address and per account) to an authentication view."""
    view = limiter.limit(FAILED_LOGINS, key_func=get_remote_address, deduct_when=_failed, on_breach=_locked_out,
                         methods=["POST"], scope="login-address")(view)
    return limiter.limit(FAILED_LOGINS, key_func=account_key, deduct_when=_failed, on_breach=_locked_out,
                         methods=["POST"], scope="login-account")(view)


def mark_failed() -> None:
    """Called by the views when credentials were wrong: the throttles count this request."""
    g.login_failed = True
