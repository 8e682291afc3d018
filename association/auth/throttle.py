"""Throttling of password guesses, counted where every process and host sees them: the `login_failures` table (the
database is always there), or the `limits` storage named by RATELIMIT_STORAGE_URI when it is Redis.

Failures are counted per account and address pair, per address and per account, within a window. One address
guessing one account is refused (429) after PAIR_LIMIT failures; one address guessing many accounts after
ADDRESS_LIMIT. An account is never shut for everybody: when many addresses guess it (an attack), each address gets
fewer guesses (ATTACKED_PAIR_LIMIT), so its owner, signing in from elsewhere, still gets in. Only failures count,
so people who sign in correctly are never slowed. The change-password form counts per account (the guesser holds
the session); the forgot-password form counts every request. Lockouts and admin unlocks go to the audit log."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, request
from werkzeug.exceptions import TooManyRequests

from association.auth.models import LoginFailure
from association.core.models import utcnow
from association.extensions import db

WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Policy:
    """How many failures of one kind (a scope) are allowed within the window."""

    pair_limit: int | None = None  # one address, one account
    address_limit: int | None = None  # one address, any account
    account_limit: int | None = None  # one account, any address (only where that denies no one else)
    attacked_after: int | None = None  # this many failures of an account from anywhere: it is under attack...
    attacked_pair_limit: int | None = None  # ...and each address then gets only this many


POLICIES = {
    "login": Policy(pair_limit=10, address_limit=30, attacked_after=50, attacked_pair_limit=3),
    "password": Policy(account_limit=5, address_limit=30),  # change-password: the account is the signed-in one
    "reset": Policy(account_limit=3, address_limit=10),  # forgot-password requests (every request counts)
    "reset-token": Policy(address_limit=10),  # wrong or used reset links
}


@dataclass(frozen=True)
class Counts:
    pair: int
    address: int
    account: int


class DatabaseCounter:
    """Failures as rows of `login_failures`, counted with one query; old rows are pruned as new ones come."""

    def counts(self, scope: str, account: str, address: str) -> Counts:
        since = utcnow() - WINDOW
        is_pair = sa.and_(LoginFailure.account == account, LoginFailure.address == address)
        row = db.session.execute(
            sa.select(
                sa.func.count().filter(is_pair),
                sa.func.count().filter(LoginFailure.address == address),
                sa.func.count().filter(LoginFailure.account == account),
            ).where(LoginFailure.scope == scope, LoginFailure.at > since,
                    sa.or_(LoginFailure.account == account, LoginFailure.address == address))
        ).one()
        return Counts(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))

    def add(self, scope: str, account: str, address: str) -> None:
        db.session.execute(sa.delete(LoginFailure).where(LoginFailure.at < utcnow() - 4 * WINDOW))
        db.session.add(LoginFailure(scope=scope, account=account, address=address, at=utcnow()))

    def clear(self, scope: str, account: str) -> None:
        db.session.execute(sa.delete(LoginFailure).where(LoginFailure.scope == scope, LoginFailure.account == account))


class LimitsCounter:
    """Failures in a `limits` moving window (Redis in production: RATELIMIT_STORAGE_URI=redis://…)."""

    CEILING = 10_000  # the window item only counts; the policies decide

    def __init__(self, uri: str) -> None:
        from limits import RateLimitItemPerMinute
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        self.item = RateLimitItemPerMinute(self.CEILING, int(WINDOW.total_seconds() // 60))
        self.storage = storage_from_string(uri)
        self.limiter = MovingWindowRateLimiter(self.storage)

    def _count(self, *key: str) -> int:
        return self.CEILING - self.limiter.get_window_stats(self.item, *key).remaining

    def counts(self, scope: str, account: str, address: str) -> Counts:
        return Counts(self._count(scope, "pair", account, address), self._count(scope, "address", address),
                      self._count(scope, "account", account))

    def add(self, scope: str, account: str, address: str) -> None:
        for key in (("pair", account, address), ("address", address), ("account", account)):
            self.limiter.hit(self.item, scope, *key)

    def clear(self, scope: str, account: str) -> None:
        self.limiter.clear(self.item, scope, "account", account)
        # The pair keys of the account are unknown here; the account key is what an attacked account carries.


def counter() -> DatabaseCounter | LimitsCounter:
    """The counter the configuration names (cached per app)."""
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    if not uri.startswith(("redis", "memcached", "mongodb")) and not current_app.config.get("THROTTLE_IN_LIMITS"):
        return DatabaseCounter()
    cached = current_app.extensions.get("failure_counter")
    if cached is None:
        cached = current_app.extensions["failure_counter"] = LimitsCounter(uri)
    return cached


def refusal(policy: Policy, counts: Counts) -> str | None:
    """Which limit the counts have reached ('pair', 'address', 'account'), or None while attempts are allowed."""
    pair_limit = policy.pair_limit
    if policy.attacked_after is not None and counts.account >= policy.attacked_after:
        pair_limit = policy.attacked_pair_limit
    if pair_limit is not None and counts.pair >= pair_limit:
        return "pair"
    if policy.address_limit is not None and counts.address >= policy.address_limit:
        return "address"
    if policy.account_limit is not None and counts.account >= policy.account_limit:
        return "account"
    return None


def enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def address() -> str:
    return (request.remote_addr or "unknown")[:45]


def check(scope: str, account: str) -> None:
    """Answer 429 (with Retry-After) when this account and address may not try again yet."""
    if not enabled():
        return
    reached = refusal(POLICIES[scope], counter().counts(scope, account[:254], address()))
    if reached is not None:
        error = TooManyRequests("Too many failed attempts; try again later.")
        error.data = {"headers": {"Retry-After": str(math.ceil(WINDOW.total_seconds()))}}  # type: ignore[attr-defined]
        raise error


def record_failure(scope: str, account: str) -> None:
    """Count one failure (in the caller's transaction when counted in the database); audit a lockout it causes."""
    if not enabled():
        return
    from association.audit.operations import record_event

    account = account[:254]
    store = counter()
    store.add(scope, account, address())
    db.session.flush()
    reached = refusal(POLICIES[scope], store.counts(scope, account, address()))
    if reached is not None:
        email = account if "@" in account else None
        record_event("login_locked", email=email, detail=f"scope={scope} limit={reached} account={account}")


def unlock(account: str, scope: str = "login") -> None:
    """Forget the account's failures (an admin's act, audited): its owner may try again at once."""
    from association.audit.operations import record_event

    counter().clear(scope, account[:254])
    record_event("login_unlocked", email=account if "@" in account else None, detail=f"scope={scope}")


def account_key() -> str:
    """The e-mail the request tries to sign in as (form or JSON), normalized."""
    email = request.form.get("email")
    if email is None:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    return str(email or "").strip().lower()[:254]


def throttled(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse a sign-in POST (HTML or API) once its account and address have failed too often."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.method == "POST":
            check("login", account_key())
        return view(*args, **kwargs)

    return wrapper


def mark_failed() -> None:
    """Called by the sign-in views when credentials were wrong: the failure is counted (the view commits)."""
    g.login_failed = True
    record_failure("login", account_key())
