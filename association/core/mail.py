"""Sending e-mail over SMTP (MAIL_SERVER, MAIL_PORT, MAIL_FROM); one connection for a batch of messages."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.policy import default as default_policy
from typing import Any

from flask import current_app, url_for


class _MailPolicy(EmailPolicy):
    """The standard policy, but a subject in Kazakh or Russian is folded by the `email.header` encoder: the standard
    folder (Python 3.11) can put the space between two words outside the encoded words where it breaks the line, and
    every mail client then shows those two words joined (RFC 2047 ignores the whitespace between encoded words)."""

    def fold(self, name: str, value: Any) -> str:
        if name.lower() == "subject" and not str(value).isascii():
            encoded = Header(str(value), "utf-8", header_name=name).encode(linesep=self.linesep)
            return f"{name}: {encoded}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        if name.lower() == "subject" and not str(value).isascii():
            return self.fold(name, value).encode("ascii")
        return super().fold_binary(name, value)


MAIL_POLICY = _MailPolicy(**default_policy.__dict__)


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)  # UTF-8: Kazakh and Russian letters go through unchanged
    return message


@contextmanager
def smtp_connection(timeout: float = 30) -> Iterator[smtplib.SMTP]:
    """An open SMTP connection to the configured server, closed at the end of the block."""
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout) as connection:
        yield connection


def absolute_url(endpoint: str, **values: Any) -> str:
    """A full link for an e-mail, built on PUBLIC_URL (e-mails are sent from the CLI, outside any request)."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    with current_app.test_request_context("/", base_url=base):
        return url_for(endpoint, _external=True, **values)


def finish_mailing(sent: int, what: str, failed: list[str], *, dry_run: bool) -> None:
    """End a mailing command (`flask tasks notify`, `flask returns remind`): a dry run records nothing; a real
    one commits what was sent and exits 1 when the SMTP server refused some recipients."""
    import click

    from association.extensions import db

    if dry_run:
        db.session.rollback()
        click.echo(f"{sent} {what} would be sent.")
        return
    db.session.commit()
    click.echo(f"{sent} {what} sent.")
    if failed:
        click.echo(f"Not sent (the SMTP server refused): {', '.join(failed)}", err=True)
        raise click.exceptions.Exit(1)
