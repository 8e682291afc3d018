"""Attaching a file to an object (checked by content and size, hashed, stored), reading and deleting it; the
session hooks that keep the storage folder and the metadata together."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from association.core.errors import DomainError, Missing, NotAllowed, ValidationFailed
from association.core.models import utcnow
from association.extensions import db
from association.files import storage
from association.files.content import EXTENSIONS, ZipLimits, detect_type
from association.files.models import OwnerType, StoredFile
from association.files.owners import owner_type_of, rules_for
from association.users.models import User

WRITTEN = "files_written"  # session.info: keys written in this transaction (removed again on rollback)
DELETED = "files_deleted"  # session.info: keys whose rows were deleted (removed from disk on commit)
UNSAFE_NAME_CHARACTERS = re.compile(r"[\x00-\x1f\x7f/\\]+")


class TooLarge(DomainError):
    """The file is over the configured size limit (413)."""

    status = 413


def limits() -> ZipLimits:
    config = current_app.config
    return ZipLimits(config["FILE_MAX_UNCOMPRESSED_BYTES"], config["FILE_MAX_COMPRESSION_RATIO"])


def clean_name(name: str | None, content_type: str) -> str:
    """The uploader's file name without folders or control characters (kept for the download, never for storage)."""
    base = UNSAFE_NAME_CHARACTERS.sub("_", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    return base[:255] or f"file.{EXTENSIONS[content_type]}"


def load_owner(owner_type: OwnerType, owner_id: int) -> Any:
    """The owning object, or Missing (404)."""
    owner = rules_for(owner_type).load(owner_id)
    if owner is None:
        raise Missing(_("The object to attach the file to does not exist."), {"owner_id": [_("Not found.")]})
    return owner


def load_progress_owner(library_id: int, task_id: int) -> Any:
    """A library's progress on a measure, named by the library and the task, or Missing (404)."""
    from association.libraries.models import LibraryProgress

    progress_id = db.session.scalar(sa.select(LibraryProgress.id).where(LibraryProgress.library_id == library_id,
                                                                       LibraryProgress.task_id == task_id))
    if progress_id is None:
        raise Missing(_("This library has no progress on this measure yet; record it first, then attach evidence."),
                      {"task_id": [_("Not found.")]})
    return load_owner(OwnerType.LIBRARY_PROGRESS, progress_id)


def check_content(data: bytes) -> str:
    """Refuse an empty file (422), one over the limit (413) or one whose content is not allowed (422); answers the
    content type found in the bytes."""
    if not data:
        raise ValidationFailed(_("The file is empty."), {"file": [_("The file is empty.")]})
    maximum = current_app.config["FILE_MAX_BYTES"]
    if len(data) > maximum:
        message = _("The file is larger than %(mb)d MB.", mb=maximum // (1024 * 1024))
        raise TooLarge(message, {"file": [message]})
    return detect_type(data, limits())


def store_file(user: User, owner_type: OwnerType, owner: Any, name: str | None, data: bytes) -> StoredFile:
    """Store `data` as a file of `owner` (whose rules must let the user attach files); nothing is kept on refusal."""
    if not rules_for(owner_type).can_attach(user, owner):
        raise NotAllowed(_("You cannot attach files to this object."))
    content_type = check_content(data)
    stored = StoredFile(
        name=clean_name(name, content_type), content_type=content_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), storage_key=storage.new_key(), owner_type=owner_type,
        owner_id=owner.id, uploaded_by_id=user.id, uploaded_at=utcnow(),
    )
    storage.write(stored.storage_key, data)
    db.session.info.setdefault(WRITTEN, []).append(stored.storage_key)
    db.session.add(stored)
    db.session.flush()
    return stored


def can_read_file(user: User, stored: StoredFile) -> bool:
    """Whoever may read the owning object may read its files (checked on every download)."""
    rules = rules_for(stored.owner_type)
    owner = rules.load(stored.owner_id)
    return owner is not None and rules.can_read(user, owner)


def readable_file(user: User, file_id: int) -> StoredFile:
    """The file if the user may read its owner: 404 when it does not exist, 403 when they may not."""
    stored = db.session.get(StoredFile, file_id)
    if stored is None:
        raise Missing(_("No such file."))
    if not can_read_file(user, stored):
        raise NotAllowed(_("You cannot read the object this file belongs to."))
    return stored


def delete_file(user: User, stored: StoredFile) -> None:
    """Remove a file (who may attach files to its owner may remove them); the bytes go when the change commits."""
    owner = rules_for(stored.owner_type).load(stored.owner_id)
    if owner is None or not rules_for(stored.owner_type).can_attach(user, owner):
        raise NotAllowed(_("You cannot remove files of this object."))
    db.session.delete(stored)
    db.session.flush()


def files_of(owner_type: OwnerType, owner_ids: list[int]) -> dict[int, list[StoredFile]]:
    """The files of several objects of one type, by owner id (one query)."""
    found: dict[int, list[StoredFile]] = {owner_id: [] for owner_id in owner_ids}
    if owner_ids:
        for stored in db.session.scalars(sa.select(StoredFile).where(
                StoredFile.owner_type == owner_type, StoredFile.owner_id.in_(owner_ids)).order_by(StoredFile.id)):
            found[stored.owner_id].append(stored)
    return found


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """A deleted owner takes its files with it; a deleted file row schedules its bytes for removal."""
    for instance in list(session.deleted):
        owner_type = owner_type_of(instance)
        if owner_type is not None and instance.id is not None:
            for stored in session.scalars(sa.select(StoredFile).where(
                    StoredFile.owner_type == owner_type, StoredFile.owner_id == instance.id)):
                session.delete(stored)
    for instance in session.deleted:
        if isinstance(instance, StoredFile):
            session.info.setdefault(DELETED, []).append(instance.storage_key)


def _after_commit(session: Session) -> None:
    for key in session.info.pop(DELETED, []):
        storage.remove(key)
    session.info.pop(WRITTEN, None)


def _after_rollback(session: Session) -> None:
    if not session.in_transaction():  # the whole transaction, not a savepoint inside it
        for key in session.info.pop(WRITTEN, []):
            storage.remove(key)
        session.info.pop(DELETED, None)


def install(session_class: type[Session]) -> None:
    """Keep the storage folder in step with the committed metadata for every session of the app."""
    event.listen(session_class, "before_flush", _before_flush)
    event.listen(session_class, "after_commit", _after_commit)
    event.listen(session_class, "after_rollback", _after_rollback)
