"""/api/v1/tasks/{id}/comments: a task's discussion."""

from __future__ import annotations

from flask import abort
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from association.comments import operations, queries
from association.comments.models import TaskComment
from association.comments.schemas import TaskCommentArgs, TaskCommentListSchema, TaskCommentSchema
from association.core.pagination import PageArgs, one_page
from association.core.permissions import SIGNED_IN, access, roles
from association.extensions import db
from association.roadmap.models import RoadmapTask
from association.roadmap.queries import get_task
from association.users.models import Role

blp = Blueprint("comments_api", __name__, url_prefix="/api/v1/tasks", description="Task discussions")

COMMENTERS = roles(Role.COMMITTEE_MEMBER, Role.COORDINATOR, Role.ADMIN)


def _task_or_404(task_id: int) -> RoadmapTask:
    task = get_task(task_id)
    if task is None:
        abort(404)
    return task


@blp.route("/<int:task_id>/comments")
class Comments(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, TaskCommentListSchema)
    @blp.alt_response(404, description="No such task")
    def get(self, args: dict, task_id: int) -> dict:
        """The task's comments, oldest first, with the people each mentions"""
        _task_or_404(task_id)
        return one_page(queries.comments_query(task_id), args)

    @access(COMMENTERS)
    @blp.arguments(TaskCommentArgs)
    @blp.response(201, TaskCommentSchema)
    @blp.alt_response(403, description="Not a member of the task's committee")
    @blp.alt_response(404, description="No such task")
    def post(self, args: dict, task_id: int) -> TaskComment:
        """Comment on a task; people named with @ (e-mail, its local part or name) are told by e-mail"""
        task = _task_or_404(task_id)
        comment = operations.add_comment(task, current_user, args["text"])
        db.session.commit()
        comment = queries.get_comment(comment.id)
        return comment
