"""Password-reset links: single-use, expiring, stored hashed, sent by e-mail over SMTP. A self-service request
never says whether the address exists; an admin may send one to any active user. Setting the new password through a
link ends every session and token of the user."""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from association.audit.operations import record_event
from association.auth.models import PasswordResetToken
from association.core.errors import DomainError, StateConflict, ValidationFailed
from association.core.mail import absolute_url, build_message, smtp_connection
from association.core.models import utcnow
from association.extensions import db
from association.users.models import User

log = logging.getLogger(__name__)
TOKEN_BYTES = 32


class MailNotSent(DomainError):
    """The SMTP server could not be reached or refused the message (503): nothing the client did wrong."""

    status = 503


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_reset(user: User, requested_by: User | None = None) -> str:
    """A new reset link's token for the user (earlier unused links stop working); the clear token is returned once."""
    now = utcnow()
    db.session.execute(sa.update(PasswordResetToken)
                       .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
                       .values(used_at=now).execution_options(synchronize_session=False))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(PasswordResetToken(user_id=user.id, token_hash=_hash(token), created_at=now,
                                      expires_at=now + current_app.config["PASSWORD_RESET_LIFETIME"],
                                      requested_by_id=requested_by.id if requested_by else None))
    db.session.flush()
    record_event("password_reset_requested", object_type="users", object_id=user.id,
                 detail="by admin" if requested_by else "self-service")
    return token


def send_reset_mail(user: User, token: str) -> bool:
    """E-mail the link in the user's language; False (logged) when the SMTP server cannot be reached or refuses."""
    link = absolute_url("auth.reset_password", token=token)
    hours = int(current_app.config["PASSWORD_RESET_LIFETIME"].total_seconds() // 3600)
    with force_locale(user.locale or "en"):
        subject = _("Set a new password")
        body = _("Hello %(name)s,\n\nto set a new password, open this link within %(hours)d hours:\n\n%(link)s\n\n"
                 "The link works once. If you did not ask for it, ignore this message; your password stays as it "
                 "is.", name=user.name, hours=hours, link=link)
    try:
        with smtp_connection() as connection:
            connection.send_message(build_message(user.email, subject, body))
    except (OSError, smtplib.SMTPException):
        log.warning("The password-reset e-mail to user %s could not be sent.", user.id)
        return False
    return True


def request_reset(email: str) -> None:
    """Self-service: mail a link if an active account has this address; the caller answers the same either way."""
    from association.auth.operations import find_user_by_email

    user = find_user_by_email(email)
    if user is None or not user.is_active:
        record_event("password_reset_requested", email=(email or "").strip().lower()[:254] or None,
                     detail="no active account")
        return
    send_reset_mail(user, issue_reset(user))


def admin_reset(user: User, actor: User) -> None:
    """An admin sends an active user a reset link (their password keeps working until the link is used)."""
    if not user.is_active:
        raise StateConflict(_("A deactivated user cannot be sent a password-reset link; reactivate them first."))
    if not send_reset_mail(user, issue_reset(user, requested_by=actor)):
        raise MailNotSent(_("The e-mail could not be sent; try again later."))


def find_usable(token: str) -> PasswordResetToken | None:
    """The reset record of a usable (known, unexpired, unused) token of an active user."""
    if not token or len(token) > 200:
        return None
    record = db.session.scalar(sa.select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash(token)))
    if record is None or not record.is_usable():
        return None
    user = db.session.get(User, record.user_id)
    return record if user is not None and user.is_active else None


def reset_password(token: str, new_password: str) -> User:
    """Set the new password through a link: the link is used up, every session and token of the user ends."""
    from association.users.operations import change_password

    record = find_usable(token)
    if record is None:
        raise ValidationFailed(_("This link is not valid any more: it was used, it expired, or it is wrong."),
                               {"token": [_("Ask for a new link.")]})
    user = db.session.get(User, record.user_id)
    assert user is not None
    change_password(user, new_password)
    record.used_at = utcnow()
    record_event("password_reset", user=user, object_type="users", object_id=user.id)
    return user
