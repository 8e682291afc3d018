"""API shapes of task comments."""

from __future__ import annotations

import marshmallow as ma

from association.roadmap.operations import MAX_COMMENT_LENGTH


class TaskCommentArgs(ma.Schema):
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_COMMENT_LENGTH))


class TaskCommentSchema(ma.Schema):
    id = ma.fields.Integer()
    at = ma.fields.DateTime()
    user = ma.fields.Function(lambda comment: comment.user.name if comment.user else None)
    text = ma.fields.String()
    mentions = ma.fields.Function(lambda comment: [mention.user.name for mention in comment.mentions],
                                  metadata={"type": "array", "items": {"type": "string"},
                                            "description": "The names of the people the comment mentions"})


class TaskCommentListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TaskCommentSchema))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()
