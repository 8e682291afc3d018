"""API shapes of documents."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from association.documents.models import DocumentStatus
from association.files.schemas import StoredFileSchema

STATUSES = [status.value for status in DocumentStatus]
TITLE = ma.validate.Length(min=1, max=500)


class DocumentTitlesArgs(ma.Schema):
    kk = ma.fields.String(validate=TITLE)
    ru = ma.fields.String(validate=TITLE)
    en = ma.fields.String(validate=TITLE)


class DocumentArgs(ma.Schema):
    titles = ma.fields.Nested(DocumentTitlesArgs, metadata={"description": "The title in kk, ru and en"})
    title = ma.fields.String(validate=TITLE, metadata={"description": "One title for the languages not given"})
    tasks = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=20)),
                           validate=ma.validate.Length(max=100), metadata={"description": "Codes of the tasks it fulfils"})


class DocumentPatchArgs(DocumentArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES),
                              metadata={"description": "draft → for_comment → approved (the coordinator)"})

    @ma.pre_load
    def status_aliases(self, data: object, **kwargs: object) -> object:
        """`for comment` and `for-comment` are read as `for_comment`."""
        if isinstance(data, dict) and data.get("status") in ("for comment", "for-comment"):
            return {**data, "status": DocumentStatus.FOR_COMMENT.value}
        return data


class VersionArgs(ma.Schema):
    """The multipart body of a new version: the `file` and a `note`."""

    file = Upload(required=True, metadata={"description": "PDF, DOCX, XLSX, ODT, ODS, PNG or JPEG; at most 20 MB"})
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))


class DocumentCommentArgs(ma.Schema):
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=5000))


class DocumentVersionSchema(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.Integer()
    note = ma.fields.String()
    at = ma.fields.DateTime()
    uploaded_by = ma.fields.Function(lambda version: version.uploaded_by.name if version.uploaded_by else None)
    file = ma.fields.Nested(StoredFileSchema)


class DocumentCommentSchema(ma.Schema):
    id = ma.fields.Integer()
    at = ma.fields.DateTime()
    user = ma.fields.Function(lambda comment: comment.user.name if comment.user else None)
    text = ma.fields.String()


class DocumentSchema(ma.Schema):
    id = ma.fields.Integer()
    committee = ma.fields.Function(lambda document: document.committee.code)
    title = ma.fields.String()
    titles = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    status = ma.fields.Function(lambda document: document.status.value, metadata={"enum": STATUSES})
    approved_at = ma.fields.DateTime(allow_none=True)
    tasks = ma.fields.Function(lambda document: [task.code for task in document.tasks],
                               metadata={"type": "array", "items": {"type": "string"}})
    versions = ma.fields.List(ma.fields.Nested(DocumentVersionSchema))
    comments = ma.fields.List(ma.fields.Nested(DocumentCommentSchema))
