"""The task status workflow (SPEC §2): one table of transitions and who may make each."""

from __future__ import annotations

import enum

from association.roadmap.models import TaskStatus


class Actor(enum.IntEnum):
    """Who may make a transition; a higher actor may do everything a lower one may."""

    MEMBER = 1  # a member of the task's committee
    CHAIR = 2  # the chair of the task's committee
    COORDINATOR = 3  # the coordinator (and the admin)


S = TaskStatus
TRANSITIONS: dict[tuple[TaskStatus, TaskStatus], Actor] = {
    (S.PLANNED, S.IN_PROGRESS): Actor.MEMBER,
    (S.IN_PROGRESS, S.DONE): Actor.MEMBER,
    (S.IN_PROGRESS, S.BLOCKED): Actor.MEMBER,
    (S.BLOCKED, S.IN_PROGRESS): Actor.MEMBER,
    (S.DONE, S.IN_PROGRESS): Actor.CHAIR,  # reopening
    (S.PLANNED, S.CANCELLED): Actor.COORDINATOR,
    (S.IN_PROGRESS, S.CANCELLED): Actor.COORDINATOR,
    (S.BLOCKED, S.CANCELLED): Actor.COORDINATOR,
}


def allowed_targets(current: TaskStatus, actor: Actor | None = None) -> list[TaskStatus]:
    """The statuses a task in `current` can move to (by this actor, if given), in workflow order."""
    return [
        target for target in TaskStatus
        if (current, target) in TRANSITIONS and (actor is None or actor >= TRANSITIONS[(current, target)])
    ]


def required_actor(current: TaskStatus, target: TaskStatus) -> Actor | None:
    """Who may move a task from `current` to `target`, or None when the workflow has no such step."""
    return TRANSITIONS.get((current, target))
