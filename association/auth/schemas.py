"""API shapes of signing in: `*Args` are inputs, `*Schema` are outputs."""

import marshmallow as ma


class TokenArgs(ma.Schema):
    email = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=254))
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1024), load_only=True)
    name = ma.fields.String(load_default="", validate=ma.validate.Length(max=100),
                            metadata={"description": "A label for the token, e.g. the script that uses it"})


class TokenSchema(ma.Schema):
    token = ma.fields.String(metadata={"description": "Send it as `Authorization: Bearer <token>`; shown only once"})
    expires_at = ma.fields.DateTime()
