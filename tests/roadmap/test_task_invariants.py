"""Task invariants in the workflow: done means 100 %, and the progress of a done or cancelled task cannot be
edited (HTML and API go through the same operation)."""

import pytest
import sqlalchemy as sa

from association.extensions import db
from association.roadmap.models import RoadmapTask, TaskHistory
from association.users.models import Role
from tests.conftest import csrf_token_from, headers_for, login
from tests.factories import make_user
from tests.roadmap.test_api import patch, read


@pytest.fixture
def task_id(app):
    with app.app_context():
        return db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == "1.2"))


@pytest.fixture
def coordinator(app, client):
    return headers_for(app, client, Role.COORDINATOR)


def history_count(app, task_id):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(TaskHistory)
                                 .where(TaskHistory.task_id == task_id))


def to_status(client, headers, task_id, *statuses):
    for status in statuses:
        assert patch(client, headers, task_id, {"status": status}).status_code == 200


def test_done_with_a_contradicting_progress_is_refused_and_changes_nothing(app, client, coordinator, task_id):
    to_status(client, coordinator, task_id, "in_progress")
    before = read(client, coordinator, task_id).get_json()
    count = history_count(app, task_id)
    response = patch(client, coordinator, task_id, {"status": "done", "progress_percent": 10})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "progress_percent" in response.get_json()["errors"]
    after = read(client, coordinator, task_id).get_json()
    assert (after["status"], after["progress_percent"], after["version"]) == (
        before["status"], before["progress_percent"], before["version"])
    assert history_count(app, task_id) == count


@pytest.mark.parametrize("body", [{"status": "done"}, {"status": "done", "progress_percent": 100}])
def test_done_sets_or_keeps_100(client, coordinator, task_id, body):
    to_status(client, coordinator, task_id, "in_progress")
    assert patch(client, coordinator, task_id, {"progress_percent": 40}).status_code == 200
    response = patch(client, coordinator, task_id, body)
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["progress_percent"]) == ("done", 100)


def test_the_progress_of_a_done_task_cannot_be_edited(app, client, coordinator, task_id):
    to_status(client, coordinator, task_id, "in_progress", "done")
    count = history_count(app, task_id)
    response = patch(client, coordinator, task_id, {"progress_percent": 10})
    assert response.status_code == 422 and "progress_percent" in response.get_json()["errors"]
    assert read(client, coordinator, task_id).get_json()["progress_percent"] == 100
    assert history_count(app, task_id) == count
    assert patch(client, coordinator, task_id, {"comment": "still fine"}).status_code == 200


@pytest.mark.parametrize("progress", [77, 0])
def test_the_progress_of_a_cancelled_task_cannot_be_edited(client, coordinator, task_id, progress):
    to_status(client, coordinator, task_id, "in_progress")
    assert patch(client, coordinator, task_id, {"progress_percent": 30}).status_code == 200
    to_status(client, coordinator, task_id, "cancelled")
    response = patch(client, coordinator, task_id, {"progress_percent": progress})
    assert response.status_code == 422
    assert read(client, coordinator, task_id).get_json()["progress_percent"] == 30


def test_cancelling_with_a_new_progress_is_refused(client, coordinator, task_id):
    to_status(client, coordinator, task_id, "in_progress")
    response = patch(client, coordinator, task_id, {"status": "cancelled", "progress_percent": 77})
    assert response.status_code == 422
    assert read(client, coordinator, task_id).get_json()["status"] == "in_progress"


def test_a_reopened_task_takes_a_progress_again(client, coordinator, task_id):
    to_status(client, coordinator, task_id, "in_progress", "done")
    response = patch(client, coordinator, task_id, {"status": "in_progress", "progress_percent": 80})
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["progress_percent"]) == ("in_progress", 80)


def test_the_html_form_refuses_a_done_task_at_10_percent(app, client, coordinator, task_id):
    to_status(client, coordinator, task_id, "in_progress")
    account = make_user(app, Role.COORDINATOR)
    login(client, account.email, account.password)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    response = client.post(f"/tasks/{task_id}", data={"csrf_token": csrf_token_from(page), "status": "done",
                                                     "progress_percent": "10", "comment": "",
                                                     "version": read(client, coordinator, task_id).get_json()["version"]})
    assert response.status_code == 422
    assert "A done task is at 100 %" in response.get_data(as_text=True)
    assert read(client, coordinator, task_id).get_json()["status"] == "in_progress"
