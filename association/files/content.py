"""What a file really is, from its bytes (never its name): the allowed types, and the zip bomb guard for the
zip-based office formats (their declared uncompressed size, in total and as a ratio, is checked before anything is
decompressed; the members we read are read with a cap)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _

from association.core.errors import ValidationFailed

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

ALLOWED_TYPES = (PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG)
EXTENSIONS = {PDF: "pdf", DOCX: "docx", XLSX: "xlsx", ODT: "odt", ODS: "ods", PNG: "png", JPEG: "jpg"}

# The members an OOXML package of each kind has (ECMA-376 part 2: the content types part and the main part).
OOXML_MAIN_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}
ODF_TYPES = (ODT, ODS)
MAX_MEMBERS = 10_000


@dataclass(frozen=True)
class ZipLimits:
    max_uncompressed: int
    max_ratio: int


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, {"file": [message]})


def not_allowed() -> ValidationFailed:
    return _refuse(_("This file's content is not an allowed type (PDF, DOCX, XLSX, ODT, ODS, PNG or JPEG)."))


def detect_type(data: bytes, limits: ZipLimits) -> str:
    """The content type of `data`, or ValidationFailed (422) when it is none of the allowed types or a zip bomb."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data, limits)
    raise not_allowed()


def _zip_type(data: bytes, limits: ZipLimits) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_allowed() from None
    _check_bomb(members, len(data), limits)
    names = {member.filename for member in members}
    try:
        if "mimetype" in names:
            declared = _read_capped(archive, "mimetype", 200).decode("ascii", "replace").strip()
            if declared in ODF_TYPES and "content.xml" in names and "META-INF/manifest.xml" in names:
                return declared
        if "[Content_Types].xml" in names:
            for part, kind in OOXML_MAIN_PARTS.items():
                if part in names:
                    return kind
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, RuntimeError):
        raise not_allowed() from None
    raise not_allowed()


def _check_bomb(members: list[zipfile.ZipInfo], compressed: int, limits: ZipLimits) -> None:
    if len(members) > MAX_MEMBERS:
        raise _refuse(_("The archive inside this file has too many parts."))
    total = sum(member.file_size for member in members)
    if total > limits.max_uncompressed or total > limits.max_ratio * max(compressed, 1):
        raise _refuse(_("This file unpacks to far more than its size (a zip bomb?); it was refused."))


def _read_capped(archive: zipfile.ZipFile, name: str, cap: int) -> bytes:
    with archive.open(name) as member:
        return member.read(cap)
