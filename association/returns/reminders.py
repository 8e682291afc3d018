"""`flask returns remind`: one e-mail per library whose return is missing or returned and due within 14 days or
overdue, to its representatives; never to a library that has submitted, never the same reminder twice a day."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from association.core.mail import absolute_url, build_message, smtp_connection
from association.extensions import db
from association.libraries.models import MemberLibrary, MembershipStatus
from association.returns.models import AnnualReturn, ReturnForm, ReturnReminder, ReturnStatus
from association.users.models import Role, User, UserRole

DUE_SOON = timedelta(days=14)
WAITING = (ReturnStatus.DRAFT, ReturnStatus.RETURNED)


@dataclass
class Reminder:
    library: MemberLibrary
    recipients: list[User]
    years: list[tuple[int, date, str]] = field(default_factory=list)  # (year, due on, status)


def pending_reminders(today: date | None = None) -> list[Reminder]:
    """Who should be reminded today, about which years (a fixed number of queries)."""
    today = today or date.today()
    forms = db.session.execute(
        sa.select(ReturnForm.year, sa.func.max(ReturnForm.due_on))
        .where(ReturnForm.opens_on <= today, ReturnForm.closed_at.is_(None))
        .group_by(ReturnForm.year).order_by(ReturnForm.year)
    ).all()
    years = {year: due_on for year, due_on in forms if due_on - today <= DUE_SOON}
    if not years:
        return []
    libraries = db.session.scalars(
        sa.select(MemberLibrary).where(MemberLibrary.membership_status == MembershipStatus.ACTIVE)
        .order_by(MemberLibrary.code)
    ).all()
    statuses = {
        (library_id, year): ReturnStatus(status) for library_id, year, status in db.session.execute(
            sa.select(AnnualReturn.library_id, AnnualReturn.year, AnnualReturn.status)
            .where(AnnualReturn.year.in_(years)))
    }
    already = set(db.session.execute(
        sa.select(ReturnReminder.library_id, ReturnReminder.year).where(ReturnReminder.sent_on == today)
    ).all())
    representatives: dict[int, list[User]] = {}
    for user in db.session.scalars(
        sa.select(User).join(UserRole).where(UserRole.role == Role.LIBRARY_REP, User.library_id.is_not(None),
                                             User.is_active_account).order_by(User.email)
    ):
        if user.library_id is not None:  # the query asks for it; the check tells the type checker
            representatives.setdefault(user.library_id, []).append(user)
    reminders = []
    for library in libraries:
        reminder = Reminder(library, representatives.get(library.id, []))
        for year, due_on in years.items():
            status = statuses.get((library.id, year))
            if (status is None or status in WAITING) and (library.id, year) not in already:
                reminder.years.append((year, due_on, status.value if status else "not_started"))
        if reminder.years and reminder.recipients:
            reminders.append(reminder)
    return reminders


def send_reminders(dry_run: bool = False, today: date | None = None) -> tuple[list[Reminder], list[str]]:
    """Send today's reminders (or only list them); answers (reminders, libraries whose e-mail failed)."""
    today = today or date.today()
    reminders = pending_reminders(today)
    failed: list[str] = []
    if dry_run or not reminders:
        return reminders, failed
    with smtp_connection() as connection:
        for reminder in reminders:
            locale = reminder.recipients[0].locale or "en"
            with force_locale(locale):
                subject = _("Annual return of %(library)s: a reminder", library=reminder.library.code)
                body = render_template("returns/email/reminder.txt", reminder=reminder, today=today,
                                       absolute_url=absolute_url)
            message = build_message(", ".join(user.email for user in reminder.recipients), subject, body)
            try:
                connection.send_message(message)
            except smtplib.SMTPException:
                failed.append(reminder.library.code)
                continue
            for year, _due_on, _status in reminder.years:
                db.session.add(ReturnReminder(library_id=reminder.library.id, year=year, sent_on=today,
                                              recipients=", ".join(u.email for u in reminder.recipients)))
            db.session.flush()
    return reminders, failed
