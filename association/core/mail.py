"""Sending e-mail over SMTP (MAIL_SERVER, MAIL_PORT, MAIL_FROM); one connection for a batch of messages."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from flask import current_app, url_for


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
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
