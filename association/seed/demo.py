"""Demo users of every role and some sample progress, so a new user sees a living system."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import g

from association.extensions import db
from association.libraries.models import MeasureStatus, MemberLibrary
from association.libraries.operations import set_measure_progress
from association.roadmap.models import RoadmapTask, TaskStatus
from association.roadmap.operations import update_task
from association.users.models import Role, User
from association.users.operations import create_user

# email, name, roles, committees [(code, chair)], library code
DEMO_USERS: list[tuple[str, str, list[Role], list[tuple[str, bool]], str | None]] = [
    ("admin@example.org", "Aigerim Admin", [Role.ADMIN], [], None),
    ("coordinator@example.org", "Dana Coordinator", [Role.COORDINATOR], [], None),
    ("observer@example.org", "Marat Observer (Ministry)", [Role.OBSERVER], [], None),
    ("reg.chair@example.org", "Saule REG Chair", [Role.COMMITTEE_MEMBER], [("REG", True)], None),
    ("reg.member@example.org", "Yerlan REG Member", [Role.COMMITTEE_MEMBER], [("REG", False)], None),
    ("edu.chair@example.org", "Gulnara EDU Chair", [Role.COMMITTEE_MEMBER], [("EDU", True)], None),
    ("res.member@example.org", "Timur RES Member", [Role.COMMITTEE_MEMBER], [("RES", False)], None),
    ("nu.rep@example.org", "Asel NU Representative", [Role.LIBRARY_REP], [], "NU"),
    ("enu.rep@example.org", "Nurlan ENU Representative", [Role.LIBRARY_REP], [], "ENU"),
]

# (task code, acting user, steps of (status, progress, comment))
DEMO_TASK_STEPS = [
    ("1.1", "reg.chair@example.org", [(TaskStatus.IN_PROGRESS, 40, "Inventory of regulations started."),
                                      (TaskStatus.DONE, 100, "Analytical report sent to the Ministry.")]),
    ("1.2", "reg.member@example.org", [(TaskStatus.IN_PROGRESS, 60, "Draft model regulations circulated.")]),
    ("2.1", "edu.chair@example.org", [(TaskStatus.IN_PROGRESS, 30, "Training needs survey open."),
                                      (TaskStatus.BLOCKED, 30, "Waiting for the Ministry's approval of the budget.")]),
    ("3.1", "res.member@example.org", [(TaskStatus.IN_PROGRESS, 50, "Union catalogue pilot with five libraries.")]),
]

# (library code, task code, status, evidence)
DEMO_MEASURES = [
    ("NU", "1.5", MeasureStatus.DONE, "https://nu.edu.kz/library"),
    ("NU", "3.4", MeasureStatus.IN_PROGRESS, None),
    ("ENU", "1.5", MeasureStatus.IN_PROGRESS, None),
]


def _password() -> str:
    return secrets.token_urlsafe(12)


def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo users that are missing and the sample progress; answers (email, password, roles) created."""
    created: list[tuple[str, str, str]] = []
    for email, name, roles, committees, library in DEMO_USERS:
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
            continue
        password = _password()
        create_user(email, name, password, roles, committees=committees, library_code=library)
        created.append((email, password, ", ".join(r.value for r in roles) + (f" {committees}" if committees else "")
                        + (f" {library}" if library else "")))
    if created:
        _sample_progress()
    return created


def _user(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def _sample_progress() -> None:
    for code, email, steps in DEMO_TASK_STEPS:
        task = db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.code == code)).one_or_none()
        if task is None or task.status != TaskStatus.PLANNED:
            continue
        user = _user(email)
        g.cli_actor = user
        for status, progress, comment in steps:
            update_task(task, user, status=status, progress_percent=progress, comment=comment)
    for library_code, task_code, measure_status, evidence in DEMO_MEASURES:
        library = db.session.scalars(sa.select(MemberLibrary).where(MemberLibrary.code == library_code)).one_or_none()
        task = db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.code == task_code)).one_or_none()
        if library is None or task is None:
            continue
        rep = db.session.scalars(sa.select(User).where(User.library_id == library.id)).first()
        if rep is not None:
            g.cli_actor = rep
            set_measure_progress(library, task, rep, status=measure_status, evidence_url=evidence)
    g.pop("cli_actor", None)
