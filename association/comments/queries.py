"""Reading a task's comments, oldest first, with their authors and mentions (a fixed number of queries)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from association.comments.models import CommentMention, TaskComment
from association.committees.models import CommitteeMembership
from association.extensions import db
from association.files.models import OwnerType, StoredFile
from association.files.operations import files_of
from association.roadmap.models import RoadmapTask
from association.roadmap.operations import can_assign_task, can_update_task
from association.users.models import User, as_person


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


@dataclass(frozen=True)
class TaskWork:
    """What a task's page shows of its collaboration: owner, discussion, evidence files, documents it fulfils."""

    comments: list[TaskComment]
    files: list[StoredFile]
    documents: list[Any]
    members: list[Any]  # (id, name) rows
    can_comment: bool
    can_assign: bool


def task_work(task: RoadmapTask, user: User) -> TaskWork:
    """The collaboration part of a task's page (a fixed number of queries)."""
    from association.documents.queries import approved_documents_of_task

    can_assign = can_assign_task(user, task)
    members = list(db.session.execute(  # only the chair's form needs them
        sa.select(User.id, User.name).join(CommitteeMembership, CommitteeMembership.user_id == User.id)
        .where(CommitteeMembership.committee_id == task.committee_id, User.is_active_account).order_by(User.name)
    ).all()) if can_assign else []
    return TaskWork(
        comments=list(db.session.scalars(comments_query(task.id)).unique()),
        files=files_of(OwnerType.TASK, [task.id])[task.id],
        documents=approved_documents_of_task(task.id),
        members=members,
        can_comment=can_update_task(user, task),
        can_assign=can_assign,
    )
