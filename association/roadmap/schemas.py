"""API shapes of roadmap tasks: `*Args` are inputs, `*Schema` are outputs."""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma

from association.core.i18n import current_language
from association.core.models import localized
from association.core.pagination import PageArgs
from association.roadmap.models import RoadmapTask, TaskStatus
from association.roadmap.operations import MAX_COMMENT_LENGTH

STATUSES = [status.value for status in TaskStatus]


class TaskQueryArgs(PageArgs):
    programme = ma.fields.String(validate=ma.validate.Length(max=40),
                                 metadata={"description": "Programme code (default: the active one, else the newest)"})
    committee = ma.fields.String(validate=ma.validate.Length(max=10), metadata={"description": "Committee code"})
    direction = ma.fields.Integer(validate=ma.validate.Range(min=1, max=100))
    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100), metadata={"description": "Planned year"})
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    overdue = ma.fields.Boolean()
    q = ma.fields.String(validate=ma.validate.Length(max=200), metadata={"description": "Text in the code or title"})
    code = ma.fields.String(validate=ma.validate.Length(max=20))


class TaskSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    programme = ma.fields.Function(lambda task: task.programme.code, metadata={"description": "Programme code"})
    carried_from = ma.fields.Function(
        lambda task: {"programme": task.carried_from.programme.code, "code": task.carried_from.code}
        if task.carried_from_id is not None else None,
        metadata={"description": "The earlier programme's task this one continues, or null"})
    title = ma.fields.Function(lambda task: task.title, metadata={"description": "In the user's language"})
    titles = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    description = ma.fields.Function(lambda task: localized(task.descriptions))
    committee = ma.fields.Function(lambda task: task.committee.code, metadata={"description": "Committee code"})
    direction = ma.fields.Function(lambda task: task.direction.number)
    planned_year = ma.fields.Integer()
    due_date = ma.fields.Date()
    status = ma.fields.Function(lambda task: task.status.value, metadata={"enum": STATUSES})
    progress_percent = ma.fields.Integer()
    overdue = ma.fields.Function(lambda task: task.is_overdue(), metadata={"description": "Derived from the due date"})
    library_level = ma.fields.Boolean()
    expected_result = ma.fields.Function(lambda task: localized(task.expected_results))
    indicator = ma.fields.Function(lambda task: localized(task.indicators))
    target_value = ma.fields.Function(lambda task: None if task.target_value is None else str(task.target_value),
                                      metadata={"type": "string", "nullable": True, "format": "decimal"})
    target_unit = ma.fields.String(allow_none=True)
    updated_at = ma.fields.DateTime()
    version = ma.fields.Integer(metadata={"description": "Send the ETag (If-Match) to change this version"})
    assignee = ma.fields.Integer(attribute="assignee_id", allow_none=True,
                                 metadata={"description": "The user id of the task's owner, a committee member"})


def task_item(task: RoadmapTask, today: date | None = None) -> dict[str, Any]:
    """TaskSchema's dump written out (what the lists answer for each task; the schema stays the documented shape,
    and tests/roadmap check that both give the same document): a list of 50 tasks spent a third of its time in
    marshmallow."""
    language = current_language()
    origin = task.carried_from if task.carried_from_id is not None else None
    return {
        "id": task.id, "code": task.code, "programme": task.programme.code,
        "carried_from": {"programme": origin.programme.code, "code": origin.code} if origin is not None else None,
        "title": localized(task.titles, language), "titles": task.titles,
        "description": localized(task.descriptions, language), "committee": task.committee.code,
        "direction": task.direction.number, "planned_year": task.planned_year,
        "due_date": task.due_date.isoformat() if task.due_date is not None else None,
        "status": task.status.value, "progress_percent": task.progress_percent, "overdue": task.is_overdue(today),
        "library_level": task.library_level, "expected_result": localized(task.expected_results, language),
        "indicator": localized(task.indicators, language),
        "target_value": None if task.target_value is None else str(task.target_value),
        "target_unit": task.target_unit,
        "updated_at": task.updated_at.isoformat() if task.updated_at is not None else None,
        "version": task.version, "assignee": task.assignee_id,
    }


class TaskPatchArgs(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    progress_percent = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=100))
    comment = ma.fields.String(validate=ma.validate.Length(max=MAX_COMMENT_LENGTH))
    evidence_url = ma.fields.Url(schemes={"http", "https"}, require_tld=False, allow_none=True,
                                 validate=ma.validate.Length(max=2000))
    assignee = ma.fields.Integer(strict=True, allow_none=True, validate=ma.validate.Range(min=1, max=2_147_483_647),
                                 metadata={"description": "A member of the task's committee (chair or coordinator)"})


class TaskHistorySchema(ma.Schema):
    at = ma.fields.DateTime()
    user = ma.fields.Function(lambda entry: entry.user.name if entry.user else None)
    from_status = ma.fields.Function(lambda entry: entry.from_status.value if entry.from_status else None)
    to_status = ma.fields.Function(lambda entry: entry.to_status.value)
    progress_percent = ma.fields.Integer()
    comment = ma.fields.String()
    evidence_url = ma.fields.String(allow_none=True)


class TaskHistoryListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TaskHistorySchema))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()


class LocalizedTextArgs(ma.Schema):
    kk = ma.fields.String(validate=ma.validate.Length(max=5000))
    ru = ma.fields.String(validate=ma.validate.Length(max=5000))
    en = ma.fields.String(validate=ma.validate.Length(max=5000))


class TaskDefinitionArgs(ma.Schema):
    """A task's definition, as the coordinator creates or edits it."""

    code = ma.fields.String(validate=[ma.validate.Length(min=1, max=20), ma.validate.Regexp(r"^[0-9A-Za-z.-]+$")])
    committee = ma.fields.String(validate=ma.validate.Length(min=1, max=10))
    direction = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=100))
    title_kk = ma.fields.String(validate=ma.validate.Length(min=1, max=500))
    title_ru = ma.fields.String(validate=ma.validate.Length(min=1, max=500))
    title_en = ma.fields.String(validate=ma.validate.Length(min=1, max=500))
    description = ma.fields.Nested(LocalizedTextArgs)
    expected_result = ma.fields.Nested(LocalizedTextArgs)
    indicator = ma.fields.Nested(LocalizedTextArgs)
    planned_year = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=2000, max=2100))
    due_date = ma.fields.Date()
    target_value = ma.fields.Float(allow_none=True, validate=ma.validate.Range(min=0, max=10**12))
    target_unit = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    library_level = ma.fields.Boolean()


class TaskCreateArgs(TaskDefinitionArgs):
    """A new task: code, committee, direction, the three titles, the planned year and the due date are needed;
    `programme` (a code) defaults to the active programme."""

    programme = ma.fields.String(validate=ma.validate.Length(min=1, max=40))

    code = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=20),
                                                     ma.validate.Regexp(r"^[0-9A-Za-z.-]+$")])
    committee = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=10))
    direction = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=100))
    title_kk = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))
    title_ru = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))
    title_en = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))
    planned_year = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=2000, max=2100))
    due_date = ma.fields.Date(required=True)


class TaskPatchWithDefinitionArgs(TaskPatchArgs, TaskDefinitionArgs):
    """A status/progress/comment change, and for the coordinator also the task's definition."""


class BulkUpdateArgs(ma.Schema):
    task_ids = ma.fields.List(ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=2_147_483_647)),
                              required=True,
                              validate=ma.validate.Length(min=1, max=200))
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))
    comment = ma.fields.String(load_default="", validate=ma.validate.Length(max=MAX_COMMENT_LENGTH))


class BulkResultSchema(ma.Schema):
    updated = ma.fields.List(ma.fields.String(), metadata={"description": "Codes of the tasks that changed"})
    unchanged = ma.fields.List(ma.fields.String(), metadata={"description": "Codes already in that status"})


class WatchSchema(ma.Schema):
    watching = ma.fields.Boolean()
