"""/api/v1/tasks: list, detail with ETag, PATCH with If-Match, history; the workflow and its permissions."""

import pytest
import sqlalchemy as sa

from association.extensions import db
from association.roadmap.models import RoadmapTask, TaskHistory, TaskStatus
from association.users.models import Role
from tests.conftest import headers_for


@pytest.fixture
def task_id(app):
    with app.app_context():
        return db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == "1.2"))



def read(client, headers, task_id):
    response = client.get(f"/api/v1/tasks/{task_id}", headers=headers)
    assert response.status_code == 200
    return response


def patch(client, headers, task_id, body, etag=None):
    response = read(client, headers, task_id)
    extra = {"If-Match": etag if etag is not None else response.headers["ETag"]}
    return client.patch(f"/api/v1/tasks/{task_id}", json=body, headers={**headers, **extra})


def test_list_is_paginated_with_the_objects_fields(app, client):
    headers = headers_for(app, client, Role.OBSERVER)
    body = client.get("/api/v1/tasks?per_page=10&page=2", headers=headers).get_json()
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (35, 2, 10, 10)
    detail = client.get(f"/api/v1/tasks/{body['items'][0]['id']}", headers=headers).get_json()
    assert set(body["items"][0]) == set(detail)
    for key in ("id", "code", "title", "committee", "status", "progress_percent", "due_date", "overdue",
                "library_level", "version"):
        assert key in detail


def test_codes_are_in_numeric_order(app, client):
    headers = headers_for(app, client, Role.OBSERVER)
    codes = [t["code"] for t in client.get("/api/v1/tasks?per_page=200", headers=headers).get_json()["items"]]
    assert codes.index("5.9") < codes.index("5.10") < codes.index("5.11")


@pytest.mark.parametrize(("query", "expected"), [
    ("committee=REG", 6), ("committee=reg", 6), ("year=2022", 6), ("status=planned", 35), ("status=done", 0),
    ("code=5.10", 1), ("overdue=true", 35), ("overdue=false", 0), ("committee=EDU&year=2023", None),
    ("q=open-access", None), ("q=%D0%BE%D1%82%D0%BA%D1%80%D1%8B%D1%82", None),
])
def test_filters(app, client, query, expected):
    headers = headers_for(app, client, Role.OBSERVER)
    body = client.get(f"/api/v1/tasks?{query}&per_page=200", headers=headers).get_json()
    if expected is not None:
        assert body["total"] == expected
    else:
        assert 0 < body["total"] < 35


def test_text_search_folds_cyrillic_case(app, client):
    headers = headers_for(app, client, Role.OBSERVER)
    lower = client.get("/api/v1/tasks", query_string={"q": "открыт"}, headers=headers).get_json()["total"]
    upper = client.get("/api/v1/tasks", query_string={"q": "ОТКРЫТ"}, headers=headers).get_json()["total"]
    assert lower == upper > 0


@pytest.mark.parametrize("query", ["status=finished", "year=abc", "per_page=201", "page=0", "overdue=maybe"])
def test_bad_filters_are_422(app, client, query):
    headers = headers_for(app, client, Role.OBSERVER)
    response = client.get(f"/api/v1/tasks?{query}", headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_detail_has_an_etag_and_unknown_task_is_404(app, client, task_id):
    headers = headers_for(app, client, Role.OBSERVER)
    response = read(client, headers, task_id)
    assert response.headers["ETag"] == f'"task-{task_id}-v1"'
    assert client.get("/api/v1/tasks/999999", headers=headers).status_code == 404


def test_member_moves_a_task_along_the_workflow(app, client, task_id):
    headers = headers_for(app, client, committees=[("REG", False)])
    response = patch(client, headers, task_id, {"status": "in_progress", "progress_percent": 20,
                                                "comment": "Жұмыс басталды — работа начата"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["progress_percent"], body["version"]) == ("in_progress", 20, 2)
    assert response.headers["ETag"] == f'"task-{task_id}-v2"'
    response = patch(client, headers, task_id, {"status": "done"})
    assert response.get_json()["status"] == "done"
    assert response.get_json()["progress_percent"] == 100

    history = client.get(f"/api/v1/tasks/{task_id}/history", headers=headers).get_json()["items"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [("in_progress", "done"), ("planned", "in_progress")]
    assert history[1]["comment"] == "Жұмыс басталды — работа начата"
    assert history[1]["user"].startswith("Test ")


def test_illegal_transition_is_409_naming_the_allowed_ones(app, client, task_id):
    headers = headers_for(app, client, committees=[("REG", False)])
    response = patch(client, headers, task_id, {"status": "done"})
    assert response.status_code == 409
    assert "in_progress" in response.get_json()["detail"]
    assert read(client, headers, task_id).get_json()["status"] == "planned"


def test_only_the_coordinator_cancels(app, client, task_id):
    member = headers_for(app, client, committees=[("REG", True)])
    assert patch(client, member, task_id, {"status": "cancelled"}).status_code == 409
    coordinator = headers_for(app, client, Role.COORDINATOR)
    assert patch(client, coordinator, task_id, {"status": "cancelled"}).get_json()["status"] == "cancelled"


def test_reopening_needs_a_chair_or_the_coordinator(app, client, task_id):
    member = headers_for(app, client, committees=[("REG", False)])
    patch(client, member, task_id, {"status": "in_progress"})
    patch(client, member, task_id, {"status": "done"})
    assert patch(client, member, task_id, {"status": "in_progress"}).status_code == 409
    chair = headers_for(app, client, committees=[("REG", True)])
    assert patch(client, chair, task_id, {"status": "in_progress"}).get_json()["status"] == "in_progress"


def test_blocked_and_back(app, client, task_id):
    member = headers_for(app, client, committees=[("REG", False)])
    patch(client, member, task_id, {"status": "in_progress"})
    assert patch(client, member, task_id, {"status": "blocked"}).get_json()["status"] == "blocked"
    assert patch(client, member, task_id, {"status": "in_progress"}).get_json()["status"] == "in_progress"


@pytest.mark.parametrize("who", [
    dict(roles=[], committees=[("EDU", False)]), dict(roles=[Role.OBSERVER]), dict(roles=[Role.LIBRARY_REP], library="NU"),
])
def test_others_cannot_change_the_task(app, client, task_id, who):
    headers = headers_for(app, client, *who.pop("roles"), **who)
    response = patch(client, headers, task_id, {"status": "in_progress"})
    assert response.status_code == 403
    assert read(client, headers, task_id).get_json()["status"] == "planned"


def test_if_match_missing_is_428_and_stale_is_412(app, client, task_id):
    headers = headers_for(app, client, Role.COORDINATOR)
    response = client.patch(f"/api/v1/tasks/{task_id}", json={"progress_percent": 5}, headers=headers)
    assert response.status_code == 428
    old = read(client, headers, task_id).headers["ETag"]
    assert patch(client, headers, task_id, {"progress_percent": 10}).status_code == 200
    assert patch(client, headers, task_id, {"progress_percent": 20}, etag=old).status_code == 412
    assert read(client, headers, task_id).get_json()["progress_percent"] == 10


@pytest.mark.parametrize(("body", "field"), [
    ({"progress_percent": 101}, "progress_percent"), ({"progress_percent": -1}, "progress_percent"),
    ({"progress_percent": 50.5}, "progress_percent"), ({"progress_percent": "50"}, "progress_percent"),
    ({"status": "finished"}, "status"), ({"comment": "x" * 5001}, "comment"), ({"colour": "red"}, "colour"),
    ({"evidence_url": "javascript:alert(1)"}, "evidence_url"),
])
def test_bad_values_are_422_with_the_field_named_and_change_nothing(app, client, task_id, body, field):
    headers = headers_for(app, client, Role.COORDINATOR)
    response = patch(client, headers, task_id, body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TaskHistory.id))) == 0
        assert db.session.get(RoadmapTask, task_id).version == 1


def test_malformed_and_non_json_bodies(app, client, task_id):
    headers = headers_for(app, client, Role.COORDINATOR)
    etag = read(client, headers, task_id).headers["ETag"]
    bad = client.patch(f"/api/v1/tasks/{task_id}", data="{", content_type="application/json",
                       headers={**headers, "If-Match": etag})
    assert bad.status_code == 400
    text = client.patch(f"/api/v1/tasks/{task_id}", data="status=done", content_type="text/plain",
                        headers={**headers, "If-Match": etag})
    assert text.status_code == 415


def test_overdue_is_derived(app, client, task_id):
    headers = headers_for(app, client, Role.COORDINATOR)
    assert read(client, headers, task_id).get_json()["overdue"] is True  # due in 2022–2024, not done
    patch(client, headers, task_id, {"status": "in_progress"})
    patch(client, headers, task_id, {"status": "done"})
    assert read(client, headers, task_id).get_json()["overdue"] is False
    with app.app_context():
        assert TaskStatus.DONE == db.session.get(RoadmapTask, task_id).status
