"""/api/v1/tasks: the roadmap tasks, their history, and status updates with If-Match."""

from __future__ import annotations

from datetime import date

from flask import Response, abort
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from association.core.errors import NotAllowed, ValidationFailed
from association.core.etags import check_if_match, documents_versions, etag_for, set_response_etag
from association.core.pagination import PageArgs, json_response, page_response, page_schema, paginate
from association.core.permissions import SIGNED_IN, STAFF, access, roles
from association.extensions import db
from association.programme.queries import chosen_programme
from association.roadmap import operations, queries
from association.roadmap.models import RoadmapTask, TaskStatus
from association.roadmap.schemas import (
    BulkResultSchema,
    BulkUpdateArgs,
    TaskCreateArgs,
    TaskDefinitionArgs,
    TaskHistoryListSchema,
    TaskPatchWithDefinitionArgs,
    TaskQueryArgs,
    TaskSchema,
    WatchSchema,
    task_item,
)
from association.users.models import Role

blp = Blueprint("tasks_api", __name__, url_prefix="/api/v1/tasks", description="Roadmap tasks")

TASK_UPDATERS = roles(Role.COMMITTEE_MEMBER, Role.COORDINATOR, Role.ADMIN)
DEFINITION_FIELDS = frozenset(TaskDefinitionArgs().fields)


def _task_or_404(task_id: int) -> RoadmapTask:
    task = queries.get_task(task_id)
    if task is None:
        abort(404)
    return task


def _with_etag(task: RoadmapTask) -> RoadmapTask:
    set_response_etag(etag_for("task", task.id, task.version))
    return task


@blp.route("")
class Tasks(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(TaskQueryArgs, location="query")
    @blp.response(200, page_schema(TaskSchema))
    def get(self, args: dict) -> Response:
        """List a programme's roadmap tasks (default: the active programme), filtered and paginated"""
        filters = {**args, "programme_id": chosen_programme(args.get("programme")).id}
        items, total = paginate(queries.task_query(filters), args["page"], args["per_page"])
        today = date.today()
        return page_response([task_item(task, today) for task in items], total, args["page"], args["per_page"])

    @access(STAFF)
    @blp.arguments(TaskCreateArgs)
    @blp.response(201, TaskSchema)
    @blp.alt_response(403, description="Only the coordinator and the admin create tasks")
    @documents_versions()
    def post(self, args: dict) -> RoadmapTask:
        """Create a roadmap task (coordinator)"""
        task = operations.create_task(current_user, args)
        db.session.commit()
        return _with_etag(_task_or_404(task.id))


@blp.route("/bulk")
class BulkUpdate(MethodView):
    @access(TASK_UPDATERS)
    @blp.arguments(BulkUpdateArgs)
    @blp.response(200, BulkResultSchema)
    @blp.alt_response(404, description="One of the tasks does not exist")
    @blp.alt_response(409, description="Some tasks cannot make this transition; `errors` lists them by code")
    def post(self, args: dict) -> object:
        """Move several tasks to one status at once, all or nothing (a chair for their committee, or the coordinator)"""
        tasks = queries.tasks_by_ids(args["task_ids"])
        if len(tasks) != len(set(args["task_ids"])):
            abort(404)
        result = operations.bulk_update_tasks(tasks, current_user, TaskStatus(args["status"]), args["comment"])
        db.session.commit()
        return result


@blp.route("/<int:task_id>")
class Task(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, TaskSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.alt_response(404, description="No such task")
    @documents_versions()
    def get(self, task_id: int) -> RoadmapTask:
        """One roadmap task, with its ETag"""
        return _with_etag(_task_or_404(task_id))

    @access(TASK_UPDATERS)
    @blp.arguments(TaskPatchWithDefinitionArgs, example={"status": "in_progress", "progress_percent": 40,
                                                         "comment": "Catalogue records converted for two faculties"})
    @blp.response(200, TaskSchema)
    @blp.alt_response(403, description="Not a member of the task's committee")
    @blp.alt_response(409, description="The workflow does not allow this status change")
    @blp.alt_response(412, description="If-Match names an older version")
    @blp.alt_response(428, description="If-Match is missing")
    @documents_versions(if_match="required")
    def patch(self, args: dict, task_id: int) -> Response:
        """Change a task's status, progress or comment, or (coordinator) its definition; send If-Match"""
        task = _task_or_404(task_id)
        if not operations.can_update_task(current_user, task):  # 403 before 428/412: say no first
            raise NotAllowed(_("Only members of the task's committee and the coordinator can update this task."))
        check_if_match(etag_for("task", task.id, task.version))
        definition = {name: value for name, value in args.items() if name in DEFINITION_FIELDS}
        progress = {name: value for name, value in args.items() if name not in DEFINITION_FIELDS | {"assignee"}}
        version = task.version
        if definition:
            operations.edit_task(task, current_user, definition, expected_version=version)
        if "assignee" in args:
            assignee = queries.user_by_id(args["assignee"]) if args["assignee"] is not None else None
            if args["assignee"] is not None and assignee is None:
                raise ValidationFailed(_("Unknown user."), {"assignee": [_("Unknown user.")]})
            operations.assign_task(task, current_user, assignee)
        if progress or not (definition or "assignee" in args):  # an empty body gets "nothing to change"
            operations.update_task(
                task, current_user, status=TaskStatus(progress["status"]) if "status" in progress else None,
                progress_percent=progress.get("progress_percent"), comment=progress.get("comment", ""),
                evidence_url=progress.get("evidence_url"),
                expected_version=None if definition or "assignee" in args else version,
            )
        # The answer is the task as flushed (its version and updated_at are set in Python), dumped before the
        # commit expires it: reading it again afterwards cost a statement and an ORM load.
        db.session.flush()
        document, etag = task_item(task), etag_for("task", task.id, task.version)
        db.session.commit()
        set_response_etag(etag)
        return json_response(document)


@blp.route("/<int:task_id>/history")
class TaskHistory(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, TaskHistoryListSchema)
    @blp.alt_response(404, description="No such task")
    def get(self, args: dict, task_id: int) -> dict:
        """The task's history, newest first (paginated like every list)"""
        _task_or_404(task_id)
        items, total = paginate(queries.task_history_query(task_id), args["page"], args["per_page"])
        return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@blp.route("/<int:task_id>/watch")
class Watch(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, WatchSchema)
    def get(self, task_id: int) -> dict:
        """Whether you watch the task (watchers get e-mail digests of its changes)"""
        task = _task_or_404(task_id)
        return {"watching": queries.is_watching(task.id, current_user.id)}

    @access(SIGNED_IN)
    @blp.response(200, WatchSchema)
    def put(self, task_id: int) -> dict:
        """Watch the task"""
        operations.watch_task(_task_or_404(task_id), current_user)
        db.session.commit()
        return {"watching": True}

    @access(SIGNED_IN)
    @blp.response(200, WatchSchema)
    def delete(self, task_id: int) -> dict:
        """Stop watching the task"""
        operations.unwatch_task(_task_or_404(task_id), current_user)
        db.session.commit()
        return {"watching": False}
