"""/committees/<code>/documents and /documents/<id>: the HTML side of documents (the same operations as the API)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from association.committees.queries import committee_or_404
from association.core.errors import DomainError
from association.core.permissions import SIGNED_IN, accepts_uploads, access
from association.documents import operations, queries
from association.documents.labels import STATUS_LABELS
from association.documents.models import Document, DocumentStatus
from association.documents.rules import can_contribute, can_read_document
from association.extensions import db

bp = Blueprint("documents", __name__)


def _document_or_abort(document_id: int) -> Document:
    document = queries.get_document(document_id)
    if document is None:
        abort(404)
    if not can_read_document(current_user, document):
        abort(403)
    return document


def _messages(error: DomainError) -> list[str]:
    db.session.rollback()
    return [message for messages in (error.errors or {}).values() for message in messages] or [error.detail]


@bp.route("/committees/<code>/documents")
@access(SIGNED_IN)
def committee_documents(code: str):
    """A committee's documents (drafts for its members, approved ones for everyone) and the form to start one."""
    return _render_list(code)


def _render_list(code: str, errors: list[str] | None = None, status: int = 200):
    committee = committee_or_404(code)
    documents = db.session.scalars(queries.documents_query(committee, current_user).limit(200)).unique().all()
    return render_template("documents/list.html", committee=committee, documents=documents, errors=errors or [],
                           can_start=can_contribute(current_user, Document(committee_id=committee.id)),
                           form=request.form, status_labels=STATUS_LABELS), status


@bp.route("/committees/<code>/documents", methods=["POST"])
@access(SIGNED_IN)
def document_create(code: str):
    """Start a draft from the form."""
    committee = committee_or_404(code)
    form = request.form
    data = {"titles": {language: form.get(f"title_{language}", "") for language in ("kk", "ru", "en")},
            "tasks": [code.strip() for code in form.get("tasks", "").replace(",", " ").split() if code.strip()]}
    try:
        document = operations.create_document(current_user, committee, data)
    except DomainError as error:
        if error.status == 403:
            raise
        return _render_list(code, _messages(error), error.status)
    db.session.commit()
    flash(_("Document started."), "info")
    return redirect(url_for("documents.document_page", document_id=document.id))


@bp.route("/documents/<int:document_id>")
@access(SIGNED_IN)
def document_page(document_id: int):
    """A document: titles, status, versions with their files, comments, the tasks it fulfils."""
    return _render_document(_document_or_abort(document_id))


def _render_document(document: Document, errors: list[str] | None = None, status: int = 200):
    return render_template("documents/detail.html", document=document, errors=errors or [],
                           contributor=can_contribute(current_user, document), statuses=DocumentStatus,
                           status_labels=STATUS_LABELS), status


def _act(document_id: int, action) -> object:
    document = _document_or_abort(document_id)
    try:
        action(document)
    except DomainError as error:
        if error.status == 403:
            raise
        messages = _messages(error)
        return _render_document(_document_or_abort(document_id), messages, error.status)
    db.session.commit()
    flash(_("Document saved."), "info")
    return redirect(url_for("documents.document_page", document_id=document_id))


@bp.route("/documents/<int:document_id>", methods=["POST"])
@access(SIGNED_IN)
def document_status(document_id: int):
    """Move the document: send it for comment, back to draft, or (the coordinator) approve it."""
    return _act(document_id, lambda document: operations.update_document(
        current_user, document, {"status": request.form.get("status") or document.status.value}))


@bp.route("/documents/<int:document_id>/versions", methods=["POST"])
@access(SIGNED_IN)
@accepts_uploads
def document_version(document_id: int):
    """Upload a new version from the form."""
    upload = request.files.get("file")
    return _act(document_id, lambda document: operations.add_version(
        current_user, document, upload.filename if upload else None, upload.read() if upload else b"",
        request.form.get("note", "")))


@bp.route("/documents/<int:document_id>/comments", methods=["POST"])
@access(SIGNED_IN)
def document_comment(document_id: int):
    """Comment on the document."""
    return _act(document_id, lambda document: operations.comment_document(current_user, document,
                                                                          request.form.get("text", "")))
