"""Small real files of every allowed type, files that only pretend to be one, and a local SMTP inbox, for the tests
of files, meetings, documents and task discussions."""

from __future__ import annotations

import io
import socket
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from werkzeug.serving import make_server

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20 + b"\xff\xd9"


def zipped(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>",
               "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:document-content/>",
              "META-INF/manifest.xml": b"<manifest/>"}, zipfile.ZIP_STORED)
ODS = zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>",
              "META-INF/manifest.xml": b"<manifest/>"}, zipfile.ZIP_STORED)
# A DOCX in every other respect, whose one part unpacks to 50 MB of zeros (a ratio of about a thousand).
ZIP_BOMB_DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>",
                        "word/media/padding.bin": b"\x00" * (50 * 1024 * 1024)})
PLAIN_ZIP = zipped({"notes.txt": b"hello"})
HTML = b"<!doctype html><script>alert(1)</script>"
EXECUTABLE = b"MZ\x90\x00" + b"\x00" * 60

ALLOWED = {
    "report.pdf": (PDF, "application/pdf"),
    "photo.png": (PNG, "image/png"),
    "scan.jpg": (JPEG, "image/jpeg"),
    "order.docx": (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "figures.xlsx": (XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "draft.odt": (ODT, "application/vnd.oasis.opendocument.text"),
    "sheet.ods": (ODS, "application/vnd.oasis.opendocument.spreadsheet"),
}


def upload(client, headers, data: bytes, name: str = "evidence.pdf", **owner):
    """POST /api/v1/files with the file and the owning object's fields."""
    form = {key: str(value) for key, value in owner.items()}
    form["file"] = (io.BytesIO(data), name)
    return client.post("/api/v1/files", data=form, headers=headers, content_type="multipart/form-data")


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


@contextmanager
def smtp_inbox(handler: Any) -> Iterator[int]:
    """A local SMTP server (aiosmtpd) on a free port, handing what it receives to `handler`; yields the port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The app served on a free local port in a thread (a live server for a browser); yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture
def inbox(app) -> Iterator[list]:
    """A local SMTP server that the app sends to, and the messages it received."""
    handler = Inbox()
    with smtp_inbox(handler) as port:
        old = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        yield handler.messages
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = old
