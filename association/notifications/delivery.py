"""Delivering the outbox over SMTP: right after the commit that wrote a message (in the request that made the
change), and by `flask mail deliver` for whatever is left (the mail server was down, a process died).

Never twice: a message is claimed (pending → sending, a conditional UPDATE that only one deliverer can win) and
committed before it is sent, and marked sent right after the server took it. Nothing lost: a message the server
did not take goes back to pending with the error; one whose address the server refused for good (a 5xx answer) is
kept as failed, with the error, for the admin (/admin/mail). A message left `sending` by a deliverer that died
before it learned the outcome is retried by `flask mail deliver` after STALE_CLAIM (the one case that could send
twice: the process died between the server's "OK" and its own commit)."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_app_context
from sqlalchemy.orm import Session

from association.core.mail import build_message, smtp_connection
from association.core.models import utcnow
from association.extensions import db
from association.notifications.models import OutboxMessage, OutboxStatus
from association.notifications.operations import NEW_MESSAGES

log = logging.getLogger(__name__)

COMMITTED = "notifications_committed_ids"  # flask.g: messages committed in this request, not yet delivered
IMMEDIATE_TIMEOUT = 10.0  # seconds: a request waits at most this long for a mail server that does not answer
STALE_CLAIM = timedelta(minutes=15)
BATCH = 500


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: list[str] = field(default_factory=list)  # addresses refused for good
    deferred: int = 0  # left pending (the server was unreachable or answered "try later")
    error: str = ""


def _table() -> sa.Table:
    return OutboxMessage.__table__  # type: ignore[return-value]


def deliver(ids: Sequence[int] | None = None, *, timeout: float = 30.0) -> DeliveryReport:
    """Send the pending messages (only `ids` when given), one claim and one commit per message."""
    table = _table()
    query = sa.select(table.c.id).where(table.c.status == OutboxStatus.PENDING.value).order_by(table.c.id).limit(BATCH)
    if ids is not None:
        if not ids:
            return DeliveryReport()
        query = query.where(table.c.id.in_(list(ids)))
    candidates = list(db.session.scalars(query))
    db.session.commit()
    report = DeliveryReport()
    if not candidates:
        return report
    try:
        with smtp_connection(timeout=timeout) as connection:
            for message_id in candidates:
                if not _deliver_one(connection, message_id, report):
                    break  # the connection is gone: the rest waits for the next run
    except (OSError, smtplib.SMTPException) as error:
        report.error = f"{type(error).__name__}: {error}"
        _defer(candidates, report.error)
    report.deferred = db.session.scalar(
        sa.select(sa.func.count()).select_from(table)
        .where(table.c.id.in_(candidates), table.c.status == OutboxStatus.PENDING.value)) or 0
    db.session.commit()
    return report


def _deliver_one(connection: smtplib.SMTP, message_id: int, report: DeliveryReport) -> bool:
    table = _table()
    claimed: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(table).where(table.c.id == message_id, table.c.status == OutboxStatus.PENDING.value)
        .values(status=OutboxStatus.SENDING.value, claimed_at=utcnow(), attempts=table.c.attempts + 1))
    db.session.commit()
    if claimed.rowcount != 1:
        return True  # another deliverer has it, or it is no longer pending
    row = db.session.execute(sa.select(table).where(table.c.id == message_id)).one()
    outcome: dict[str, Any]
    keep_going = True
    try:
        connection.send_message(build_message(row.to_address, row.subject, row.body))
    except smtplib.SMTPRecipientsRefused as error:
        outcome = {"status": OutboxStatus.FAILED.value, "last_error": _describe(error)}
        report.failed.append(row.to_address)
    except smtplib.SMTPResponseException as error:
        permanent = error.smtp_code >= 500
        outcome = {"status": (OutboxStatus.FAILED if permanent else OutboxStatus.PENDING).value,
                   "last_error": _describe(error)}
        if permanent:
            report.failed.append(row.to_address)
    except (OSError, smtplib.SMTPException) as error:
        outcome = {"status": OutboxStatus.PENDING.value, "last_error": _describe(error)}
        keep_going = False
    else:
        outcome = {"status": OutboxStatus.SENT.value, "sent_at": utcnow(), "last_error": ""}
        report.sent += 1
    db.session.execute(sa.update(table).where(table.c.id == message_id).values(**outcome))
    db.session.commit()
    return keep_going


def _defer(ids: Sequence[int], error: str) -> None:
    """The server could not be reached: each message keeps its place in the queue, with the error and the attempt."""
    table = _table()
    db.session.rollback()
    db.session.execute(
        sa.update(table).where(table.c.id.in_(list(ids)), table.c.status == OutboxStatus.PENDING.value)
        .values(attempts=table.c.attempts + 1, last_error=error[:2000]))
    db.session.commit()


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{address}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                         for address, (code, text) in error.recipients.items())[:2000]
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"{error.smtp_code} {text}"[:2000]
    return f"{type(error).__name__}: {error}"[:2000]


def release_stale_claims() -> int:
    """Messages left `sending` by a deliverer that stopped before learning the outcome go back to pending."""
    table = _table()
    result: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(table).where(table.c.status == OutboxStatus.SENDING.value,
                               table.c.claimed_at < utcnow() - STALE_CLAIM)
        .values(status=OutboxStatus.PENDING.value, last_error="The delivery was interrupted; retried."))
    db.session.commit()
    return result.rowcount or 0


def _committed(session: Session) -> None:
    ids = session.info.pop(NEW_MESSAGES, None)
    if ids and has_app_context():
        g.setdefault(COMMITTED, []).extend(ids)


def _rolled_back(session: Session) -> None:
    session.info.pop(NEW_MESSAGES, None)


def deliver_committed(response: Response) -> Response:
    """after_request: send what this request committed, without ever failing the request for it."""
    ids = g.pop(COMMITTED, None)
    if ids:
        try:
            deliver(ids, timeout=current_app.config.get("MAIL_IMMEDIATE_TIMEOUT", IMMEDIATE_TIMEOUT))
        except Exception:  # the change is committed; `flask mail deliver` sends the mail later
            log.exception("immediate delivery of %d message(s) failed; they stay in the outbox", len(ids))
            db.session.rollback()
    return response


def install(app: Flask, session_class: type[Session]) -> None:
    """Session hooks (idempotent) and the after-request delivery."""
    if not sa.event.contains(session_class, "after_commit", _committed):
        sa.event.listen(session_class, "after_commit", _committed)
        sa.event.listen(session_class, "after_rollback", _rolled_back)
    app.after_request(deliver_committed)
