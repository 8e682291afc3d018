"""The objects files belong to, and who may read them or attach files to them (the owning object's own rules)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from association.extensions import db
from association.files.models import OwnerType
from association.users.models import User


@dataclass(frozen=True)
class OwnerRules:
    model: Any
    load: Callable[[int], Any]
    can_read: Callable[[User, Any], bool]
    can_attach: Callable[[User, Any], bool]


def _task_rules() -> OwnerRules:
    from association.roadmap.models import RoadmapTask
    from association.roadmap.operations import can_update_task

    return OwnerRules(RoadmapTask, lambda owner_id: db.session.get(RoadmapTask, owner_id),
                      lambda user, task: user.is_authenticated, can_update_task)


def _progress_rules() -> OwnerRules:
    from association.libraries.models import LibraryProgress
    from association.libraries.operations import can_edit_progress

    def load(owner_id: int) -> Any:
        return db.session.scalars(
            sa.select(LibraryProgress).where(LibraryProgress.id == owner_id)
            .options(joinedload(LibraryProgress.library), joinedload(LibraryProgress.task))
        ).one_or_none()

    return OwnerRules(LibraryProgress, load, lambda user, progress: user.is_authenticated,
                      lambda user, progress: can_edit_progress(user, progress.library, progress.task))


def _meeting_rules() -> OwnerRules:
    from association.meetings import rules
    from association.meetings.models import Meeting

    return OwnerRules(Meeting, rules.load_meeting, rules.can_read_meeting, rules.can_edit_meeting)


def _document_rules() -> OwnerRules:
    from association.documents import rules
    from association.documents.models import Document

    return OwnerRules(Document, rules.load_document, rules.can_read_document, rules.can_contribute)


RULES: dict[OwnerType, Callable[[], OwnerRules]] = {
    OwnerType.TASK: _task_rules,
    OwnerType.LIBRARY_PROGRESS: _progress_rules,
    OwnerType.MEETING: _meeting_rules,
    OwnerType.DOCUMENT: _document_rules,
}


def rules_for(owner_type: OwnerType) -> OwnerRules:
    return RULES[owner_type]()


def owner_type_of(instance: Any) -> OwnerType | None:
    """The owner type of an ORM object, or None when files cannot belong to it."""
    for owner_type in RULES:
        if isinstance(instance, rules_for(owner_type).model):
            return owner_type
    return None
