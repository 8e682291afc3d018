"""Ten people saving the same task version at once: exactly one wins, nine get 412, one history entry."""

import threading

import pytest
import sqlalchemy as sa

from association.audit.models import AuditEvent
from association.extensions import db
from association.roadmap.models import RoadmapTask, TaskHistory
from association.users.models import User
from association.users.operations import create_user
from tests.factories import PASSWORD

THREADS = 10


@pytest.fixture
def committed_task(app):
    """A task and a coordinator committed for real (the race needs separate connections), removed afterwards."""
    with app.app_context():
        last_audit_id = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
        reference = db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.code == "1.1")).one()
        task = RoadmapTask(
            code="RACE", direction_id=reference.direction_id, committee_id=reference.committee_id,
            title_kk="Жарыс", title_ru="Гонка", title_en="Race", planned_year=2024, due_date=reference.due_date,
        )
        user = create_user("racer@example.org", "Racer", PASSWORD, ["coordinator"])
        db.session.add(task)
        db.session.commit()
        ids = (task.id, user.id)
    yield ids
    with app.app_context():
        task_id, user_id = ids
        db.session.execute(sa.delete(TaskHistory).where(TaskHistory.task_id == task_id))
        db.session.execute(sa.delete(RoadmapTask).where(RoadmapTask.id == task_id))
        db.session.execute(sa.delete(User).where(User.id == user_id))
        # The schema of the suite is made by create_all, without the migration's append-only trigger.
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id > last_audit_id))
        db.session.commit()


@pytest.mark.real_commits
def test_ten_concurrent_patches_of_one_version(app, committed_task):
    task_id, _ = committed_task
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "racer@example.org", "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    etag = client.get(f"/api/v1/tasks/{task_id}", headers=headers).headers["ETag"]

    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def save(n: int) -> None:
        own_client = app.test_client()
        barrier.wait()
        response = own_client.patch(f"/api/v1/tasks/{task_id}", json={"progress_percent": n, "comment": f"thread {n}"},
                                    headers={**headers, "If-Match": etag})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(1, THREADS + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200] + [412] * (THREADS - 1)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TaskHistory.id)).where(TaskHistory.task_id == task_id)) == 1
        assert db.session.get(RoadmapTask, task_id).version == 2
