"""Creating and editing tasks (coordinator), bulk updates (chair), watching."""

import sqlalchemy as sa

from association.extensions import db
from association.roadmap.models import RoadmapTask, TaskHistory, TaskWatcher
from association.users.models import Role
from tests.conftest import headers_for
from tests.roadmap.test_api import patch, read

NEW_TASK = {
    "code": "6.1", "committee": "LIT", "direction": 5, "title_kk": "Жаңа міндет", "title_ru": "Новая задача",
    "title_en": "A new task", "planned_year": 2024, "due_date": "2024-11-30", "target_value": "75",
    "target_unit": "percent", "library_level": True,
    "indicator": {"kk": "Үлес", "ru": "Доля", "en": "Share"},
}


def ids_of(app, *codes):
    with app.app_context():
        rows = dict(db.session.execute(sa.select(RoadmapTask.code, RoadmapTask.id).where(RoadmapTask.code.in_(codes))).all())
        return [rows[code] for code in codes]


def test_coordinator_creates_a_task(app, client):
    headers = headers_for(app, client, Role.COORDINATOR)
    response = client.post("/api/v1/tasks", json=NEW_TASK, headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["code"], body["committee"], body["status"], body["library_level"]) == ("6.1", "LIT", "planned", True)
    assert body["titles"] == {"kk": "Жаңа міндет", "ru": "Новая задача", "en": "A new task"}
    assert body["target_value"] == "75.00"
    assert response.headers["ETag"]
    history = client.get(f"/api/v1/tasks/{body['id']}/history", headers=headers).get_json()["items"]
    assert [h["to_status"] for h in history] == ["planned"]


def test_create_task_bad_input(app, client):
    headers = headers_for(app, client, Role.COORDINATOR)
    for body, field in [
        ({**NEW_TASK, "code": "1.1"}, "code"), ({**NEW_TASK, "committee": "XXX"}, "committee"),
        ({**NEW_TASK, "due_date": "2023-01-01"}, "due_date"), ({**NEW_TASK, "title_ru": ""}, "title_ru"),
        ({k: v for k, v in NEW_TASK.items() if k != "title_kk"}, "title_kk"), ({**NEW_TASK, "direction": 99}, "direction"),
    ]:
        response = client.post("/api/v1/tasks", json=body, headers=headers)
        assert response.status_code == 422, (field, response.get_json())
        assert field in response.get_json()["errors"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(RoadmapTask.id))) == 35


def test_only_staff_create_tasks(app, client):
    for who in (dict(committees=[("LIT", True)]), dict(roles=[Role.OBSERVER])):
        headers = headers_for(app, client, *who.pop("roles", []), **who)
        assert client.post("/api/v1/tasks", json=NEW_TASK, headers=headers).status_code == 403


def test_coordinator_edits_a_definition_and_members_cannot(app, client):
    [task_id] = ids_of(app, "1.2")
    coordinator = headers_for(app, client, Role.COORDINATOR)
    response = patch(client, coordinator, task_id, {"title_en": "Renamed", "due_date": "2023-06-30", "planned_year": 2023})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["titles"]["en"] == "Renamed"
    assert response.get_json()["version"] == 2
    member = headers_for(app, client, committees=[("REG", True)])
    response = patch(client, member, task_id, {"title_en": "Mine now"})
    assert response.status_code == 403
    assert read(client, member, task_id).get_json()["titles"]["en"] == "Renamed"


def test_empty_patch_is_422(app, client):
    [task_id] = ids_of(app, "1.2")
    response = patch(client, headers_for(app, client, Role.COORDINATOR), task_id, {})
    assert response.status_code == 422


def test_chair_bulk_updates_all_or_nothing(app, client):
    ids = ids_of(app, "1.1", "1.2", "1.3")
    chair = headers_for(app, client, committees=[("REG", True)])
    response = client.post("/api/v1/tasks/bulk", json={"task_ids": ids, "status": "in_progress", "comment": "Go"},
                           headers=chair)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"updated": ["1.1", "1.2", "1.3"], "unchanged": []}
    # 1.1 → done is fine, but a planned task cannot jump to done: nothing changes, the refusal names it
    edu_planned = ids_of(app, "1.4")
    response = client.post("/api/v1/tasks/bulk", json={"task_ids": ids[:1] + edu_planned, "status": "done"},
                           headers=chair)
    assert response.status_code == 409
    assert set(response.get_json()["errors"]) == {"1.4"}
    assert read(client, chair, ids[0]).get_json()["status"] == "in_progress"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TaskHistory.id))) == 3


def test_bulk_is_for_chairs_of_the_tasks_committee(app, client):
    ids = ids_of(app, "1.1", "2.1")
    chair = headers_for(app, client, committees=[("REG", True)])
    response = client.post("/api/v1/tasks/bulk", json={"task_ids": ids, "status": "in_progress"}, headers=chair)
    assert response.status_code == 403
    assert set(response.get_json()["errors"]) == {"2.1"}
    member = headers_for(app, client, committees=[("REG", False)])
    response = client.post("/api/v1/tasks/bulk", json={"task_ids": ids[:1], "status": "in_progress"}, headers=member)
    assert response.status_code == 403
    observer = headers_for(app, client, Role.OBSERVER)
    assert client.post("/api/v1/tasks/bulk", json={"task_ids": ids, "status": "in_progress"},
                       headers=observer).status_code == 403


def test_bulk_bad_input(app, client):
    chair = headers_for(app, client, committees=[("REG", True)])
    assert client.post("/api/v1/tasks/bulk", json={"task_ids": [], "status": "done"}, headers=chair).status_code == 422
    assert client.post("/api/v1/tasks/bulk", json={"task_ids": [999999], "status": "done"}, headers=chair).status_code == 404
    assert client.post("/api/v1/tasks/bulk", json={"task_ids": [1], "status": "x"}, headers=chair).status_code == 422


def test_watch_and_unwatch(app, client):
    [task_id] = ids_of(app, "3.1")
    headers = headers_for(app, client, Role.OBSERVER)
    assert client.get(f"/api/v1/tasks/{task_id}/watch", headers=headers).get_json() == {"watching": False}
    assert client.put(f"/api/v1/tasks/{task_id}/watch", headers=headers).get_json() == {"watching": True}
    assert client.put(f"/api/v1/tasks/{task_id}/watch", headers=headers).status_code == 200  # twice is harmless
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskWatcher)) == 1
    assert client.delete(f"/api/v1/tasks/{task_id}/watch", headers=headers).get_json() == {"watching": False}
    assert client.put("/api/v1/tasks/999999/watch", headers=headers).status_code == 404
