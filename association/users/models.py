"""User accounts and their roles (SPEC §1)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, joinedload, mapped_column, raiseload, relationship

from association.core.models import Base, EnumText, IdMixin, TimestampMixin, one_of

if TYPE_CHECKING:
    from association.committees.models import CommitteeMembership
    from association.libraries.models import MemberLibrary


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    COMMITTEE_MEMBER = "committee_member"
    LIBRARY_REP = "library_rep"
    OBSERVER = "observer"


class User(IdMixin, TimestampMixin, UserMixin, Base):
    __tablename__ = "users"
    __audit_exclude__ = ("password_hash", "session_generation")

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Bumped when the password changes: sessions carry it, so older sessions stop working.
    session_generation: Mapped[int] = mapped_column(default=1)
    library_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_libraries.id", ondelete="SET NULL"), index=True)
    last_login_at: Mapped[datetime | None]
    # The newest task-history row already mailed to this user in a digest (`flask tasks notify`).
    digest_history_id: Mapped[int | None]
    # Bumped by every edit through the admin forms and the API: a stale save is refused (optimistic locking).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )
    memberships: Mapped[list[CommitteeMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    library: Mapped[MemberLibrary | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (sa.CheckConstraint("locale IS NULL OR locale IN ('kk', 'ru', 'en')", name="locale_allowed"),)

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    # Flask-Login: the session stores "<id>:<generation>", so a password change ends every other session.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def role_names(self) -> list[str]:
        return sorted(role.role.value for role in self.roles)

    def has_role(self, *roles: Role | str) -> bool:
        mine = {role.role for role in self.roles}
        return any(Role(role) in mine for role in roles)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def is_coordinator(self) -> bool:
        """Coordinators, and admins who can do everything a coordinator can."""
        return self.has_role(Role.COORDINATOR, Role.ADMIN)

    def committee_ids(self, *, chair_only: bool = False) -> set[int]:
        return {m.committee_id for m in self.memberships if m.chair or not chair_only}

    def is_member_of(self, committee_id: int) -> bool:
        return committee_id in self.committee_ids()

    def chairs(self, committee_id: int) -> bool:
        return committee_id in self.committee_ids(chair_only=True)

    def represents(self, library_id: int) -> bool:
        return self.has_role(Role.LIBRARY_REP) and self.library_id == library_id


def with_access_loaded(query: sa.Select) -> sa.Select:
    """Load users with their roles and memberships in the same statement: authenticating a request (every request)
    then costs one query instead of three. Results must be `.unique()`d (the collections are joined)."""
    from association.committees.models import CommitteeMembership

    return query.options(joinedload(User.roles),
                         joinedload(User.memberships).joinedload(CommitteeMembership.committee))


def as_person(loader: Any) -> Any:
    """For a user shown beside something (a task's assignee, who made a change): the name is enough, and their
    roles and memberships, loaded by default, would cost two more queries. Raises if code asks for them."""
    return loader.options(raiseload(User.roles), raiseload(User.memberships))


class UserRole(Base):
    """One role of a user; a person may hold several (a library's representative can also sit on a committee)."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(EnumText(Role), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles", lazy="raise_on_sql")

    __table_args__ = (one_of("role", Role),)
