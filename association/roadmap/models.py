"""Roadmap tasks, their history (one row per change, never overwritten) and their watchers."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from association.committees.models import Committee
from association.core.models import Base, EnumText, IdMixin, TimestampMixin, localized, one_of, utcnow
from association.programme.models import Direction, Programme
from association.users.models import User


class TaskStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    CANCELLED = "cancelled"
    # Set only by a programme's close-out: the work goes on in a task of the next programme.
    CARRIED_OVER = "carried_over"


# Statuses after which a task no longer counts as overdue.
CLOSED_STATUSES = frozenset({TaskStatus.DONE, TaskStatus.CANCELLED, TaskStatus.CARRIED_OVER})
# The statuses a programme's close-out asks a decision for.
UNFINISHED_STATUSES = frozenset({TaskStatus.PLANNED, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED})


class RoadmapTask(IdMixin, TimestampMixin, Base):
    __tablename__ = "roadmap_tasks"

    # Codes are unique within a programme: the next programme numbers its tasks afresh.
    code: Mapped[str] = mapped_column(sa.String(20))
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    direction_id: Mapped[int] = mapped_column(sa.ForeignKey("directions.id"), index=True)
    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("committees.id"), index=True)
    title_kk: Mapped[str] = mapped_column(sa.String(500))
    title_ru: Mapped[str] = mapped_column(sa.String(500))
    title_en: Mapped[str] = mapped_column(sa.String(500))
    descriptions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    planned_year: Mapped[int]
    due_date: Mapped[date] = mapped_column(index=True)
    status: Mapped[TaskStatus] = mapped_column(EnumText(TaskStatus), default=TaskStatus.PLANNED, index=True)
    progress_percent: Mapped[int] = mapped_column(default=0)
    expected_results: Mapped[dict[str, Any]] = mapped_column(default=dict)
    indicators: Mapped[dict[str, Any]] = mapped_column(default=dict)
    target_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    target_unit: Mapped[str | None] = mapped_column(sa.String(40))
    library_level: Mapped[bool] = mapped_column(default=False, index=True)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The task of an earlier programme this one continues (carried over at its close-out).
    carried_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("roadmap_tasks.id"), index=True)
    # Optimistic locking: every UPDATE checks and bumps it, so two saves of one version cannot both win.
    version: Mapped[int] = mapped_column(default=1)

    direction: Mapped[Direction] = relationship(lazy="raise_on_sql")
    programme: Mapped[Programme] = relationship(lazy="raise_on_sql")
    carried_from: Mapped[RoadmapTask | None] = relationship(remote_side="RoadmapTask.id", lazy="raise_on_sql")
    committee: Mapped[Committee] = relationship(lazy="raise_on_sql")
    assignee: Mapped[User | None] = relationship(lazy="raise_on_sql")
    history: Mapped[list[TaskHistory]] = relationship(
        back_populates="task", cascade="all, delete-orphan", lazy="raise_on_sql",
        order_by="(TaskHistory.at.desc(), TaskHistory.id.desc())",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("programme_id", "code"),
        one_of("status", TaskStatus),
        sa.CheckConstraint("progress_percent BETWEEN 0 AND 100", name="progress_percent_range"),
        sa.CheckConstraint("planned_year BETWEEN 2000 AND 2100", name="planned_year_range"),
    )

    @property
    def titles(self) -> dict[str, str]:
        return {"kk": self.title_kk, "ru": self.title_ru, "en": self.title_en}

    @property
    def title(self) -> str:
        return localized(self.titles)

    def is_overdue(self, today: date | None = None) -> bool:
        """Derived, never stored: the due date has passed and the task is neither done nor cancelled."""
        return self.status not in CLOSED_STATUSES and self.due_date < (today or date.today())

    def __repr__(self) -> str:
        return f"<RoadmapTask {self.code} {self.status.value}>"


@sa.event.listens_for(RoadmapTask, "before_insert")
def _programme_of_direction(_mapper: Any, connection: sa.Connection, task: RoadmapTask) -> None:
    """A task made without naming its programme belongs to its direction's programme."""
    if task.programme_id is None and task.direction_id is not None:
        task.programme_id = connection.scalar(
            sa.select(Direction.programme_id).where(Direction.id == task.direction_id))


class TaskHistory(IdMixin, Base):
    """One change of a task: who, when, from → to, progress and comment."""

    __tablename__ = "task_history"

    task_id: Mapped[int] = mapped_column(sa.ForeignKey("roadmap_tasks.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    from_status: Mapped[TaskStatus | None] = mapped_column(EnumText(TaskStatus))
    to_status: Mapped[TaskStatus] = mapped_column(EnumText(TaskStatus))
    progress_percent: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_url: Mapped[str | None] = mapped_column(sa.String(2000))

    task: Mapped[RoadmapTask] = relationship(back_populates="history", lazy="raise_on_sql")
    user: Mapped[User | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        one_of("to_status", TaskStatus),
        sa.CheckConstraint(
            "from_status IS NULL OR from_status IN ('planned', 'in_progress', 'blocked', 'done', 'cancelled',"
            " 'carried_over')",
            name="from_status_allowed",
        ),
        sa.CheckConstraint("progress_percent BETWEEN 0 AND 100", name="progress_percent_range"),
    )


class TaskWatcher(Base):
    """A user who asked for an e-mail digest of a task's changes."""

    __tablename__ = "task_watchers"

    task_id: Mapped[int] = mapped_column(sa.ForeignKey("roadmap_tasks.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    since: Mapped[datetime] = mapped_column(default=utcnow)


class CloseoutAction(enum.StrEnum):
    CARRY_OVER = "carry_over"
    CANCEL = "cancel"
    DONE = "done"


class CloseoutDecision(IdMixin, Base):
    """What the coordinator decided, during a programme's close-out, for one of its unfinished tasks."""

    __tablename__ = "closeout_decisions"

    task_id: Mapped[int] = mapped_column(sa.ForeignKey("roadmap_tasks.id", ondelete="CASCADE"), unique=True)
    action: Mapped[CloseoutAction] = mapped_column(EnumText(CloseoutAction))
    to_programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id"))
    due_date: Mapped[date | None]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the programme closes: the task that continues this one in the target programme.
    new_task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("roadmap_tasks.id", ondelete="SET NULL"))

    task: Mapped[RoadmapTask] = relationship(foreign_keys=[task_id], lazy="raise_on_sql")
    to_programme: Mapped[Programme | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        one_of("action", CloseoutAction),
        sa.CheckConstraint("action <> 'carry_over' OR to_programme_id IS NOT NULL", name="carry_over_has_target"),
    )
