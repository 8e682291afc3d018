"""Task digests: each watcher and committee member gets one e-mail with the task changes they have not seen."""

from __future__ import annotations

import smtplib
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from association.committees.models import CommitteeMembership
from association.core.mail import absolute_url, build_message, smtp_connection
from association.extensions import db
from association.roadmap.labels import STATUS_LABELS
from association.roadmap.models import RoadmapTask, TaskHistory, TaskWatcher
from association.users.models import User


@dataclass
class Digest:
    user: User
    entries: list[TaskHistory] = field(default_factory=list)


def pending_digests() -> tuple[list[Digest], int]:
    """Who should hear about which history rows, and the newest history id (a fixed number of queries)."""
    newest = db.session.scalar(sa.select(sa.func.max(TaskHistory.id))) or 0
    watchers: dict[int, set[int]] = defaultdict(set)  # user id -> watched task ids
    for task_id, user_id in db.session.execute(sa.select(TaskWatcher.task_id, TaskWatcher.user_id)):
        watchers[user_id].add(task_id)
    committees: dict[int, set[int]] = defaultdict(set)  # user id -> committee ids
    for committee_id, user_id in db.session.execute(sa.select(CommitteeMembership.committee_id,
                                                              CommitteeMembership.user_id)):
        committees[user_id].add(committee_id)
    recipients = db.session.scalars(
        sa.select(User).where(User.id.in_(set(watchers) | set(committees)), User.is_active_account)
    ).all()
    if not recipients:
        return [], newest
    since = min(user.digest_history_id or 0 for user in recipients)
    entries = db.session.scalars(
        sa.select(TaskHistory).where(TaskHistory.id > since, TaskHistory.id <= newest)
        .options(joinedload(TaskHistory.task).joinedload(RoadmapTask.committee), joinedload(TaskHistory.user))
        .order_by(TaskHistory.task_id, TaskHistory.id)
    ).unique().all()
    digests = []
    for user in recipients:
        mark = user.digest_history_id
        mine = [
            entry for entry in entries
            if entry.user_id != user.id
            and (entry.id > mark if mark is not None else entry.at >= user.created_at)
            and (entry.task_id in watchers[user.id] or entry.task.committee_id in committees[user.id])
        ]
        digests.append(Digest(user, mine))
    return digests, newest


def send_task_digests(dry_run: bool = False) -> tuple[int, list[str]]:
    """Mail every pending digest; answers (messages sent, addresses that failed). Marks advance only on success."""
    digests, newest = pending_digests()
    sent, failed = 0, []
    to_send = [digest for digest in digests if digest.entries]
    if dry_run:
        return len(to_send), []
    if to_send:
        with smtp_connection() as connection:
            for digest in to_send:
                with force_locale(digest.user.locale or "en"):
                    subject = _("Roadmap: %(count)d task changes", count=len(digest.entries))
                    body = render_template("roadmap/email/digest.txt", user=digest.user, entries=digest.entries,
                                           absolute_url=absolute_url, status_labels=STATUS_LABELS)
                try:
                    connection.send_message(build_message(digest.user.email, subject, body))
                except smtplib.SMTPException:
                    failed.append(digest.user.email)
                    continue
                digest.user.digest_history_id = newest
                sent += 1
    for digest in digests:
        if not digest.entries:
            digest.user.digest_history_id = newest  # nothing to tell: they are up to date
    db.session.flush()
    return sent, failed
