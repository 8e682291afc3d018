"""The Association (one row), the modernization Programme and its numbered directions."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from association.core.models import Base, IdMixin, NamedMixin, TimestampMixin, localized


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

    directions: Mapped[list[Direction]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", lazy="raise_on_sql", order_by="Direction.number"
    )

    __table_args__ = (sa.CheckConstraint("start_year <= end_year", name="period_ordered"),)

    @property
    def title(self) -> str:
        return localized(self.titles)


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
