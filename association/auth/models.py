"""API bearer tokens, stored as SHA-256 hashes: a database leak does not leak usable tokens."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from association.core.models import Base, IdMixin, utcnow
from association.users.models import User


class ApiToken(IdMixin, Base):
    __tablename__ = "api_tokens"
    __audit_exclude__ = ("token_hash",)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="raise_on_sql")

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or utcnow())


class UserSession(IdMixin, Base):
    """One signed-in browser session. The cookie carries only a random key whose hash is stored here, so signing
    out (or an admin ending the session) kills every copy of the cookie, and idle and absolute lifetimes are checked
    against the database, not the cookie."""

    __tablename__ = "user_sessions"
    __audit_exclude__ = ("key_hash", "last_seen_at")
    __audited__ = False  # its start and end are audited as login/logout events; each touch would flood the log

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(sa.String(32))
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")

    user: Mapped[User] = relationship(lazy="raise_on_sql")


class LoginFailure(IdMixin, Base):
    """One failed attempt at a password (sign-in, change-password, reset), counted by every process alike."""

    __tablename__ = "login_failures"
    __audited__ = False  # the audit log has its own login_failed event

    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    scope: Mapped[str] = mapped_column(sa.String(20))
    account: Mapped[str] = mapped_column(sa.String(254))
    address: Mapped[str] = mapped_column(sa.String(45))

    __table_args__ = (
        sa.Index("ix_login_failures_account_at", "scope", "account", "at"),
        sa.Index("ix_login_failures_address_at", "scope", "address", "at"),
    )


class PasswordResetToken(IdMixin, Base):
    """A single-use, expiring link to set a new password (self-service or sent by an admin); stored hashed."""

    __tablename__ = "password_reset_tokens"
    __audit_exclude__ = ("token_hash",)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(lazy="raise_on_sql", foreign_keys=[user_id])

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.used_at is None and self.expires_at > (now or utcnow())


IDENTITY_GENERATION_ROW = 1


class IdentityGeneration(Base):
    """One row given a new random value by every commit that changes who a signed-in request is (a user, their
    roles or committee memberships, a token, the end of a session): the identity cache of every process
    (association.auth.identity) then reloads. Random, never a counter, as the figures' generation."""

    __tablename__ = "identity_generation"
    __audited__ = False  # bookkeeping, not a change anyone made

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger)


def new_identity_generation() -> int:
    return secrets.randbits(62)


@sa.event.listens_for(IdentityGeneration.__table__, "after_create")
def _insert_the_row(table: sa.Table, connection: sa.Connection, **_: Any) -> None:
    """`create_all` (the tests) makes the row the migration makes."""
    connection.execute(sa.insert(table).values(id=IDENTITY_GENERATION_ROW, value=new_identity_generation()))
