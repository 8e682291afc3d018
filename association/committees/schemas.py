"""API shapes of committees."""

import marshmallow as ma

from association.roadmap.models import TaskStatus


class MemberSchema(ma.Schema):
    name = ma.fields.String()
    chair = ma.fields.Boolean()


class CommitteeSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String(metadata={"description": "In the user's language"})
    names = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    short_name = ma.fields.String()
    mandate = ma.fields.String()
    tasks_total = ma.fields.Integer()
    tasks_by_status = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.OneOf([s.value for s in TaskStatus])),
                                     values=ma.fields.Integer())
    progress_percent = ma.fields.Integer(metadata={"description": "Done ÷ tasks, cancelled tasks left out"})
    members = ma.fields.List(ma.fields.Nested(MemberSchema))
