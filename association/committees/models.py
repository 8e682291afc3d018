"""Committees and committee memberships (a membership carries the chair flag)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from association.core.models import Base, IdMixin, NamedMixin, TimestampMixin, localized
from association.users.models import User


class Committee(IdMixin, NamedMixin, TimestampMixin, Base):
    __tablename__ = "committees"

    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    short_names: Mapped[dict[str, Any]] = mapped_column(default=dict)
    mandate: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # False for the committees the sources do not name (illustrative reference data).
    known: Mapped[bool] = mapped_column(default=True)

    memberships: Mapped[list[CommitteeMembership]] = relationship(
        back_populates="committee", cascade="all, delete-orphan", lazy="raise_on_sql"
    )

    __table_args__ = (sa.CheckConstraint("code <> ''", name="code_not_empty"),)

    @property
    def short_name(self) -> str:
        return localized(self.short_names) or self.name

    def __repr__(self) -> str:
        return f"<Committee {self.code}>"


class CommitteeMembership(IdMixin, Base):
    __tablename__ = "committee_memberships"

    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("committees.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    chair: Mapped[bool] = mapped_column(default=False)

    committee: Mapped[Committee] = relationship(back_populates="memberships", lazy="selectin")
    user: Mapped[User] = relationship(back_populates="memberships", lazy="raise_on_sql")

    __table_args__ = (sa.UniqueConstraint("committee_id", "user_id"),)
