"""/api/v1/tasks: the roadmap tasks, their history, and status updates with If-Match."""

from __future__ import annotations

from flask import abort
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from association.core.etags import check_if_match, etag_for, set_response_etag
from association.core.pagination import page_schema, paginate
from association.core.permissions import SIGNED_IN, access, roles
from association.extensions import db
from association.roadmap import operations, queries
from association.roadmap.models import RoadmapTask, TaskStatus
from association.roadmap.schemas import TaskHistoryListSchema, TaskPatchArgs, TaskQueryArgs, TaskSchema
from association.users.models import Role

blp = Blueprint("tasks_api", __name__, url_prefix="/api/v1/tasks", description="Roadmap tasks")

TASK_UPDATERS = roles(Role.COMMITTEE_MEMBER, Role.COORDINATOR, Role.ADMIN)


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
    def get(self, args: dict) -> dict:
        """List roadmap tasks, filtered and paginated"""
        items, total = paginate(queries.task_query(args), args["page"], args["per_page"])
        return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@blp.route("/<int:task_id>")
class Task(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, TaskSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.alt_response(404, description="No such task")
    def get(self, task_id: int) -> RoadmapTask:
        """One roadmap task, with its ETag"""
        return _with_etag(_task_or_404(task_id))

    @access(TASK_UPDATERS)
    @blp.arguments(TaskPatchArgs)
    @blp.response(200, TaskSchema)
    @blp.alt_response(403, description="Not a member of the task's committee")
    @blp.alt_response(409, description="The workflow does not allow this status change")
    @blp.alt_response(412, description="If-Match names an older version")
    @blp.alt_response(428, description="If-Match is missing")
    def patch(self, args: dict, task_id: int) -> RoadmapTask:
        """Change a task's status, progress or comment (send If-Match with the ETag you read)"""
        task = _task_or_404(task_id)
        check_if_match(etag_for("task", task.id, task.version))
        operations.update_task(
            task, current_user, status=TaskStatus(args["status"]) if "status" in args else None,
            progress_percent=args.get("progress_percent"), comment=args.get("comment", ""),
            evidence_url=args.get("evidence_url"), expected_version=task.version,
        )
        db.session.commit()
        return _with_etag(_task_or_404(task_id))


@blp.route("/<int:task_id>/history")
class TaskHistory(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, TaskHistoryListSchema)
    @blp.alt_response(404, description="No such task")
    def get(self, task_id: int) -> dict:
        """The task's history, newest first"""
        _task_or_404(task_id)
        return {"items": queries.task_history(task_id)}
