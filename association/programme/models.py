"""The Association (one row), the modernization Programme and its numbered directions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from association.core.models import Base, EnumText, IdMixin, NamedMixin, TimestampMixin, localized, one_of


class ProgrammeStatus(enum.StrEnum):
    """A programme's life: prepared (draft), running (active, at most one), being closed out, closed (read-only)."""

    DRAFT = "draft"
    ACTIVE = "active"
    CLOSING = "closing"
    CLOSED = "closed"


class Association(IdMixin, NamedMixin, TimestampMixin, Base):
    __tablename__ = "association"

    short_names: Mapped[dict[str, Any]] = mapped_column(default=dict)
    registered_on: Mapped[date]
    # Memorandum with the Ministry, the president and name variants, as the reference data gives them.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    @property
    def short_name(self) -> str:
        return localized(self.short_names) or self.name


class Programme(IdMixin, TimestampMixin, Base):
    __tablename__ = "programmes"

    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    titles: Mapped[dict[str, Any]] = mapped_column(default=dict)
    roadmap_titles: Mapped[dict[str, Any]] = mapped_column(default=dict)
    start_year: Mapped[int]
    end_year: Mapped[int]
    status: Mapped[ProgrammeStatus] = mapped_column(EnumText(ProgrammeStatus), default=ProgrammeStatus.DRAFT)
    closed_at: Mapped[datetime | None]

    directions: Mapped[list[Direction]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", lazy="raise_on_sql", order_by="Direction.number"
    )

    __table_args__ = (
        sa.CheckConstraint("start_year <= end_year", name="period_ordered"),
        one_of("status", ProgrammeStatus),
        sa.CheckConstraint("status <> 'closed' OR closed_at IS NOT NULL", name="closed_has_date"),
        # At most one active programme, whatever the application does (a partial unique index).
        sa.Index("uq_programmes_one_active", "status", unique=True,
                 postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'")),
    )

    @property
    def title(self) -> str:
        return localized(self.titles)

    @property
    def is_closed(self) -> bool:
        return self.status == ProgrammeStatus.CLOSED

    @property
    def end_date(self) -> date:
        return date(self.end_year, 12, 31)


class Direction(IdMixin, Base):
    __tablename__ = "directions"

    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    titles: Mapped[dict[str, Any]] = mapped_column(default=dict)

    programme: Mapped[Programme] = relationship(back_populates="directions", lazy="raise_on_sql")

    __table_args__ = (sa.UniqueConstraint("programme_id", "number"),)

    @property
    def title(self) -> str:
        return localized(self.titles)
