"""API shapes of users."""

import marshmallow as ma


class MembershipSchema(ma.Schema):
    code = ma.fields.String()
    chair = ma.fields.Boolean()


class MeSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    roles = ma.fields.List(ma.fields.String())
    committees = ma.fields.List(ma.fields.Nested(MembershipSchema))
    library = ma.fields.String(allow_none=True, metadata={"description": "Code of the library the user represents"})
    locale = ma.fields.String(allow_none=True)
