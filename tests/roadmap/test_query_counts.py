"""The task list and a task's page make as many SQL queries with 5 tasks as with 500."""

from datetime import date

import sqlalchemy as sa

from association.extensions import db
from association.roadmap.models import RoadmapTask, TaskHistory, TaskStatus
from association.users.models import Role
from tests.conftest import api_token
from tests.factories import make_user
from tests.querycount import count_queries


def keep_tasks(app, count: int) -> int:
    """Make the roadmap exactly `count` tasks long (inside the test's transaction), each with some history."""
    with app.app_context():
        ids = db.session.scalars(sa.select(RoadmapTask.id).order_by(RoadmapTask.id)).all()
        if len(ids) > count:
            db.session.execute(sa.delete(RoadmapTask).where(RoadmapTask.id.in_(ids[count:])))
        template = db.session.get(RoadmapTask, ids[0])
        db.session.add_all(
            RoadmapTask(code=f"9.{n}", direction_id=template.direction_id, committee_id=template.committee_id,
                        title_kk=f"т{n}", title_ru=f"з{n}", title_en=f"t{n}", planned_year=2024,
                        due_date=date(2024, 12, 1))
            for n in range(count - min(count, len(ids)))
        )
        db.session.flush()
        for task_id in db.session.scalars(sa.select(RoadmapTask.id)):
            db.session.add(TaskHistory(task_id=task_id, to_status=TaskStatus.PLANNED, progress_percent=0, comment="x"))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(RoadmapTask.id))) == count
        return ids[0]


def queries_for(app, client, headers, paths):
    counts = []
    for path in paths:
        with count_queries(app) as statements:
            assert client.get(path, headers=headers).status_code == 200
        counts.append(len(statements))
    return counts


def test_task_endpoints_make_a_constant_number_of_queries(app, client):
    account = make_user(app, Role.OBSERVER)
    headers = api_token(client, account.email, account.password)
    client.get("/api/v1/me", headers=headers)  # the first request of a sign-in fills the identity cache (one more statement)
    task_id = keep_tasks(app, 5)
    paths = ["/api/v1/tasks?per_page=200", f"/api/v1/tasks/{task_id}", f"/api/v1/tasks/{task_id}/history",
             "/api/v1/tasks?overdue=true&q=t"]
    small = queries_for(app, client, headers, paths)
    keep_tasks(app, 500)
    large = queries_for(app, client, headers, paths)
    assert small == large
    assert max(small) <= 7, small
