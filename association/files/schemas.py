"""API shapes of files: the upload form and the metadata answered for a file."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from association.files.models import OwnerType
from association.files.owners import RULES

OWNER_TYPES = [owner_type.value for owner_type in RULES]


ID = ma.validate.Range(min=1, max=2_147_483_647)


class UploadArgs(ma.Schema):
    """The multipart body: the `file`, and its owning object: `owner_type` and `owner_id`, or one of the
    shorthands `task_id`, `meeting_id`, …"""

    file = Upload(required=True, metadata={"description": "PDF, DOCX, XLSX, ODT, ODS, PNG or JPEG; at most 20 MB"})

    owner_type = ma.fields.String(validate=ma.validate.OneOf(OWNER_TYPES),
                                  metadata={"description": "What the file belongs to"})
    owner_id = ma.fields.Integer(validate=ID, metadata={"description": "The id of the object it belongs to"})
    task_id = ma.fields.Integer(validate=ID)
    library_progress_id = ma.fields.Integer(validate=ID)
    meeting_id = ma.fields.Integer(validate=ID)
    document_id = ma.fields.Integer(validate=ID)
    library_id = ma.fields.Integer(validate=ID, metadata={
        "description": "With task_id: the file is evidence of that library's progress on that measure"})

    @ma.post_load
    def owner(self, data: dict, **kwargs: object) -> dict:
        if "library_id" in data:
            if set(data) - {"file"} != {"library_id", "task_id"}:
                raise ma.ValidationError("library_id goes with task_id (a library's progress on a measure) alone.",
                                         "library_id")
            return {"file": data["file"], "owner_type": OwnerType.LIBRARY_PROGRESS, "library_id": data["library_id"],
                    "task_id": data["task_id"]}
        named = [(owner_type, data[f"{owner_type}_id"]) for owner_type in OWNER_TYPES if f"{owner_type}_id" in data]
        if "owner_type" in data or "owner_id" in data:
            if "owner_type" not in data or "owner_id" not in data:
                raise ma.ValidationError("Give both owner_type and owner_id.", "owner_id")
            named.append((data["owner_type"], data["owner_id"]))
        if len(named) != 1:
            raise ma.ValidationError("Name exactly one owning object (owner_type and owner_id).", "owner_type")
        return {"file": data["file"], "owner_type": OwnerType(named[0][0]), "owner_id": named[0][1]}


class StoredFileSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    sha256 = ma.fields.String()
    owner_type = ma.fields.Function(lambda stored: stored.owner_type.value)
    owner_id = ma.fields.Integer()
    uploaded_at = ma.fields.DateTime()
