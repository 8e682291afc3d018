"""What the task page shows, in one call: the task, its history, what the reader may do, and its discussion."""

from __future__ import annotations

from dataclasses import dataclass

from association.comments.queries import TaskWork, task_work
from association.roadmap import queries
from association.roadmap.models import RoadmapTask, TaskHistory
from association.roadmap.operations import actor_for
from association.roadmap.workflow import Actor
from association.users.models import User


@dataclass(frozen=True)
class TaskPage:
    task: RoadmapTask
    history: list[TaskHistory]
    actor: Actor | None  # None: the reader may not change the task (or its programme is closed)
    watching: bool
    work: TaskWork  # owner, comments, linked documents


def task_page(task: RoadmapTask, user: User) -> TaskPage:
    """The page of one task as `user` sees it."""
    actor = None if task.programme.is_closed else actor_for(user, task)
    return TaskPage(task=task, history=queries.task_history(task.id), actor=actor,
                    watching=queries.is_watching(task.id, user.id), work=task_work(task, user))
