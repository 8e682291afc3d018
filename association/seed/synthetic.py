"""`flask seed synthetic --scale N`: deterministic synthetic data at N × the Association's real size, for
benchmarks. 1× ≈ 120 member libraries (Kazakhstan's universities), the roadmap's 35 tasks, three years of returns and
a year of task history; 10× ≈ 1,200 libraries and 350 tasks. Rows go in with bulk inserts (no per-row ORM work),
so 10× takes seconds, not minutes. Synthetic rows are marked by codes starting with "SYN-"."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import click
import sqlalchemy as sa

from association.auth.passwords import hash_password
from association.extensions import db
from association.libraries.models import LibraryProgress, MeasureStatus, MemberLibrary, Region
from association.returns.models import AnnualReturn, FieldType, FormField, ReturnForm, ReturnStatus
from association.roadmap.models import RoadmapTask, TaskHistory, TaskStatus
from association.users.models import Role, User, UserRole

LIBRARIES_PER_SCALE = 120
TASKS_PER_SCALE = 35
HISTORY_PER_TASK = 12
TYPES = ("national", "state", "private", "joint-stock")


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), 2000):
        db.session.execute(sa.insert(model), rows[start:start + 2000])


def make_synthetic(scale: int, seed: int = 2024, tick: Callable[[int], None] = lambda n: None) -> dict[str, int]:
    """Add synthetic libraries, tasks, history, progress and returns up to `scale` × the real size."""
    rng = random.Random(seed)
    now = datetime(2025, 3, 1, tzinfo=UTC)
    counts: dict[str, int] = {}
    regions = db.session.scalars(sa.select(Region.id).order_by(Region.id)).all()
    existing_libraries = db.session.scalar(sa.select(sa.func.count(MemberLibrary.id))) or 0
    wanted = LIBRARIES_PER_SCALE * scale - existing_libraries
    _insert(MemberLibrary, [
        {"code": f"SYN-{n:05d}", "name_kk": f"Синтетикалық кітапхана {n}", "name_ru": f"Синтетическая библиотека {n}",
         "name_en": f"Synthetic library {n}", "university": f"Synthetic University {n}", "city": "Astana",
         "region_id": rng.choice(regions), "type": rng.choice(TYPES), "membership_status": "active",
         "joined_on": date(2015, 1, 1), "version": 1, "created_at": now, "updated_at": now}
        for n in range(max(wanted, 0))
    ])
    counts["libraries"] = max(wanted, 0)
    tick(counts["libraries"])

    template = db.session.scalars(sa.select(RoadmapTask).order_by(RoadmapTask.id)).first()
    if template is None:
        raise click.ClickException("Load the reference data first (flask seed): synthetic tasks copy a real one.")
    existing_tasks = db.session.scalar(sa.select(sa.func.count(RoadmapTask.id))) or 0
    wanted_tasks = TASKS_PER_SCALE * scale - existing_tasks
    committees = [row for row in db.session.execute(sa.select(RoadmapTask.committee_id).distinct()).scalars()]
    statuses = [s.value for s in TaskStatus if s != TaskStatus.CARRIED_OVER]
    _insert(RoadmapTask, [
        {"code": f"SYN-{n:04d}", "programme_id": template.programme_id, "direction_id": template.direction_id, "committee_id": rng.choice(committees),
         "title_kk": f"Синтетикалық міндет {n}", "title_ru": f"Синтетическая задача {n}", "title_en": f"Synthetic task {n}",
         "descriptions": {}, "planned_year": 2024, "due_date": date(2024, 1, 1) + timedelta(days=rng.randrange(365)),
         "status": rng.choice(statuses), "progress_percent": rng.randrange(101), "expected_results": {},
         "indicators": {}, "library_level": n % 10 == 0, "version": 1, "created_at": now, "updated_at": now}
        for n in range(max(wanted_tasks, 0))
    ])
    counts["tasks"] = max(wanted_tasks, 0)
    tick(counts["tasks"])

    user_id = _synthetic_user()
    task_ids = db.session.scalars(sa.select(RoadmapTask.id)).all()
    history = []
    for task_id in task_ids:
        for step in range(HISTORY_PER_TASK):
            history.append({"task_id": task_id, "at": now - timedelta(days=365 - step * 30), "user_id": user_id,
                            "from_status": "planned" if step == 0 else "in_progress", "to_status": "in_progress",
                            "progress_percent": min(100, step * 8), "comment": f"Step {step}: work goes on."})
    _insert(TaskHistory, history)
    counts["history"] = len(history)
    tick(len(history))

    library_ids = db.session.scalars(sa.select(MemberLibrary.id).where(MemberLibrary.code.like("SYN-%"))).all()
    measures = db.session.scalars(sa.select(RoadmapTask.id).where(RoadmapTask.library_level)).all()
    measure_statuses = [s.value for s in MeasureStatus]
    progress = [{"library_id": library_id, "task_id": task_id, "status": rng.choice(measure_statuses),
                 "note": "", "updated_at": now, "version": 1}
                for library_id in library_ids for task_id in measures]
    _insert(LibraryProgress, progress)
    counts["progress"] = len(progress)
    tick(len(progress))

    returns = []
    for form in db.session.scalars(sa.select(ReturnForm).order_by(ReturnForm.year)):
        fields = db.session.scalars(sa.select(FormField).where(FormField.form_id == form.id)).all()
        submitted = datetime.combine(form.due_on - timedelta(days=5), datetime.min.time(), tzinfo=UTC)
        for library_id in library_ids:
            returns.append({
                "library_id": library_id, "year": form.year, "form_id": form.id, "status": ReturnStatus.ACCEPTED.value,
                "values": {f.code: _value(f, rng) for f in fields}, "notes": {}, "submitted_at": submitted,
                "first_submitted_at": submitted, "accepted_at": submitted, "review_comment": "", "version": 1,
                "created_at": now, "updated_at": now})
    _insert(AnnualReturn, returns)
    counts["returns"] = len(returns)
    tick(len(returns))
    return counts


def _value(definition: FormField, rng: random.Random):
    if definition.type == FieldType.BOOLEAN:
        return rng.random() < 0.5
    if definition.type == FieldType.CHOICE:
        return (definition.choices or [{"code": None}])[0]["code"]
    if definition.type == FieldType.TEXT:
        return "Synthetic"
    if definition.code in ("staff_trained",):
        return rng.randrange(0, 20)
    if definition.max_value is not None:
        return rng.randrange(0, int(definition.max_value) + 1)
    return rng.randrange(20, 5000)


def _synthetic_user() -> int:
    user = db.session.scalars(sa.select(User).where(User.email == "synthetic@example.org")).first()
    if user is None:
        user = User(email="synthetic@example.org", name="Synthetic data", password_hash=hash_password("x" * 40))
        user.roles = [UserRole(role=Role.OBSERVER)]
        db.session.add(user)
        db.session.flush()
    return user.id
