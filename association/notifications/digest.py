"""The coordinators' daily digest of the annual returns submitted (`flask mail digest`, run once a day by cron)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from association.extensions import db
from association.libraries.models import MemberLibrary
from association.notifications.kinds import RETURNS_SUBMITTED_DIGEST
from association.notifications.models import OutboxMessage
from association.notifications.operations import coordinators, enqueue
from association.returns.models import AnnualReturn, ReturnHistory

FIRST_WINDOW = timedelta(days=1)  # a coordinator's first digest covers the last day


def submissions_since(since: datetime) -> list[tuple[MemberLibrary, int, datetime]]:
    """(library, year, submitted at) of every submission after `since`, oldest first (one query)."""
    rows = db.session.execute(
        sa.select(MemberLibrary, AnnualReturn.year, ReturnHistory.at)
        .join(AnnualReturn, ReturnHistory.return_id == AnnualReturn.id)
        .join(MemberLibrary, AnnualReturn.library_id == MemberLibrary.id)
        .where(ReturnHistory.action == "submitted", ReturnHistory.at > since)
        .order_by(ReturnHistory.at, MemberLibrary.code))
    return [(library, year, at) for library, year, at in rows]


def enqueue_submitted_digests(now: datetime, today: date) -> list[OutboxMessage]:
    """One digest per coordinator of the submissions since their previous digest; none when nothing was submitted,
    and at most one a day (the day is the message's key)."""
    messages: list[OutboxMessage] = []
    previous = dict(db.session.execute(
        sa.select(OutboxMessage.recipient_id, sa.func.max(OutboxMessage.created_at))
        .where(OutboxMessage.kind == RETURNS_SUBMITTED_DIGEST).group_by(OutboxMessage.recipient_id)).all())
    for user in coordinators():
        since = previous.get(user.id) or now - FIRST_WINDOW
        submitted = submissions_since(since)
        if submitted:
            messages += enqueue(RETURNS_SUBMITTED_DIGEST, [user], "notifications/email/returns_submitted_digest.txt",
                                {"submitted": submitted, "today": today},
                                dedupe_key=f"{RETURNS_SUBMITTED_DIGEST}:{today.isoformat()}")
    return messages
