"""Commenting on a task, finding the @mentions in a comment, and telling the mentioned people."""

from __future__ import annotations

import logging
import re
import smtplib

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from association.comments.models import CommentMention, TaskComment
from association.core.errors import NotAllowed, ValidationFailed
from association.core.mail import absolute_url, build_message, smtp_connection
from association.core.models import utcnow
from association.extensions import db
from association.roadmap.models import RoadmapTask, TaskHistory
from association.roadmap.operations import MAX_COMMENT_LENGTH, can_update_task
from association.users.models import User

log = logging.getLogger(__name__)

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
    for mentioned in find_mentions(text):
        db.session.add(CommentMention(comment_id=comment.id, user_id=mentioned.id))
    # In the history too, as a change of nothing but words (the task's own version does not move).
    db.session.add(TaskHistory(task_id=task.id, at=now, user_id=user.id, from_status=task.status,
                               to_status=task.status, progress_percent=task.progress_percent, comment=text))
    db.session.flush()
    return comment


def notify_mention(comment: TaskComment, task: RoadmapTask, author: User, mentioned: list[User]) -> list[str]:
    """E-mail each mentioned person (not the author) that they were named in a comment; answers the addresses that
    could not be reached (logged: the comment stands). The one place mention mail goes out: point it at an outbox."""
    recipients = [user for user in mentioned if user.id != author.id]
    failed: list[str] = []
    if not recipients:
        return failed
    link = absolute_url("roadmap.task_detail", task_id=task.id)
    try:
        with smtp_connection() as connection:
            for user in recipients:
                with force_locale(user.locale or "en"):
                    subject = _("%(name)s mentioned you on task %(code)s", name=author.name, code=task.code)
                    body = render_template("comments/email/mention.txt", user=user, author=author, task=task,
                                           comment=comment, link=link)
                try:
                    connection.send_message(build_message(user.email, subject, body))
                except smtplib.SMTPException:
                    failed.append(user.email)
    except (OSError, smtplib.SMTPException):
        log.warning("Mention e-mail for comment %s not sent: the mail server cannot be reached.", comment.id)
        failed = [user.email for user in recipients]
    return failed
