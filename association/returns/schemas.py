"""API shapes of annual-return forms and returns."""

from __future__ import annotations

import marshmallow as ma

from association.core.schemas import QueryArgs
from association.returns.models import ReturnStatus


class FieldDefinitionSchema(ma.Schema):
    code = ma.fields.String()
    label = ma.fields.String(metadata={"description": "In the user's language"})
    labels = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    help = ma.fields.String()
    section = ma.fields.String()
    type = ma.fields.String(metadata={"enum": ["integer", "decimal", "boolean", "text", "choice"]})
    unit = ma.fields.String(allow_none=True)
    required = ma.fields.Boolean()
    min = ma.fields.Float(allow_none=True)
    max = ma.fields.Float(allow_none=True)
    allow_na = ma.fields.Boolean()
    choices = ma.fields.List(ma.fields.Dict(), allow_none=True)


class RuleDefinitionSchema(ma.Schema):
    code = ma.fields.String()
    kind = ma.fields.String(metadata={"enum": ["expression", "yoy_change"]})
    expression = ma.fields.String(allow_none=True)
    field = ma.fields.String(allow_none=True)
    max_change_percent = ma.fields.Float(allow_none=True)
    severity = ma.fields.String(metadata={"enum": ["error", "warning"]})
    message = ma.fields.String()


class FormCalendarItemSchema(ma.Schema):
    year = ma.fields.Integer()
    revision = ma.fields.Integer()
    opens_on = ma.fields.Date()
    due_on = ma.fields.Date()
    closed = ma.fields.Boolean()


class FormCalendarSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(FormCalendarItemSchema))
    total = ma.fields.Integer()
    current_year = ma.fields.Integer(allow_none=True,
                                     metadata={"description": "The current reporting year (its window has opened)"})


class FormSchema(ma.Schema):
    year = ma.fields.Integer()
    revision = ma.fields.Integer()
    title = ma.fields.String()
    opens_on = ma.fields.Date()
    due_on = ma.fields.Date()
    closed = ma.fields.Boolean()
    sections = ma.fields.List(ma.fields.Dict())
    units = ma.fields.Dict()
    # `fields` would shadow Schema.fields: the attribute has another name, the JSON keeps the contract's.
    form_fields = ma.fields.List(ma.fields.Nested(FieldDefinitionSchema), attribute="fields", data_key="fields")
    rules = ma.fields.List(ma.fields.Nested(RuleDefinitionSchema))


class ReturnHistorySchema(ma.Schema):
    at = ma.fields.DateTime()
    user = ma.fields.String(allow_none=True)
    action = ma.fields.String()
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String()
    comment = ma.fields.String()
    values_before = ma.fields.Dict(allow_none=True)


MESSAGES = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))


class ReturnSchema(ma.Schema):
    id = ma.fields.Integer()
    library = ma.fields.String(metadata={"description": "Library code"})
    year = ma.fields.Integer()
    status = ma.fields.String(metadata={"enum": [s.value for s in ReturnStatus]})
    values = ma.fields.Dict(metadata={"description": "By field code; \"NA\" = not available"})
    notes = ma.fields.Dict(metadata={"description": "Explanations attached to warnings, by field code"})
    errors = MESSAGES
    warnings = MESSAGES
    version = ma.fields.Integer()
    submitted_at = ma.fields.DateTime(allow_none=True)
    first_submitted_at = ma.fields.DateTime(allow_none=True)
    accepted_at = ma.fields.DateTime(allow_none=True)
    late = ma.fields.Boolean(metadata={"description": "First submitted after the due date (or not yet, and overdue)"})
    review_comment = ma.fields.String()
    history = ma.fields.List(ma.fields.Nested(ReturnHistorySchema),
                             metadata={"description": "The newest entries (up to 20); the rest at …/history"})
    history_total = ma.fields.Integer(metadata={"description": "Entries in the whole history"})


class ReturnSaveArgs(ma.Schema):
    values = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(max=64)), required=True,
                            metadata={"description": "Field code → value, \"NA\" (not available) or null (clear)"})
    notes = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(max=64)),
                           values=ma.fields.String(allow_none=True), load_default=None)


class EmptyArgs(ma.Schema):
    """An empty body (or `{}`)."""


class OptionalCommentArgs(ma.Schema):
    """An optional comment (accepting a return)."""

    comment = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))


class CommentArgs(ma.Schema):
    comment = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=5000))


class ReturnsQueryArgs(QueryArgs):
    year = ma.fields.Integer(required=True, validate=ma.validate.Range(min=2000, max=2100))


class CopyArgs(ma.Schema):
    to_year = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=2000, max=2100))


class ClosedArgs(ma.Schema):
    closed = ma.fields.Boolean(required=True)


class FormDefinitionArgs(ma.Schema):
    definition = ma.fields.Dict(required=True, metadata={"description": "The shape of GET …/definition (as JSON)"})
