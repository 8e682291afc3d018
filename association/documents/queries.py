"""Reading documents: one with its versions, comments and tasks; a committee's list; a task's approved documents."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from association.committees.models import Committee
from association.documents.models import Document, DocumentComment, DocumentStatus, DocumentTask, DocumentVersion
from association.documents.rules import readable_clause
from association.extensions import db
from association.roadmap.models import RoadmapTask
from association.users.models import User


def _full(query: sa.Select) -> sa.Select:
    return query.options(
        joinedload(Document.committee),
        selectinload(Document.versions).options(joinedload(DocumentVersion.file),
                                                joinedload(DocumentVersion.uploaded_by)),
        selectinload(Document.comments).options(joinedload(DocumentComment.user)),
        selectinload(Document.tasks).load_only(RoadmapTask.code, RoadmapTask.id, raiseload=True),
    )


def get_document(document_id: int) -> Document | None:
    return db.session.scalars(_full(sa.select(Document).where(Document.id == document_id))
                              .execution_options(populate_existing=True)).unique().one_or_none()


def documents_query(committee: Committee, user: User) -> sa.Select:
    """The committee's documents the user may read, newest first."""
    return _full(sa.select(Document).where(Document.committee_id == committee.id, readable_clause(user))
                 .order_by(Document.created_at.desc(), Document.id.desc()))


def approved_documents_of_task(task_id: int) -> list[Document]:
    """The approved documents that fulfil a task (for the task's page)."""
    return list(db.session.scalars(
        sa.select(Document).join(DocumentTask, DocumentTask.document_id == Document.id)
        .where(DocumentTask.task_id == task_id, Document.status == DocumentStatus.APPROVED)
        .order_by(Document.approved_at)))
