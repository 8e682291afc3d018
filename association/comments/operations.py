"""Commenting on a task, finding the @mentions in a comment, and telling the mentioned people."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from association.comments.models import CommentMention, TaskComment
from association.core.errors import NotAllowed, ValidationFailed
from association.core.models import utcnow
from association.extensions import db
from association.notifications.kinds import register_kind
from association.notifications.operations import enqueue
from association.roadmap.models import RoadmapTask, TaskHistory
from association.roadmap.operations import MAX_COMMENT_LENGTH, can_update_task
from association.users.models import User

# Everyone can be named in a comment, so every account page offers the switch.
TASK_MENTION = register_kind("task_mention", _l("I am mentioned in a comment on a task")).code

# "@aigerim", "@a.bekova", "@Айгерім_Бекова", "@someone@example.org"
MENTION = re.compile(r"(?<![\w@])@([\w][\w.+-]*(?:@[\w-]+(?:\.[\w-]+)+)?)")


def _handles(user: User) -> set[str]:
    """The ways a comment may name a user: the e-mail, its local part, the name without spaces (or with . or _)."""
    local = user.email.split("@", 1)[0]
    words = user.name.split()
    return {handle.casefold() for handle in (user.email, local, "".join(words), ".".join(words), "_".join(words))}


def find_mentions(text: str) -> list[User]:
    """The active users the text names with @ (a handle that fits several people names no one)."""
    tokens = {token.rstrip(".").casefold() for token in MENTION.findall(text)}
    if not tokens:
        return []
    users = db.session.scalars(sa.select(User).where(User.is_active_account).order_by(User.id)).all()
    found: list[User] = []
    for token in tokens:
        matches = [user for user in users if token in _handles(user)]
        if len(matches) == 1 and matches[0] not in found:
            found.append(matches[0])
    return sorted(found, key=lambda user: user.id)


def add_comment(task: RoadmapTask, user: User, text: str) -> TaskComment:
    """Comment on a task (its committee's members and the coordinator); the comment also goes to the history."""
    if not can_update_task(user, task):
        raise NotAllowed(_("Only members of the task's committee and the coordinator can comment on this task."))
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Write a comment."), {"text": [_("Write a comment.")]})
    if len(text) > MAX_COMMENT_LENGTH:
        raise ValidationFailed(_("The comment is too long."),
                               {"text": [_("At most %(n)d characters.", n=MAX_COMMENT_LENGTH)]})
    now = utcnow()
    comment = TaskComment(task_id=task.id, user_id=user.id, at=now, text=text)
    db.session.add(comment)
    db.session.flush()
    mentioned = find_mentions(text)
    for person in mentioned:
        db.session.add(CommentMention(comment_id=comment.id, user_id=person.id))
    # In the history too, as a change of nothing but words (the task's own version does not move).
    db.session.add(TaskHistory(task_id=task.id, at=now, user_id=user.id, from_status=task.status,
                               to_status=task.status, progress_percent=task.progress_percent, comment=text))
    db.session.flush()
    # Written to the outbox in this transaction: delivered after the commit, retried by `flask mail deliver`.
    enqueue(TASK_MENTION, [person for person in mentioned if person.id != user.id], "comments/email/mention.txt",
            {"author": user, "task": task, "comment": comment})
    return comment
