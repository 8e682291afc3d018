"""API shapes of programmes and their close-out: `*Args` are inputs, `*Schema` are outputs."""

from __future__ import annotations

import marshmallow as ma

from association.core.pagination import PageArgs
from association.programme.models import ProgrammeStatus
from association.roadmap.models import CloseoutAction

YEARS = ma.validate.Range(min=2000, max=2100)


class ProgrammeTitlesArgs(ma.Schema):
    kk = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))
    ru = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))
    en = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class DirectionArgs(ma.Schema):
    number = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=100))
    titles = ma.fields.Nested(ProgrammeTitlesArgs, required=True)


class ProgrammeCreateArgs(ma.Schema):
    code = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=40),
                                                     ma.validate.Regexp(r"^[0-9A-Za-z._-]+$")])
    titles = ma.fields.Nested(ProgrammeTitlesArgs, required=True)
    start_year = ma.fields.Integer(required=True, strict=True, validate=YEARS)
    end_year = ma.fields.Integer(required=True, strict=True, validate=YEARS)
    directions = ma.fields.List(ma.fields.Nested(DirectionArgs), validate=ma.validate.Length(max=100))
    copy_directions_from = ma.fields.String(validate=ma.validate.Length(min=1, max=40),
                                            metadata={"description": "Copy the directions of this programme"})


class ProgrammeListArgs(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf([s.value for s in ProgrammeStatus]))


class DirectionSchema(ma.Schema):
    number = ma.fields.Integer()
    title = ma.fields.Function(lambda direction: direction.title)
    titles = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())


class ProgrammeSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    title = ma.fields.Function(lambda programme: programme.title, metadata={"description": "In the user's language"})
    titles = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    start_year = ma.fields.Integer()
    end_year = ma.fields.Integer()
    status = ma.fields.Function(lambda programme: programme.status.value,
                                metadata={"enum": [s.value for s in ProgrammeStatus]})
    closed_at = ma.fields.DateTime(allow_none=True)


class ProgrammeDetailSchema(ProgrammeSchema):
    directions = ma.fields.List(ma.fields.Nested(DirectionSchema))


class CloseoutDecisionArgs(ma.Schema):
    action = ma.fields.String(required=True, validate=ma.validate.OneOf([a.value for a in CloseoutAction]))
    to_programme = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    due_date = ma.fields.Date(allow_none=True)
    comment = ma.fields.String(load_default="", allow_none=True, validate=ma.validate.Length(max=5000))


class CloseoutDecisionSchema(ma.Schema):
    action = ma.fields.Function(lambda decision: decision.action.value)
    to_programme = ma.fields.Function(lambda decision: decision.to_programme.code if decision.to_programme else None)
    due_date = ma.fields.Date(allow_none=True)
    comment = ma.fields.String()
    decided_at = ma.fields.DateTime()


class UnfinishedSchema(ma.Schema):
    task_code = ma.fields.Function(lambda row: row[0].code)
    task_id = ma.fields.Function(lambda row: row[0].id)
    title = ma.fields.Function(lambda row: row[0].title)
    committee = ma.fields.Function(lambda row: row[0].committee.code)
    status = ma.fields.Function(lambda row: row[0].status.value)
    decision = ma.fields.Function(lambda row: CloseoutDecisionSchema().dump(row[1]) if row[1] is not None else None)


class CloseoutSchema(ma.Schema):
    programme = ma.fields.Function(lambda closeout: closeout.programme.code)
    status = ma.fields.Function(lambda closeout: closeout.programme.status.value)
    unfinished = ma.fields.List(ma.fields.Nested(UnfinishedSchema))
    summary = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class CloseResultSchema(ProgrammeSchema):
    carried_over = ma.fields.Function(
        lambda programme: [{"programme": t.programme_code, "code": t.code, "id": t.id} for t in programme.created],
        metadata={"description": "The tasks created in the target programmes"})
