"""A local SMTP server (aiosmtpd) that a test can stop and start again on the same port, and that refuses the
addresses it is told to refuse (550), like a real server refusing an unknown mailbox."""

from __future__ import annotations

import email
import socket
from email.message import Message as EmailMessage

import pytest
from aiosmtpd.controller import Controller


class Handler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address.lower() in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class MailServer:
    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.handler = Handler()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def refuse(self, address: str) -> None:
        self.handler.refused.add(address.lower())

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail_server(app):
    server = MailServer()
    server.start()
    old = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = old
    server.stop()


def text_of(message: EmailMessage) -> str:
    part = message.get_payload(0) if message.is_multipart() else message
    return part.get_payload(decode=True).decode("utf-8")


def subject_of(message: EmailMessage) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))
