"""/api/v1/committees: figures checked against hand-computed values."""

import sqlalchemy as sa

from association.extensions import db
from association.roadmap.models import RoadmapTask, TaskStatus
from association.users.models import Role
from tests.conftest import headers_for
from tests.querycount import count_queries


def set_statuses(app, statuses):
    with app.app_context():
        for code, status in statuses.items():
            db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.code == code)).one().status = status
        db.session.commit()


def test_committee_figures(app, client):
    # REG has 6 tasks: 2 done, 1 cancelled, 1 in progress, 2 planned -> 2 / (6 - 1) = 40 %
    set_statuses(app, {"1.1": TaskStatus.DONE, "1.2": TaskStatus.DONE, "1.3": TaskStatus.CANCELLED,
                       "1.4": TaskStatus.IN_PROGRESS})
    make_chair = headers_for(app, client, committees=[("REG", True)])
    body = client.get("/api/v1/committees", headers=make_chair).get_json()
    assert body["total"] == 6 and [c["code"] for c in body["items"]] == ["REG", "EDU", "RES", "AUT", "OPN", "LIT"]
    reg = body["items"][0]
    assert reg["tasks_total"] == 6
    assert reg["tasks_by_status"] == {"planned": 2, "in_progress": 1, "blocked": 0, "done": 2, "cancelled": 1}
    assert reg["progress_percent"] == 40
    assert reg["members"][0]["chair"] is True
    detail = client.get(f"/api/v1/committees/{reg['id']}", headers=make_chair).get_json()
    assert detail == reg
    assert body["items"][1]["progress_percent"] == 0


def test_unknown_committee_is_404_and_anonymous_401(app, client):
    headers = headers_for(app, client, Role.OBSERVER)
    assert client.get("/api/v1/committees/999", headers=headers).status_code == 404
    assert client.get("/api/v1/committees").status_code == 401


def test_committee_queries_do_not_grow_with_members(app, client):
    from tests.factories import make_user

    headers = headers_for(app, client, Role.OBSERVER)
    client.get("/api/v1/me", headers=headers)  # the first request of a sign-in fills the identity cache
    make_user(app, committees=[("REG", False)])
    counts = []
    for _ in range(2):
        with count_queries(app) as statements:
            client.get("/api/v1/committees", headers=headers)
        counts.append(len(statements))
        for _n in range(5):
            make_user(app, committees=[("REG", False), ("EDU", False)])
    assert counts[0] == counts[1]


def test_committee_figures_follow_a_task_change_on_the_next_request(app, client):
    """The figures come from the figures cache: a task's new status and a new programme shown are seen at once."""
    headers = headers_for(app, client, Role.COORDINATOR)

    def reg() -> dict:
        return client.get("/api/v1/committees", headers=headers).get_json()["items"][0]

    before = reg()
    assert reg() == before  # the second read is served from the cache
    set_statuses(app, {"1.1": TaskStatus.DONE})
    after = reg()
    assert after["tasks_by_status"]["done"] == before["tasks_by_status"]["done"] + 1
    assert after["progress_percent"] > before["progress_percent"]
