"""Reading meetings: one with everything its page and API show (a fixed number of queries), and a committee's list."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from association.committees.models import Committee
from association.extensions import db
from association.meetings.models import AgendaItem, Decision, Meeting, MeetingInvitee
from association.meetings.rules import readable_clause
from association.roadmap.models import RoadmapTask
from association.users.models import User


def _full(query: sa.Select) -> sa.Select:
    return query.options(
        joinedload(Meeting.committee),
        # Not as_person(): the signed-in user is often among the invitees, and their roles must stay loadable.
        selectinload(Meeting.invitees).options(joinedload(MeetingInvitee.user)),
        selectinload(Meeting.agenda).options(joinedload(AgendaItem.task).load_only(RoadmapTask.code, raiseload=True)),
        selectinload(Meeting.decisions).options(joinedload(Decision.task).load_only(RoadmapTask.code, raiseload=True)),
        selectinload(Meeting.minutes_versions),
    )


def get_meeting(meeting_id: int) -> Meeting | None:
    """One meeting with its committee, invitees, agenda, decisions and minutes versions."""
    return db.session.scalars(_full(sa.select(Meeting).where(Meeting.id == meeting_id))
                              .execution_options(populate_existing=True)).unique().one_or_none()


def meetings_query(committee: Committee, user: User) -> sa.Select:
    """The committee's meetings the user may read, newest first."""
    return _full(sa.select(Meeting).where(Meeting.committee_id == committee.id, readable_clause(user))
                 .order_by(Meeting.starts_at.desc(), Meeting.id.desc()))
