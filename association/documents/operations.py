"""Creating a document, uploading its versions, commenting, moving it draft → for comment → approved."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from association.committees.models import Committee
from association.core.errors import NotAllowed, StateConflict, ValidationFailed
from association.core.models import utcnow
from association.documents.models import Document, DocumentComment, DocumentStatus, DocumentTask, DocumentVersion
from association.documents.rules import can_contribute
from association.extensions import db
from association.files.models import OwnerType
from association.files.operations import store_file
from association.roadmap.models import RoadmapTask
from association.users.models import User

MAX_TEXT = 5000
# (from, to) -> who: "member" (the committee's members and the coordinator) or "coordinator"
TRANSITIONS = {
    (DocumentStatus.DRAFT, DocumentStatus.FOR_COMMENT): "member",
    (DocumentStatus.FOR_COMMENT, DocumentStatus.DRAFT): "member",
    (DocumentStatus.FOR_COMMENT, DocumentStatus.APPROVED): "coordinator",
}


def _check_contributor(user: User, document: Document) -> None:
    if not can_contribute(user, document):
        raise NotAllowed(_("Only the committee's members and the coordinator can work on its documents."))


def _titles(data: dict[str, Any]) -> dict[str, str]:
    titles = dict(data.get("titles") or {})
    for language in ("kk", "ru", "en"):
        titles.setdefault(language, data.get(f"title_{language}") or data.get("title") or "")
    missing = {f"titles.{language}": [_("A title is needed in every language.")]
               for language in ("kk", "ru", "en") if not (titles.get(language) or "").strip()}
    if missing:
        raise ValidationFailed(_("The document was not saved."), missing)
    return {language: titles[language].strip() for language in ("kk", "ru", "en")}


def _link_tasks(document: Document, codes: list[str]) -> None:
    tasks = db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.code.in_(codes))).all()
    unknown = sorted(set(codes) - {task.code for task in tasks})
    if unknown:
        raise ValidationFailed(_("Unknown task."), {"tasks": [_("No task has the code %(code)s.", code=unknown[0])]})
    db.session.execute(sa.delete(DocumentTask).where(DocumentTask.document_id == document.id))
    for task in tasks:
        db.session.add(DocumentTask(document_id=document.id, task_id=task.id))


def create_document(user: User, committee: Committee, data: dict[str, Any]) -> Document:
    """Start a draft document of the committee (its members and the coordinator)."""
    document = Document(committee_id=committee.id, status=DocumentStatus.DRAFT, created_by_id=user.id)
    _check_contributor(user, document)
    titles = _titles(data)
    document.title_kk, document.title_ru, document.title_en = titles["kk"], titles["ru"], titles["en"]
    db.session.add(document)
    db.session.flush()
    if data.get("tasks"):
        _link_tasks(document, data["tasks"])
    db.session.flush()
    return document


def update_document(user: User, document: Document, data: dict[str, Any]) -> None:
    """Change titles or linked tasks, or move the status (only the coordinator approves; approved is final)."""
    _check_contributor(user, document)
    target = DocumentStatus(data["status"]) if data.get("status") else None
    if document.status == DocumentStatus.APPROVED and (target != DocumentStatus.APPROVED or "titles" in data):
        raise StateConflict(_("The document is approved and can no longer change."))
    if any(name in data for name in ("titles", "title", "title_kk", "title_ru", "title_en")):
        titles = _titles({**{"titles": document.titles}, **data})
        document.title_kk, document.title_ru, document.title_en = titles["kk"], titles["ru"], titles["en"]
    if "tasks" in data:
        _link_tasks(document, data["tasks"] or [])
    if target is not None and target != document.status:
        who = TRANSITIONS.get((document.status, target))
        if who is None:
            raise StateConflict(_("A document goes draft → for comment → approved; it cannot go from %(from)s to "
                                  "%(to)s.", **{"from": document.status.value, "to": target.value}))
        if who == "coordinator" and not user.is_coordinator:
            raise NotAllowed(_("Only the coordinator approves documents."))
        if target == DocumentStatus.APPROVED:
            if not db.session.scalar(sa.select(DocumentVersion.id).where(DocumentVersion.document_id == document.id)):
                raise StateConflict(_("A document needs an uploaded version before it is approved."))
            document.approved_by_id, document.approved_at = user.id, utcnow()
        document.status = target
    db.session.flush()


def add_version(user: User, document: Document, name: str | None, data: bytes, note: str) -> DocumentVersion:
    """Upload a new version (a checked file and a note); an approved document takes no more versions (409)."""
    _check_contributor(user, document)
    if document.status == DocumentStatus.APPROVED:
        raise StateConflict(_("The document is approved and can no longer change."))
    if len(note or "") > MAX_TEXT:
        raise ValidationFailed(_("The note is too long."), {"note": [_("At most %(n)d characters.", n=MAX_TEXT)]})
    stored = store_file(user, OwnerType.DOCUMENT, document, name, data)
    number = (db.session.scalar(sa.select(sa.func.max(DocumentVersion.number))
                                .where(DocumentVersion.document_id == document.id)) or 0) + 1
    version = DocumentVersion(document_id=document.id, number=number, file_id=stored.id, note=(note or "").strip(),
                              uploaded_by_id=user.id, at=utcnow())
    db.session.add(version)
    document.updated_at = version.at
    db.session.flush()
    return version


def comment_document(user: User, document: Document, text: str) -> DocumentComment:
    """Comment on a document (the committee's members and the coordinator), whatever its status."""
    _check_contributor(user, document)
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise ValidationFailed(_("Write a comment."), {"text": [_("Write a comment.")]})
    comment = DocumentComment(document_id=document.id, user_id=user.id, at=utcnow(), text=text)
    db.session.add(comment)
    db.session.flush()
    return comment
