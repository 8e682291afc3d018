"""The outbox (every notification e-mail, rendered in its recipient's language) and the kinds a user switched off."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from association.core.models import Base, EnumText, IdMixin, one_of, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for (another) attempt
    SENDING = "sending"  # claimed by one deliverer; back to pending if it died before it knew the outcome
    SENT = "sent"
    FAILED = "failed"  # the mail server refused the address for good: kept with the error, shown to the admin


class OutboxMessage(IdMixin, Base):
    """One e-mail to one person. Written with the change that causes it, so it exists exactly when the change does."""

    __tablename__ = "mail_outbox"
    __audited__ = False  # the change that caused it is audited; delivery attempts are not events of the domain

    kind: Mapped[str] = mapped_column(sa.String(40), index=True)
    recipient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(5))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[OutboxStatus] = mapped_column(EnumText(OutboxStatus), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    # Set for messages that must exist once only (a daily digest): a second enqueue with the same key is skipped.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    __table_args__ = (one_of("status", OutboxStatus),)


class MailOptOut(Base):
    """A kind of notification the user does not want (every kind is on until switched off)."""

    __tablename__ = "mail_opt_outs"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
