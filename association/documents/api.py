"""/api/v1/committees/{code}/documents and /api/v1/documents/{id}: documents, versions (multipart), comments."""

from __future__ import annotations

from flask import abort
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user

from association.committees.queries import committee_or_404
from association.core.api import Blueprint
from association.core.errors import NotAllowed
from association.core.pagination import PageArgs, one_page, page_schema
from association.core.permissions import SIGNED_IN, accepts_uploads, access
from association.documents import operations, queries
from association.documents.models import Document, DocumentComment, DocumentVersion
from association.documents.rules import can_read_document
from association.documents.schemas import (
    DocumentArgs,
    DocumentCommentArgs,
    DocumentCommentSchema,
    DocumentPatchArgs,
    DocumentSchema,
    DocumentVersionSchema,
    VersionArgs,
)
from association.extensions import db

committee_blp = Blueprint("committee_documents_api", __name__, url_prefix="/api/v1/committees",
                          description="Committee documents")
blp = Blueprint("documents_api", __name__, url_prefix="/api/v1/documents", description="Committee documents")


def readable_document(document_id: int) -> Document:
    """The document with its versions and comments: 404 when missing, 403 when not yours to read (yet)."""
    document = queries.get_document(document_id)
    if document is None:
        abort(404)
    if not can_read_document(current_user, document):
        raise NotAllowed(_("Only the committee's members and the coordinator read a document before it is approved."))
    return document


@committee_blp.route("/<code>/documents")
class CommitteeDocuments(MethodView):
    @access(SIGNED_IN)
    @committee_blp.arguments(PageArgs, location="query")
    @committee_blp.response(200, page_schema(DocumentSchema))
    @committee_blp.alt_response(404, description="No such committee")
    def get(self, args: dict, code: str) -> dict:
        """The committee's documents you may read (every approved one), newest first"""
        committee = committee_or_404(code)
        return one_page(queries.documents_query(committee, current_user), args)

    @access(SIGNED_IN)
    @committee_blp.arguments(DocumentArgs)
    @committee_blp.response(201, DocumentSchema)
    @committee_blp.alt_response(403, description="Not a member of the committee")
    @committee_blp.alt_response(404, description="No such committee")
    def post(self, args: dict, code: str) -> Document:
        """Start a draft document (titles in kk/ru/en, the tasks it fulfils)"""
        committee = committee_or_404(code)
        document = operations.create_document(current_user, committee, args)
        db.session.commit()
        return readable_document(document.id)


@blp.route("/<int:document_id>")
class DocumentDetail(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, DocumentSchema)
    @blp.alt_response(403, description="Not approved, and not your committee's")
    @blp.alt_response(404, description="No such document")
    def get(self, document_id: int) -> Document:
        """One document with its versions, comments and tasks"""
        return readable_document(document_id)

    @access(SIGNED_IN)
    @blp.arguments(DocumentPatchArgs)
    @blp.response(200, DocumentSchema)
    @blp.alt_response(403, description="Not a member of the committee; or approving without being the coordinator")
    @blp.alt_response(409, description="Approved documents are final, or the status cannot go there")
    def patch(self, args: dict, document_id: int) -> Document:
        """Change titles or tasks, or the status: draft → for_comment → approved (the coordinator approves)"""
        operations.update_document(current_user, readable_document(document_id), args)
        db.session.commit()
        return readable_document(document_id)


@blp.route("/<int:document_id>/versions")
class Versions(MethodView):
    @access(SIGNED_IN)
    @accepts_uploads
    @blp.arguments(VersionArgs, location="multipart")
    @blp.response(201, DocumentVersionSchema)
    @blp.alt_response(403, description="Not a member of the committee")
    @blp.alt_response(409, description="The document is approved")
    @blp.alt_response(413, description="The file is over the size limit")
    def post(self, form: dict, document_id: int) -> DocumentVersion:
        """Upload a new version (multipart: `file` and `note`); the type is read from the content"""
        upload = form["file"]
        version = operations.add_version(current_user, readable_document(document_id), upload.filename,
                                         upload.read(), form["note"])
        db.session.commit()
        return next(item for item in readable_document(document_id).versions if item.id == version.id)


@blp.route("/<int:document_id>/comments")
class Comments(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(DocumentCommentArgs)
    @blp.response(201, DocumentCommentSchema)
    @blp.alt_response(403, description="Not a member of the committee")
    def post(self, args: dict, document_id: int) -> DocumentComment:
        """Comment on a document (the committee's members and the coordinator)"""
        comment = operations.comment_document(current_user, readable_document(document_id), args["text"])
        db.session.commit()
        return next(item for item in readable_document(document_id).comments if item.id == comment.id)
