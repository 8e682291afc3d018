"""Changing roadmap tasks: status, progress and comments, each change written to the task's history."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from association.core.errors import NotAllowed, StaleVersion, StateConflict, ValidationFailed
from association.core.models import utcnow
from association.extensions import db
from association.roadmap.models import RoadmapTask, TaskHistory, TaskStatus
from association.roadmap.workflow import Actor, allowed_targets, required_actor
from association.users.models import User

MAX_COMMENT_LENGTH = 5000


def actor_for(user: User, task: RoadmapTask) -> Actor | None:
    """How much the user may do to this task: None when they may not change it at all."""
    if user.is_coordinator:
        return Actor.COORDINATOR
    if user.chairs(task.committee_id):
        return Actor.CHAIR
    if user.is_member_of(task.committee_id):
        return Actor.MEMBER
    return None


def can_update_task(user: User, task: RoadmapTask) -> bool:
    """Members of the task's committee, its chair, the coordinator and the admin may update a task."""
    return actor_for(user, task) is not None


def update_task(task: RoadmapTask, user: User, *, status: TaskStatus | None = None,
                progress_percent: int | None = None, comment: str = "", evidence_url: str | None = None,
                expected_version: int | None = None) -> TaskHistory:
    """Apply a status/progress/comment change by `user`, checking permission, workflow and version."""
    actor = actor_for(user, task)
    if actor is None:
        raise NotAllowed(_("Only members of the task's committee and the coordinator can update this task."))
    if expected_version is not None and expected_version != task.version:
        raise StaleVersion(_("The task was changed by someone else since you loaded it."))
    if progress_percent is not None and not 0 <= progress_percent <= 100:
        raise ValidationFailed(_("Progress must be between 0 and 100."),
                               {"progress_percent": [_("A whole number from 0 to 100.")]})
    if len(comment or "") > MAX_COMMENT_LENGTH:
        raise ValidationFailed(_("The comment is too long."),
                               {"comment": [_("At most %(n)d characters.", n=MAX_COMMENT_LENGTH)]})

    before = task.status
    if status is not None and status != before:
        needed = required_actor(before, status)
        if needed is None or actor < needed:
            allowed = ", ".join(s.value for s in allowed_targets(before, actor)) or _("none")
            raise StateConflict(
                _("A task cannot go from %(from)s to %(to)s. Allowed now: %(allowed)s.",
                  **{"from": before.value, "to": status.value, "allowed": allowed}),
                {"status": [_("Allowed: %(allowed)s.", allowed=allowed)]},
            )
        task.status = status
        if status == TaskStatus.DONE and progress_percent is None:
            progress_percent = 100
    if progress_percent is not None:
        task.progress_percent = progress_percent
    if status in (None, before) and progress_percent in (None, task.progress_percent) and not comment and not evidence_url:
        if not db.session.is_modified(task):
            raise ValidationFailed(_("Nothing to change."), {"status": [_("Give a status, a progress or a comment.")]})

    entry = TaskHistory(
        task_id=task.id, at=utcnow(), user_id=user.id, from_status=before, to_status=task.status,
        progress_percent=task.progress_percent, comment=comment or "", evidence_url=evidence_url,
    )
    db.session.add(entry)
    task.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(_("The task was changed by someone else at the same time.")) from None
    return entry
