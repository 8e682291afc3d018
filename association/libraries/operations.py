"""Changing member libraries and their progress on the library-level measures."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from association.core.errors import NotAllowed, StateConflict, ValidationFailed
from association.core.models import utcnow
from association.extensions import db
from association.libraries.models import (
    LibraryProgress,
    LibraryProgressHistory,
    MeasureStatus,
    MemberLibrary,
    MembershipStatus,
)
from association.roadmap.models import RoadmapTask
from association.users.models import User


def can_edit_progress(user: User, library: MemberLibrary, task: RoadmapTask) -> bool:
    """The library's representative, the responsible committee's members and the coordinator."""
    return user.is_coordinator or user.represents(library.id) or user.is_member_of(task.committee_id)


def set_measure_progress(library: MemberLibrary, task: RoadmapTask, user: User, *, status: MeasureStatus,
                         evidence_url: str | None = None, note: str = "") -> LibraryProgress:
    """Record where a library stands on a library-level measure; the change goes to the progress history."""
    if not can_edit_progress(user, library, task):
        raise NotAllowed(_("You cannot change this library's progress."))
    if not task.library_level:
        raise ValidationFailed(_("This task is not a library-level measure."),
                               {"task_id": [_("Not a library-level measure.")]})
    if library.membership_status == MembershipStatus.LEFT:
        raise StateConflict(_("This library has left the Association."))
    if evidence_url and not evidence_url.lower().startswith(("http://", "https://")):
        raise ValidationFailed(_("The evidence link must be an http(s) address."),
                               {"evidence_url": [_("Must start with http:// or https://.")]})
    progress = db.session.scalar(
        sa.select(LibraryProgress).where(LibraryProgress.library_id == library.id, LibraryProgress.task_id == task.id)
    )
    before = progress.status if progress else None
    if progress is None:
        progress = LibraryProgress(library_id=library.id, task_id=task.id)
        db.session.add(progress)
    now = utcnow()
    progress.status, progress.evidence_url, progress.note = status, evidence_url, note or ""
    progress.updated_by_id, progress.updated_at = user.id, now
    # A committee member or the coordinator who saves a library's progress confirms it.
    confirming = not user.represents(library.id)
    if confirming:
        progress.confirmed_by_id, progress.confirmed_at = user.id, now
    db.session.flush()
    db.session.add(LibraryProgressHistory(
        progress_id=progress.id, at=now, user_id=user.id, from_status=before, to_status=status,
        evidence_url=evidence_url, note=note or "", confirmation=confirming,
    ))
    db.session.flush()
    return progress
