"""Writing notifications to the outbox, and each user's choice of which kinds they receive.

`enqueue` is the one function every feature calls: it renders the message in each recipient's language and adds
it to the current transaction, so the e-mail exists if and only if the change that causes it is committed; it is
delivered right after that commit (association.notifications.delivery) or by `flask mail deliver`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from association.core.errors import ValidationFailed
from association.core.mail import absolute_url
from association.extensions import db
from association.notifications.kinds import KINDS, kinds_for
from association.notifications.models import MailOptOut, OutboxMessage
from association.users.models import Role, User, UserRole

NEW_MESSAGES = "notifications.new_message_ids"  # session.info: ids enqueued in the open transaction


def enqueue(kind: str, recipients: Iterable[User], template: str, context: Mapping[str, Any] | None = None, *,
            dedupe_key: str | None = None) -> list[OutboxMessage]:
    """Add one e-mail of `kind` per recipient to the outbox, in the current transaction.

    `template` is a text template whose first line is the subject and the rest the body; it is rendered in each
    recipient's language with `context`, `recipient` and `absolute_url` (links for e-mail). Inactive accounts and
    recipients who switched the kind off are skipped, and so is a recipient who already has a message with
    `dedupe_key` (for a daily digest: the key names the day). Answers the messages added."""
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind {kind!r}: register it in association.notifications.kinds")
    people = {user.id: user for user in recipients if user.is_active_account and user.email}
    if not people:
        return []
    opted_out = set(db.session.scalars(
        sa.select(MailOptOut.user_id).where(MailOptOut.kind == kind, MailOptOut.user_id.in_(people))))
    keys = {user_id: f"{dedupe_key}:{user_id}" for user_id in people} if dedupe_key else {}
    existing = set(db.session.scalars(
        sa.select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys.values())))) if keys else set()
    messages = []
    for user_id, user in sorted(people.items()):
        if user_id in opted_out or (keys and keys[user_id] in existing):
            continue
        locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
        with force_locale(locale):
            text = render_template(template, **(context or {}), recipient=user, absolute_url=absolute_url)
        subject, _blank, body = text.strip("\n").partition("\n")
        messages.append(OutboxMessage(kind=kind, recipient_id=user_id, to_address=user.email, locale=locale,
                                      subject=subject.strip()[:300], body=body.strip("\n") + "\n",
                                      dedupe_key=keys.get(user_id)))
    if messages:
        db.session.add_all(messages)
        db.session.flush()
        db.session.info.setdefault(NEW_MESSAGES, []).extend(message.id for message in messages)
    return messages


def representatives_of(library_id: int) -> list[User]:
    """The active representatives of a library, who receive its return's notifications."""
    return list(db.session.scalars(
        sa.select(User).join(UserRole).where(UserRole.role == Role.LIBRARY_REP, User.library_id == library_id,
                                             User.is_active_account).order_by(User.email)))


def coordinators() -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(UserRole).where(UserRole.role == Role.COORDINATOR, User.is_active_account)
        .order_by(User.email)))


def switched_off(user: User) -> set[str]:
    return set(db.session.scalars(sa.select(MailOptOut.kind).where(MailOptOut.user_id == user.id)))


def set_mail_preferences(user: User, wanted: Iterable[str]) -> None:
    """Keep the kinds in `wanted` on and switch the user's other kinds off. A kind the account page does not offer
    this user is refused (422), and nothing changes."""
    offered = {kind.code for kind in kinds_for(user)}
    wanted = set(wanted)
    unknown = sorted(wanted - offered)
    if unknown:
        raise ValidationFailed(_("Unknown kind of e-mail: %(kinds)s.", kinds=", ".join(unknown)),
                               {"kinds": [_("Choose among the kinds listed.")]})
    current = switched_off(user)
    for kind in sorted((offered - wanted) - current):
        db.session.add(MailOptOut(user_id=user.id, kind=kind))
    for kind in sorted(current & wanted):
        db.session.delete(db.session.get(MailOptOut, (user.id, kind)))
    db.session.flush()
