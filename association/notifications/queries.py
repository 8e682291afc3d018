"""Reading the outbox and the preferences for the pages."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from association.extensions import db
from association.notifications.kinds import MailKind, kinds_for
from association.notifications.models import OutboxMessage, OutboxStatus
from association.notifications.operations import switched_off
from association.users.models import User

UNDELIVERED_SHOWN = 200


@dataclass(frozen=True)
class Preference:
    kind: MailKind
    enabled: bool


def preferences_of(user: User) -> list[Preference]:
    """The kinds the user may receive, each with whether it is on (one query)."""
    off = switched_off(user)
    return [Preference(kind, kind.code not in off) for kind in kinds_for(user)]


def undelivered(limit: int = UNDELIVERED_SHOWN) -> tuple[list[OutboxMessage], int]:
    """The newest messages not (yet) delivered, and how many there are in all (two queries)."""
    condition = OutboxMessage.status != OutboxStatus.SENT
    messages = list(db.session.scalars(
        sa.select(OutboxMessage).where(condition).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(condition)) or 0
    return messages, total
