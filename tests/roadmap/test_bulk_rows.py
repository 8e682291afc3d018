"""The chair's bulk form changes only the rows the chair changed: a row left as the page showed it is not touched
(even when someone else moved that task meanwhile), the report names each change and each refusal with its reason,
and a form that changes nothing says "Nothing to update"."""

from __future__ import annotations

import sqlalchemy as sa

from association.extensions import db
from association.roadmap.models import RoadmapTask, TaskHistory, TaskStatus
from tests.forms import hidden_fields
from tests.roadmap.test_views import signed_in, task_id_of

BULK = "/committees/REG/bulk"


def set_status(app, code: str, status: TaskStatus) -> None:
    with app.app_context():
        db.session.execute(sa.update(RoadmapTask).where(RoadmapTask.code == code).values(status=status))
        db.session.commit()


def status_of(app, code: str) -> TaskStatus:
    with app.app_context():
        return db.session.scalar(sa.select(RoadmapTask.status).where(RoadmapTask.code == code))


def history_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(TaskHistory.id)))


def rows_as_shown(page: str) -> dict:
    """The bulk form posted as the page showed it: every row's select on the status it had."""
    fields = hidden_fields(page, BULK)
    return {**fields, **{name.replace("was-", "status-"): value for name, value in fields.items()
                         if name.startswith("was-")}}


def test_only_the_changed_row_is_touched(app, client):
    signed_in(app, client, committees=[("REG", True)])
    page = client.get("/committees/REG").get_data(as_text=True)
    data = {**rows_as_shown(page), f"status-{task_id_of(app, '1.1')}": "in_progress", "comment": "go"}
    response = client.post(BULK, data=data)
    assert response.status_code == 302
    assert status_of(app, "1.1") == TaskStatus.IN_PROGRESS and history_count(app) == 1
    flash = client.get("/committees/REG").get_data(as_text=True)
    assert "Updated: 1.1 (Planned → In progress)." in flash


def test_a_row_left_as_shown_is_not_reverted_when_someone_else_moved_it(app, client):
    set_status(app, "1.2", TaskStatus.IN_PROGRESS)
    signed_in(app, client, committees=[("REG", True)])
    page = client.get("/committees/REG").get_data(as_text=True)
    set_status(app, "1.2", TaskStatus.DONE)  # a member finishes 1.2 while the chair's page is open
    data = {**rows_as_shown(page), f"status-{task_id_of(app, '1.1')}": "in_progress"}
    assert client.post(BULK, data=data).status_code == 302
    assert status_of(app, "1.2") == TaskStatus.DONE and status_of(app, "1.1") == TaskStatus.IN_PROGRESS


def test_refusals_are_named_with_their_reason_and_the_allowed_changes_land(app, client):
    set_status(app, "1.2", TaskStatus.IN_PROGRESS)
    signed_in(app, client, committees=[("REG", True)])
    page = client.get("/committees/REG").get_data(as_text=True)
    set_status(app, "1.2", TaskStatus.BLOCKED)  # someone else, meanwhile
    data = {**rows_as_shown(page), f"status-{task_id_of(app, '1.1')}": "in_progress",
            f"status-{task_id_of(app, '1.2')}": "done", f"status-{task_id_of(app, '1.3')}": "done"}
    response = client.post(BULK, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "1.2: Someone else changed it meanwhile: it is now blocked." in html
    assert "1.3: Task 1.3 cannot go from planned to done." in html
    assert "Updated: 1.1 (Planned → In progress)." in html
    assert status_of(app, "1.1") == TaskStatus.IN_PROGRESS
    assert (status_of(app, "1.2"), status_of(app, "1.3")) == (TaskStatus.BLOCKED, TaskStatus.PLANNED)


def test_a_form_that_changes_nothing_says_so(app, client):
    signed_in(app, client, committees=[("REG", True)])
    page = client.get("/committees/REG").get_data(as_text=True)
    response = client.post(BULK, data=rows_as_shown(page), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Nothing to update." in html and "Updated:" not in html
    assert history_count(app) == 0


def test_chosen_rows_already_at_the_status_are_not_touched(app, client):
    set_status(app, "1.1", TaskStatus.IN_PROGRESS)
    signed_in(app, client, committees=[("REG", True)])
    page = client.get("/committees/REG").get_data(as_text=True)
    ids = [task_id_of(app, "1.1"), task_id_of(app, "1.2")]
    response = client.post(BULK, data={**hidden_fields(page, BULK), "task_ids": ids, "status": "in_progress"},
                           follow_redirects=True)
    assert "Updated: 1.2 (Planned → In progress)." in response.get_data(as_text=True)
    assert history_count(app) == 1


def test_a_status_that_is_not_one_is_a_400(app, client):
    signed_in(app, client, committees=[("REG", True)])
    page = client.get("/committees/REG").get_data(as_text=True)
    response = client.post(BULK, data={**rows_as_shown(page), f"status-{task_id_of(app, '1.1')}": "finished"})
    assert response.status_code == 400 and history_count(app) == 0
