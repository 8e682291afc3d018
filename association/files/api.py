"""/api/v1/files: upload a file to an object (multipart), read its metadata, download it, remove it."""

from __future__ import annotations

from typing import Any

from flask import Response, request, send_file
from flask.views import MethodView
from flask_login import current_user

from association.core.api import Blueprint
from association.core.permissions import SIGNED_IN, accepts_uploads, access
from association.extensions import db
from association.files import operations, storage
from association.files.models import StoredFile
from association.files.schemas import StoredFileSchema, UploadArgs

blp = Blueprint("files_api", __name__, url_prefix="/api/v1/files", description="Files attached to objects")


def download(stored: StoredFile) -> Response:
    """The stored bytes as an attachment, with the type found at upload and no sniffing."""
    response = send_file(storage.path_for(stored.storage_key), mimetype=stored.content_type, as_attachment=True,
                         download_name=stored.name, conditional=False, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-SHA256"] = stored.sha256
    return response


def wants_metadata() -> bool:
    """`Accept: application/json` asks for the metadata; anything else (or nothing) downloads the file."""
    accept = request.accept_mimetypes
    return accept.best_match(["application/octet-stream", "application/json"]) == "application/json" \
        and accept["application/json"] > accept["application/octet-stream"]


@blp.route("")
class Files(MethodView):
    @access(SIGNED_IN)
    @accepts_uploads
    @blp.arguments(UploadArgs, location="multipart")
    @blp.response(201, StoredFileSchema)
    @blp.alt_response(403, description="You cannot attach files to this object")
    @blp.alt_response(404, description="No such object")
    @blp.alt_response(413, description="The file is over the size limit")
    def post(self, form: dict) -> StoredFile:
        """Attach a file to an object (multipart: `file`, `owner_type`, `owner_id`); the type is read from the content

        Owners: `task`, `library_progress` (or `library_id` with `task_id`), `meeting`, `document`."""
        if "library_id" in form:
            owner = operations.load_progress_owner(form["library_id"], form["task_id"])
        else:
            owner = operations.load_owner(form["owner_type"], form["owner_id"])
        upload = form["file"]
        stored = operations.store_file(current_user, form["owner_type"], owner, upload.filename, upload.read())
        db.session.commit()
        return stored


@blp.route("/<int:file_id>")
class FileDetail(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, StoredFileSchema, content_type="application/octet-stream",
                  description="The file (attachment); its metadata with Accept: application/json")
    @blp.alt_response(403, description="You cannot read the object the file belongs to")
    @blp.alt_response(404, description="No such file")
    def get(self, file_id: int) -> Any:
        """Download a file (after a read check on its owner), or its metadata with Accept: application/json"""
        stored = operations.readable_file(current_user, file_id)
        if wants_metadata():
            return stored
        return download(stored)

    @access(SIGNED_IN)
    @blp.response(204)
    @blp.alt_response(403, description="You cannot remove files of this object")
    @blp.alt_response(404, description="No such file")
    def delete(self, file_id: int) -> None:
        """Remove a file (those who may attach files to its owner)"""
        operations.delete_file(current_user, operations.readable_file(current_user, file_id))
        db.session.commit()
