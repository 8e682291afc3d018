"""A committee's meeting, its invitees, agenda items, decisions and published minutes (each version kept)."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from association.committees.models import Committee
from association.core.models import Base, EnumText, IdMixin, TimestampMixin, one_of, utcnow
from association.roadmap.models import RoadmapTask
from association.users.models import User


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    MINUTES_PUBLISHED = "minutes_published"


class Meeting(IdMixin, TimestampMixin, Base):
    __tablename__ = "meetings"

    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("committees.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(default=90)
    place: Mapped[str] = mapped_column(sa.String(500))  # a room, or a link to the video call
    language: Mapped[str] = mapped_column(sa.String(2), default="ru")  # of the invitation and the minutes' PDF
    status: Mapped[MeetingStatus] = mapped_column(EnumText(MeetingStatus), default=MeetingStatus.PLANNED)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    invitations_sent_at: Mapped[datetime | None]
    invitation_sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE: bumped by every re-send

    committee: Mapped[Committee] = relationship(lazy="raise_on_sql")
    invitees: Mapped[list[MeetingInvitee]] = relationship(cascade="all, delete-orphan", lazy="raise_on_sql",
                                                          order_by="MeetingInvitee.user_id")
    agenda: Mapped[list[AgendaItem]] = relationship(cascade="all, delete-orphan", lazy="raise_on_sql",
                                                    order_by="(AgendaItem.position, AgendaItem.id)")
    decisions: Mapped[list[Decision]] = relationship(cascade="all, delete-orphan", lazy="raise_on_sql",
                                                     order_by="Decision.id")
    minutes_versions: Mapped[list[MinutesVersion]] = relationship(cascade="all, delete-orphan", lazy="raise_on_sql",
                                                                  order_by="MinutesVersion.number")

    __table_args__ = (
        one_of("status", MeetingStatus),
        one_of("language", ("kk", "ru", "en")),
        sa.CheckConstraint("duration_minutes BETWEEN 5 AND 1440", name="duration_range"),
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_published(self) -> bool:
        return self.status == MeetingStatus.MINUTES_PUBLISHED


class MeetingInvitee(Base):
    """A person invited: the committee's members, and guests among the users; whether they attended."""

    __tablename__ = "meeting_invitees"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    guest: Mapped[bool] = mapped_column(default=False)
    attended: Mapped[bool | None]

    user: Mapped[User] = relationship(lazy="raise_on_sql")


class AgendaItem(IdMixin, Base):
    """One item of the agenda: free text or a linked task, and the minutes written for it."""

    __tablename__ = "agenda_items"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(500))
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("roadmap_tasks.id", ondelete="SET NULL"), index=True)
    minutes: Mapped[str] = mapped_column(sa.Text, default="")

    task: Mapped[RoadmapTask | None] = relationship(lazy="raise_on_sql")


class Decision(IdMixin, Base):
    """What the meeting decided; it may have created a task or changed one (the task's history says so)."""

    __tablename__ = "meeting_decisions"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_items.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("roadmap_tasks.id", ondelete="SET NULL"), index=True)
    created_task: Mapped[bool] = mapped_column(default=False)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    task: Mapped[RoadmapTask | None] = relationship(lazy="raise_on_sql")


class MinutesVersion(IdMixin, Base):
    """The minutes as published (number 1) or corrected (2, 3, …): a snapshot, never changed afterwards."""

    __tablename__ = "minutes_versions"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (sa.UniqueConstraint("meeting_id", "number"),)
