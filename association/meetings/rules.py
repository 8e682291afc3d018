"""Who may read and change a meeting (SPEC §1): the committee's members write, the coordinator everywhere; invited
guests read it; once its minutes are published every signed-in user (observers, representatives) reads them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from association.extensions import db
from association.meetings.models import Meeting, MeetingInvitee
from association.users.models import User


def load_meeting(meeting_id: int) -> Meeting | None:
    return db.session.get(Meeting, meeting_id)


def can_edit_meeting(user: Any, meeting: Meeting) -> bool:
    return bool(user.is_authenticated and (user.is_coordinator or user.is_member_of(meeting.committee_id)))


def is_invited(user: User, meeting: Meeting) -> bool:
    return db.session.get(MeetingInvitee, (meeting.id, user.id)) is not None


def can_read_meeting(user: Any, meeting: Meeting) -> bool:
    if not user.is_authenticated:
        return False
    return meeting.is_published or can_edit_meeting(user, meeting) or is_invited(user, meeting)


def readable_clause(user: User) -> sa.ColumnElement[bool]:
    """The meetings a user may see, as a WHERE clause for lists."""
    if user.is_coordinator:
        return sa.true()
    invited = sa.select(MeetingInvitee.meeting_id).where(MeetingInvitee.user_id == user.id)
    return sa.or_(Meeting.status == "minutes_published", Meeting.committee_id.in_(user.committee_ids() or {-1}),
                  Meeting.id.in_(invited))
