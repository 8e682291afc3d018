"""The meeting as an iCalendar invitation (RFC 5545, written by the `icalendar` library), and its e-mailing."""

from __future__ import annotations

import smtplib

from flask import current_app, render_template
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from association.core.errors import DomainError, NotAllowed, StateConflict
from association.core.mail import absolute_url, build_message, smtp_connection
from association.core.models import localized, utcnow
from association.extensions import db
from association.meetings.models import Meeting, MeetingStatus
from association.meetings.rules import can_edit_meeting
from association.users.models import User


def invitation_ics(meeting: Meeting) -> bytes:
    """A VCALENDAR with METHOD:REQUEST and one VEVENT naming the invitees (a re-send bumps SEQUENCE)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Association of University Libraries//Roadmap//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    host = current_app.config["PUBLIC_URL"].split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "association"
    event.add("uid", f"meeting-{meeting.id}@{host}")
    event.add("dtstamp", meeting.updated_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("sequence", meeting.invitation_sequence)
    event.add("summary", localized(meeting.committee.names, meeting.language))
    event.add("location", meeting.place)
    agenda = "\n".join(f"{number}. {item.title}" for number, item in enumerate(meeting.agenda, start=1))
    if agenda:
        event.add("description", agenda)
    organizer = vCalAddress(f"mailto:{current_app.config['MAIL_FROM']}")
    organizer.params["cn"] = vText(meeting.committee.code)
    event["organizer"] = organizer
    for invitee in meeting.invitees:
        attendee = vCalAddress(f"mailto:{invitee.user.email}")
        attendee.params["cn"] = vText(invitee.user.name)
        attendee.params["role"] = vText("OPT-PARTICIPANT" if invitee.guest else "REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical()


def send_invitations(user: User, meeting: Meeting) -> tuple[int, list[str]]:
    """E-mail every invitee the invitation with its .ics (in the meeting's language); answers (sent, refused
    addresses). The mail server being unreachable is a 503 for the caller, and nothing is marked sent."""
    if not can_edit_meeting(user, meeting):
        raise NotAllowed(_("Only the committee's members and the coordinator can change its meetings."))
    if meeting.status != MeetingStatus.PLANNED:
        raise StateConflict(_("Invitations are sent for planned meetings only."))
    meeting.invitation_sequence += 1 if meeting.invitations_sent_at else 0
    meeting.invitations_sent_at = utcnow()
    db.session.flush()
    calendar = invitation_ics(meeting)
    link = absolute_url("meetings.meeting_page", meeting_id=meeting.id)
    sent, failed = 0, []
    try:
        with smtp_connection() as connection, force_locale(meeting.language):
            subject = _("Invitation: %(committee)s, %(when)s", committee=localized(meeting.committee.names),
                        when=format_datetime(meeting.starts_at, "short"))
            for invitee in meeting.invitees:
                body = render_template("meetings/email/invitation.txt", meeting=meeting, invitee=invitee, link=link)
                message = build_message(invitee.user.email, subject, body)
                message.add_attachment(calendar, maintype="text", subtype="calendar", filename="invitation.ics",
                                       params={"method": "REQUEST"})
                try:
                    connection.send_message(message)
                    sent += 1
                except smtplib.SMTPException:
                    failed.append(invitee.user.email)
    except OSError:
        raise MailUnavailable(_("The mail server cannot be reached; no invitation was sent.")) from None
    return sent, failed


class MailUnavailable(DomainError):
    """The SMTP server did not answer (503)."""

    status = 503


def minutes_pdf(meeting: Meeting) -> bytes:
    """The minutes as a PDF in the meeting's language (WeasyPrint, the fonts bundled in static/)."""
    from weasyprint import HTML

    with force_locale(meeting.language):
        html = render_template("meetings/minutes_pdf.html", meeting=meeting,
                               version=meeting.minutes_versions[-1] if meeting.minutes_versions else None)
    return HTML(string=html, base_url=current_app.static_folder).write_pdf()
