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


class AccountSchema(MeSchema):
    """A user as an admin sees them."""

    active = ma.fields.Boolean(metadata={"description": "False once deactivated: the user cannot sign in"})
    version = ma.fields.Integer(metadata={"description": "Bumped by every change; the ETag names it"})
    last_login_at = ma.fields.DateTime(allow_none=True)


class UserMembershipArgs(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20))
    chair = ma.fields.Boolean(load_default=False)


class UserPatchArgs(ma.Schema):
    """Any of these; `committees` and `roles` replace the lists they name. Send `If-Match` with the ETag."""

    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    email = ma.fields.String(validate=ma.validate.Length(min=3, max=254))
    locale = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(["kk", "ru", "en"]))
    roles = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=32)), validate=ma.validate.Length(max=10))
    committees = ma.fields.List(ma.fields.Nested(UserMembershipArgs), validate=ma.validate.Length(max=20))
    library = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=20),
                               metadata={"description": "Code of the library the user represents, or null"})


class PasswordResetRequestArgs(ma.Schema):
    email = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=254))


class PasswordResetConfirmArgs(ma.Schema):
    token = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200),
                             metadata={"description": "The token of the link in the e-mail"})
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(min=1, max=1024))


class AcceptedSchema(ma.Schema):
    detail = ma.fields.String()
