"""Regions, member libraries with their membership history, and their progress on library-level measures."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from association.core.models import Base, EnumText, IdMixin, NamedMixin, TimestampMixin, one_of, utcnow
from association.roadmap.models import RoadmapTask
from association.users.models import User


class RegionType(enum.StrEnum):
    CITY = "city"
    REGION = "region"


class LibraryType(enum.StrEnum):
    NATIONAL = "national"
    STATE = "state"
    AUTONOMOUS = "autonomous"
    PRIVATE = "private"
    JOINT_STOCK = "joint-stock"


class MembershipStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LEFT = "left"


class MeasureStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"


class Region(IdMixin, NamedMixin, Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    iso_3166_2: Mapped[str] = mapped_column(sa.String(10), unique=True)
    type: Mapped[RegionType] = mapped_column(EnumText(RegionType))
    position: Mapped[int] = mapped_column(default=0)
    admin_centres: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (one_of("type", RegionType),)


class MemberLibrary(IdMixin, NamedMixin, TimestampMixin, Base):
    __tablename__ = "member_libraries"

    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    university: Mapped[str] = mapped_column(sa.String(300))
    city: Mapped[str] = mapped_column(sa.String(100))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    type: Mapped[LibraryType] = mapped_column(EnumText(LibraryType))
    membership_status: Mapped[MembershipStatus] = mapped_column(
        EnumText(MembershipStatus), default=MembershipStatus.ACTIVE, index=True
    )
    joined_on: Mapped[date | None]
    left_on: Mapped[date | None]
    # Contact fields, the part of the profile a library's own representative may edit.
    website: Mapped[str | None] = mapped_column(sa.String(500))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(50))
    address: Mapped[str | None] = mapped_column(sa.String(500))
    version: Mapped[int] = mapped_column(default=1)

    region: Mapped[Region] = relationship(lazy="raise_on_sql")
    membership_changes: Mapped[list[MembershipChange]] = relationship(
        back_populates="library", cascade="all, delete-orphan", lazy="raise_on_sql",
        order_by="MembershipChange.effective_on.desc()",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        one_of("type", LibraryType),
        one_of("membership_status", MembershipStatus),
        sa.CheckConstraint("left_on IS NULL OR joined_on IS NULL OR left_on >= joined_on", name="left_after_joined"),
    )

    def __repr__(self) -> str:
        return f"<MemberLibrary {self.code}>"


class MembershipChange(IdMixin, Base):
    """A change of a library's membership status, with the date it takes effect and the reason."""

    __tablename__ = "membership_changes"

    library_id: Mapped[int] = mapped_column(sa.ForeignKey("member_libraries.id", ondelete="CASCADE"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(EnumText(MembershipStatus))
    effective_on: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    library: Mapped[MemberLibrary] = relationship(back_populates="membership_changes", lazy="raise_on_sql")

    __table_args__ = (one_of("status", MembershipStatus),)


class LibraryProgress(IdMixin, Base):
    """Where one member library stands on one library-level measure (a library-level roadmap task)."""

    __tablename__ = "library_progress"

    library_id: Mapped[int] = mapped_column(sa.ForeignKey("member_libraries.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("roadmap_tasks.id", ondelete="CASCADE"), index=True)
    status: Mapped[MeasureStatus] = mapped_column(EnumText(MeasureStatus), default=MeasureStatus.NOT_STARTED)
    evidence_url: Mapped[str | None] = mapped_column(sa.String(2000))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    library: Mapped[MemberLibrary] = relationship(lazy="raise_on_sql")
    task: Mapped[RoadmapTask] = relationship(lazy="raise_on_sql")
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id], lazy="raise_on_sql")
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id], lazy="raise_on_sql")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (sa.UniqueConstraint("library_id", "task_id"), one_of("status", MeasureStatus))


class LibraryProgressHistory(IdMixin, Base):
    """Every change of a library's progress on a measure, with the state before."""

    __tablename__ = "library_progress_history"

    progress_id: Mapped[int] = mapped_column(sa.ForeignKey("library_progress.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[MeasureStatus | None] = mapped_column(EnumText(MeasureStatus))
    to_status: Mapped[MeasureStatus] = mapped_column(EnumText(MeasureStatus))
    evidence_url: Mapped[str | None] = mapped_column(sa.String(2000))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    confirmation: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (one_of("to_status", MeasureStatus),)

