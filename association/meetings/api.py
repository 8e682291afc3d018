"""/api/v1/committees/{code}/meetings and /api/v1/meetings/{id}: meetings, decisions, invitations, minutes."""

from __future__ import annotations

from flask import Response, abort
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from association.committees.queries import committee_or_404
from association.core.errors import NotAllowed
from association.core.pagination import PageArgs, one_page, page_schema
from association.core.permissions import SIGNED_IN, access
from association.extensions import db
from association.meetings import invitations, operations, queries
from association.meetings.models import Decision, Meeting, MinutesVersion
from association.meetings.rules import can_read_meeting
from association.meetings.schemas import (
    CorrectionArgs,
    DecisionArgs,
    DecisionSchema,
    InvitationResultSchema,
    MeetingArgs,
    MeetingPatchArgs,
    MeetingSchema,
    MinutesVersionSchema,
)

committee_blp = Blueprint("committee_meetings_api", __name__, url_prefix="/api/v1/committees",
                          description="Committee meetings")
blp = Blueprint("meetings_api", __name__, url_prefix="/api/v1/meetings", description="Committee meetings")


def readable_meeting(meeting_id: int) -> Meeting:
    """The meeting with everything it shows: 404 when it does not exist, 403 when the user may not read it."""
    meeting = queries.get_meeting(meeting_id)
    if meeting is None:
        abort(404)
    if not can_read_meeting(current_user, meeting):
        raise NotAllowed(_("You cannot read this meeting until its minutes are published."))
    return meeting


@committee_blp.route("/<code>/meetings")
class CommitteeMeetings(MethodView):
    @access(SIGNED_IN)
    @committee_blp.arguments(PageArgs, location="query")
    @committee_blp.response(200, page_schema(MeetingSchema))
    @committee_blp.alt_response(404, description="No such committee")
    def get(self, args: dict, code: str) -> dict:
        """The committee's meetings you may read (all once their minutes are published), newest first"""
        committee = committee_or_404(code)
        return one_page(queries.meetings_query(committee, current_user), args)

    @access(SIGNED_IN)
    @committee_blp.arguments(MeetingArgs)
    @committee_blp.response(201, MeetingSchema)
    @committee_blp.alt_response(403, description="Not a member of the committee")
    @committee_blp.alt_response(404, description="No such committee")
    def post(self, args: dict, code: str) -> Meeting:
        """Plan a meeting (the committee's members and the coordinator); its members are invited"""
        committee = committee_or_404(code)
        meeting = operations.create_meeting(current_user, committee, args)
        db.session.commit()
        return readable_meeting(meeting.id)


@blp.route("/<int:meeting_id>")
class MeetingDetail(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, MeetingSchema)
    @blp.alt_response(403, description="Not yours to read before the minutes are published")
    @blp.alt_response(404, description="No such meeting")
    def get(self, meeting_id: int) -> Meeting:
        """One meeting: agenda with minutes, decisions, invitees and attendance, minutes versions"""
        return readable_meeting(meeting_id)

    @access(SIGNED_IN)
    @blp.arguments(MeetingPatchArgs)
    @blp.response(200, MeetingSchema)
    @blp.alt_response(403, description="Not a member of the committee")
    @blp.alt_response(409, description="The minutes are published, or the status cannot go there")
    def patch(self, args: dict, meeting_id: int) -> Meeting:
        """Change date, place, agenda, minutes, guests or attendance, or move on: planned → held → minutes_published"""
        operations.update_meeting(current_user, readable_meeting(meeting_id), args)
        db.session.commit()
        return readable_meeting(meeting_id)


@blp.route("/<int:meeting_id>/decisions")
class Decisions(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(DecisionArgs)
    @blp.response(201, DecisionSchema)
    @blp.alt_response(403, description="Not a member of the committee, or the task is another committee's")
    @blp.alt_response(409, description="The minutes are published")
    def post(self, args: dict, meeting_id: int) -> Decision:
        """Record a decision; it may create a task (`create_task`) or change one (`task` and `changes`)"""
        decision = operations.record_decision(current_user, readable_meeting(meeting_id), args)
        db.session.commit()
        return next(item for item in readable_meeting(meeting_id).decisions if item.id == decision.id)


@blp.route("/<int:meeting_id>/minutes")
class MinutesCorrections(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(CorrectionArgs)
    @blp.response(201, MinutesVersionSchema)
    @blp.alt_response(403, description="Not the committee's chair or the coordinator")
    @blp.alt_response(409, description="The minutes are not published yet")
    def post(self, args: dict, meeting_id: int) -> MinutesVersion:
        """Publish a correction of the minutes: a new version (the earlier ones are kept)"""
        version = operations.correct_minutes(current_user, readable_meeting(meeting_id), args["agenda"], args["note"])
        db.session.commit()
        return version


@blp.route("/<int:meeting_id>/invitations")
class Invitations(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, InvitationResultSchema)
    @blp.alt_response(403, description="Not a member of the committee")
    @blp.alt_response(409, description="The meeting is no longer planned")
    @blp.alt_response(503, description="The mail server cannot be reached")
    def post(self, meeting_id: int) -> dict:
        """E-mail the invitation with its .ics to every invitee"""
        sent, failed = invitations.send_invitations(current_user, readable_meeting(meeting_id))
        db.session.commit()
        return {"sent": sent, "failed": failed}


@blp.route("/<int:meeting_id>/invitation.ics")
class InvitationFile(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, content_type="text/calendar", description="The iCalendar invitation")
    @blp.alt_response(403, description="Not yours to read")
    @blp.alt_response(404, description="No such meeting")
    def get(self, meeting_id: int) -> Response:
        """The meeting as an iCalendar (.ics) invitation"""
        meeting = readable_meeting(meeting_id)
        return Response(invitations.invitation_ics(meeting), mimetype="text/calendar",
                        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"'})


@blp.route("/<int:meeting_id>/minutes.pdf")
class MinutesPdf(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, content_type="application/pdf", description="The minutes in the meeting's language")
    @blp.alt_response(403, description="Not yours to read")
    @blp.alt_response(404, description="No such meeting")
    def get(self, meeting_id: int) -> Response:
        """The minutes as a PDF, in the language chosen for the meeting"""
        meeting = readable_meeting(meeting_id)
        return Response(invitations.minutes_pdf(meeting), mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="minutes-{meeting.id}.pdf"'})
