"""Who may read and change a document (SPEC §1): the committee's members and the coordinator work on it, the
coordinator approves it, and once approved every signed-in user reads it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from association.documents.models import Document, DocumentStatus
from association.extensions import db
from association.users.models import User


def load_document(document_id: int) -> Document | None:
    return db.session.get(Document, document_id)


def can_contribute(user: Any, document: Document) -> bool:
    """Upload versions, comment, send for comment: the committee's members and the coordinator."""
    return bool(user.is_authenticated and (user.is_coordinator or user.is_member_of(document.committee_id)))


def can_read_document(user: Any, document: Document) -> bool:
    return bool(user.is_authenticated and (document.status == DocumentStatus.APPROVED or can_contribute(user, document)))


def readable_clause(user: User) -> sa.ColumnElement[bool]:
    if user.is_coordinator:
        return sa.true()
    return sa.or_(Document.status == DocumentStatus.APPROVED.value,
                  Document.committee_id.in_(user.committee_ids() or {-1}))
