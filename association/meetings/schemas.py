"""API shapes of meetings: `*Args` are inputs, `*Schema` are outputs."""

from __future__ import annotations

from datetime import UTC

import marshmallow as ma

from association.meetings.models import MeetingStatus
from association.roadmap.models import TaskStatus

ID = ma.validate.Range(min=1, max=2_147_483_647)
STATUSES = [status.value for status in MeetingStatus]


class AgendaItemArgs(ma.Schema):
    id = ma.fields.Integer(strict=True, validate=ID, allow_none=True, metadata={"description": "Omit for a new item"})
    title = ma.fields.String(validate=ma.validate.Length(max=500))
    task = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=20), metadata={"description": "Task code"})
    minutes = ma.fields.String(validate=ma.validate.Length(max=20000))
    remove = ma.fields.Boolean(metadata={"description": "Drop this item (PATCH)"})


class MeetingArgs(ma.Schema):
    starts_at = ma.fields.AwareDateTime(required=True, default_timezone=UTC)
    duration_minutes = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=5, max=1440))
    place = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500),
                             metadata={"description": "A room, or the link of a video call"})
    language = ma.fields.String(validate=ma.validate.OneOf(["kk", "ru", "en"]),
                                metadata={"description": "Of the invitation and the minutes' PDF"})
    guests = ma.fields.List(ma.fields.Integer(strict=True, validate=ID), validate=ma.validate.Length(max=200),
                            metadata={"description": "User ids invited besides the committee's members"})
    agenda = ma.fields.List(ma.fields.Nested(AgendaItemArgs), validate=ma.validate.Length(max=100))


class MeetingPatchArgs(MeetingArgs):
    starts_at = ma.fields.AwareDateTime(default_timezone=UTC)
    place = ma.fields.String(validate=ma.validate.Length(min=1, max=500))
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES),
                              metadata={"description": "planned → held → minutes_published"})
    attended = ma.fields.List(ma.fields.Integer(strict=True, validate=ID), validate=ma.validate.Length(max=500),
                              metadata={"description": "The user ids of the invitees who attended"})

    @ma.pre_load
    def status_aliases(self, data: object, **kwargs: object) -> object:
        """`published` and `minutes published` are read as `minutes_published`."""
        if isinstance(data, dict) and data.get("status") in ("published", "minutes published"):
            return {**data, "status": MeetingStatus.MINUTES_PUBLISHED.value}
        return data


class NewTaskArgs(ma.Schema):
    """A task the decision creates in the meeting's committee."""

    code = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=20),
                                                     ma.validate.Regexp(r"^[0-9A-Za-z.-]+$")])
    direction = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=100))
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=500), metadata={"description": "All languages"})
    title_kk = ma.fields.String(validate=ma.validate.Length(min=1, max=500))
    title_ru = ma.fields.String(validate=ma.validate.Length(min=1, max=500))
    title_en = ma.fields.String(validate=ma.validate.Length(min=1, max=500))
    due_date = ma.fields.Date(required=True)
    planned_year = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=2000, max=2100))


class ChangesArgs(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf([status.value for status in TaskStatus]))
    progress_percent = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=100))
    due_date = ma.fields.Date()
    assignee = ma.fields.Integer(strict=True, allow_none=True, validate=ID)


class DecisionArgs(ma.Schema):
    agenda_item = ma.fields.Integer(strict=True, allow_none=True, validate=ID)
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=5000))
    task = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=20), metadata={"description": "Task code"})
    create_task = ma.fields.Nested(NewTaskArgs, allow_none=True)
    changes = ma.fields.Nested(ChangesArgs, allow_none=True)


class CorrectionItemArgs(ma.Schema):
    id = ma.fields.Integer(required=True, strict=True, validate=ID)
    minutes = ma.fields.String(required=True, validate=ma.validate.Length(max=20000))


class CorrectionArgs(ma.Schema):
    agenda = ma.fields.List(ma.fields.Nested(CorrectionItemArgs), required=True, validate=ma.validate.Length(max=100))
    note = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000))


class AgendaItemSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    task = ma.fields.Function(lambda item: item.task.code if item.task else None)
    minutes = ma.fields.String()


class DecisionSchema(ma.Schema):
    id = ma.fields.Integer()
    agenda_item = ma.fields.Integer(attribute="agenda_item_id", allow_none=True)
    text = ma.fields.String()
    task = ma.fields.Function(lambda decision: decision.task.code if decision.task else None)
    created_task = ma.fields.Boolean()
    changes = ma.fields.Dict()
    at = ma.fields.DateTime()


class InviteeSchema(ma.Schema):
    user = ma.fields.Integer(attribute="user_id")
    name = ma.fields.Function(lambda invitee: invitee.user.name)
    guest = ma.fields.Boolean()
    attended = ma.fields.Boolean(allow_none=True)


class MinutesVersionSchema(ma.Schema):
    number = ma.fields.Integer()
    published_at = ma.fields.DateTime()
    note = ma.fields.String()
    content = ma.fields.Dict()


class MeetingSchema(ma.Schema):
    id = ma.fields.Integer()
    committee = ma.fields.Function(lambda meeting: meeting.committee.code)
    starts_at = ma.fields.DateTime()
    ends_at = ma.fields.DateTime()
    duration_minutes = ma.fields.Integer()
    place = ma.fields.String()
    language = ma.fields.String()
    status = ma.fields.Function(lambda meeting: meeting.status.value, metadata={"enum": STATUSES})
    invitations_sent_at = ma.fields.DateTime(allow_none=True)
    invitees = ma.fields.List(ma.fields.Nested(InviteeSchema))
    agenda = ma.fields.List(ma.fields.Nested(AgendaItemSchema))
    decisions = ma.fields.List(ma.fields.Nested(DecisionSchema))
    minutes_versions = ma.fields.List(ma.fields.Nested(MinutesVersionSchema))


class InvitationResultSchema(ma.Schema):
    sent = ma.fields.Integer()
    failed = ma.fields.List(ma.fields.String())
