"""Indicators (data, like forms: a numerator and a denominator over field codes) and custom peer groups."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from association.core.models import Base, EnumText, IdMixin, TimestampMixin, localized, one_of, utcnow
from association.libraries.models import MemberLibrary
from association.users.models import User


class Direction(enum.StrEnum):
    HIGHER = "higher"  # higher is better
    LOWER = "lower"
    NEITHER = "neither"


class Indicator(IdMixin, TimestampMixin, Base):
    """value = numerator ÷ denominator × factor, for one library's return of one year (no denominator: ÷ 1)."""

    __tablename__ = "indicators"

    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    names: Mapped[dict[str, Any]] = mapped_column(default=dict)
    descriptions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    units: Mapped[dict[str, Any]] = mapped_column(default=dict)
    numerator: Mapped[str] = mapped_column(sa.String(500))
    denominator: Mapped[str | None] = mapped_column(sa.String(500))
    factor: Mapped[int] = mapped_column(default=1)
    direction: Mapped[Direction] = mapped_column(EnumText(Direction), default=Direction.NEITHER)
    standard: Mapped[str] = mapped_column(sa.String(200), default="")

    __table_args__ = (one_of("direction", Direction), sa.CheckConstraint("factor > 0", name="factor_positive"))

    @property
    def name(self) -> str:
        return localized(self.names)

    @property
    def description(self) -> str:
        return localized(self.descriptions)

    @property
    def unit(self) -> str:
        return localized(self.units)


class PeerGroup(IdMixin, Base):
    """A custom peer group saved by a coordinator (everyone may use it) or a library rep (theirs alone)."""

    __tablename__ = "peer_groups"

    name: Mapped[str] = mapped_column(sa.String(200))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Shared groups are the coordinator's: every reader of benchmarks may choose them.
    shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User | None] = relationship(lazy="raise_on_sql")
    members: Mapped[list[PeerGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", lazy="raise_on_sql")


class PeerGroupMember(Base):
    __tablename__ = "peer_group_members"

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("peer_groups.id", ondelete="CASCADE"), primary_key=True)
    library_id: Mapped[int] = mapped_column(sa.ForeignKey("member_libraries.id", ondelete="CASCADE"),
                                            primary_key=True, index=True)

    group: Mapped[PeerGroup] = relationship(back_populates="members", lazy="raise_on_sql")
    library: Mapped[MemberLibrary] = relationship(lazy="raise_on_sql")
