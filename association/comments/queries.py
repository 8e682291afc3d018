"""Reading a task's comments, oldest first, with their authors and mentions (a fixed number of queries)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from association.comments.models import CommentMention, TaskComment
from association.extensions import db
from association.users.models import as_person


def _with_people(query: sa.Select) -> sa.Select:
    return query.options(as_person(joinedload(TaskComment.user)),
                         selectinload(TaskComment.mentions).options(as_person(joinedload(CommentMention.user))))


def comments_query(task_id: int) -> sa.Select:
    """The task's comments, oldest first."""
    return _with_people(sa.select(TaskComment).where(TaskComment.task_id == task_id)
                        .order_by(TaskComment.at, TaskComment.id))


def get_comment(comment_id: int) -> TaskComment:
    """One comment with its author and mentions."""
    return db.session.scalars(_with_people(sa.select(TaskComment).where(TaskComment.id == comment_id))).unique().one()
