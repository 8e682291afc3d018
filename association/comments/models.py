"""A comment on a task, and the people it mentions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from association.core.models import Base, IdMixin, utcnow
from association.users.models import User


class TaskComment(IdMixin, Base):
    __tablename__ = "task_comments"

    task_id: Mapped[int] = mapped_column(sa.ForeignKey("roadmap_tasks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(sa.Text)

    user: Mapped[User | None] = relationship(lazy="raise_on_sql")
    mentions: Mapped[list[CommentMention]] = relationship(cascade="all, delete-orphan", lazy="raise_on_sql",
                                                          order_by="CommentMention.user_id")

    __table_args__ = (sa.CheckConstraint("text <> ''", name="text_not_empty"),)


class CommentMention(Base):
    """A user named with @ in a comment (they were told by e-mail)."""

    __tablename__ = "comment_mentions"

    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("task_comments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)

    user: Mapped[User] = relationship(lazy="raise_on_sql")
