"""The task page's update form carries its version and what it showed: stale tabs merge field by field, a field
changed by both is a conflict, a missing or forged version is a 400; `If-Match: *` on a task PATCH is a 428."""

from __future__ import annotations

import json

import pytest

from association.extensions import db
from association.roadmap.models import RoadmapTask, TaskStatus
from association.users.models import Role
from tests.conftest import headers_for
from tests.forms import hidden_fields
from tests.roadmap.test_views import signed_in, task_id_of


def form(page: str, task_id: int, **changes) -> dict:
    data = hidden_fields(page, f"/tasks/{task_id}")
    return {**data, **json.loads(data["read_values"]), "comment": "", "evidence_url": "", **changes}


@pytest.fixture
def member(app):
    client = app.test_client()
    signed_in(app, client, committees=[("REG", False)])
    return client


def test_two_tabs_on_a_task_changing_status_and_progress_keep_both(app, member):
    task_id = task_id_of(app, "1.2")
    tab_a, tab_b = (member.get(f"/tasks/{task_id}").get_data(as_text=True) for _ in range(2))
    assert member.post(f"/tasks/{task_id}", data=form(tab_a, task_id, status="in_progress")).status_code == 302
    assert member.post(f"/tasks/{task_id}", data=form(tab_b, task_id, progress_percent="40",
                                                      comment="forty")).status_code == 302
    with app.app_context():
        task = db.session.get(RoadmapTask, task_id)
        assert (task.status, task.progress_percent) == (TaskStatus.IN_PROGRESS, 40)


def test_two_tabs_on_a_task_changing_progress_conflict(app, member):
    task_id = task_id_of(app, "1.2")
    tab_a, tab_b = (member.get(f"/tasks/{task_id}").get_data(as_text=True) for _ in range(2))
    assert member.post(f"/tasks/{task_id}", data=form(tab_a, task_id, progress_percent="20",
                                                      comment="a")).status_code == 302
    response = member.post(f"/tasks/{task_id}", data=form(tab_b, task_id, progress_percent="30", comment="b typed"))
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "b typed" in html and 'value="30"' in html and "20" in html
    with app.app_context():
        assert db.session.get(RoadmapTask, task_id).progress_percent == 20


@pytest.mark.parametrize("forged", [{"version": ""}, {"version": "v1"}, {"version": "-1"}, {"version": "77"},
                                    {"read_values": "[]"}, {"read_values": '{"status": 1}'}])
def test_a_missing_or_forged_task_version_is_a_400(app, member, forged):
    task_id = task_id_of(app, "1.2")
    page = member.get(f"/tasks/{task_id}").get_data(as_text=True)
    response = member.post(f"/tasks/{task_id}", data={**form(page, task_id, status="in_progress"), **forged})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(RoadmapTask, task_id).status == TaskStatus.PLANNED


def test_a_forged_version_on_the_task_definition_form_is_a_400(app, client):
    signed_in(app, client, Role.COORDINATOR)
    task_id = task_id_of(app, "1.2")
    page = client.get(f"/tasks/{task_id}/edit").get_data(as_text=True)
    data = {**hidden_fields(page, f"/tasks/{task_id}/edit"), "code": "1.2", "committee": "REG", "direction": "1",
            "title_kk": "а", "title_ru": "б", "title_en": "Changed", "planned_year": "2024",
            "due_date": "2024-10-01", "version": "abc"}
    assert client.post(f"/tasks/{task_id}/edit", data=data).status_code == 400
    with app.app_context():
        assert db.session.get(RoadmapTask, task_id).title_en != "Changed"


def test_if_match_star_on_a_task_patch_is_428(app, client):
    headers = headers_for(app, client, Role.COORDINATOR)
    task_id = task_id_of(app, "1.2")
    response = client.patch(f"/api/v1/tasks/{task_id}", json={"progress_percent": 5},
                            headers={**headers, "If-Match": "*"})
    assert response.status_code == 428
    with app.app_context():
        assert db.session.get(RoadmapTask, task_id).progress_percent == 0
