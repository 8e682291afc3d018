"""The task list, the task page with its update form, and committee pages."""

import re

import sqlalchemy as sa

from association.extensions import db
from association.roadmap.models import RoadmapTask, TaskHistory, TaskStatus
from association.users.models import Role
from tests.conftest import csrf_token_from, login
from tests.factories import make_user
from tests.querycount import count_queries


def task_id_of(app, code):
    with app.app_context():
        return db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == code))


def signed_in(app, client, *roles, **kwargs):
    account = make_user(app, *roles, **kwargs)
    login(client, account.email, account.password)
    return account


def form_values(html):
    return {
        "csrf_token": csrf_token_from(html),
        "version": re.search(r'name="version"[^>]*value="(\d+)"', html).group(1),
    }


def test_task_list_filters_and_links(app, client):
    signed_in(app, client, Role.OBSERVER)
    html = client.get("/tasks?committee=REG").get_data(as_text=True)
    assert "6 tasks" in html
    assert "/tasks/" in html and "/committees/REG" in html
    rows = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "<td>1.1</td>" in rows and "<td>2.1</td>" not in rows


def test_task_list_with_bad_filters_still_answers(app, client):
    signed_in(app, client, Role.OBSERVER)
    assert client.get("/tasks?year=abc&status=nope&page=-3").status_code == 200


def test_member_updates_a_task_from_its_page(app, client):
    signed_in(app, client, committees=[("REG", False)])
    task_id = task_id_of(app, "1.2")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'name="status"' in page
    response = client.post(f"/tasks/{task_id}", data={
        **form_values(page), "status": "in_progress", "progress_percent": "35", "comment": "Басталды",
        "evidence_url": ""})
    assert response.status_code == 302
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Басталды" in page and "35 %" in page


def test_observer_sees_no_form_and_cannot_post(app, client):
    signed_in(app, client, Role.OBSERVER)
    task_id = task_id_of(app, "1.2")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'name="status"' not in page
    token = csrf_token_from(page)
    assert client.post(f"/tasks/{task_id}", data={"csrf_token": token, "status": "in_progress"}).status_code == 403


def test_member_of_another_committee_cannot_update(app, client):
    signed_in(app, client, committees=[("EDU", False)])
    task_id = task_id_of(app, "1.2")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'name="status"' not in page
    response = client.post(f"/tasks/{task_id}", data={"csrf_token": csrf_token_from(page), "status": "in_progress",
                                                       "version": "1"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(RoadmapTask, task_id).status == TaskStatus.PLANNED


def test_illegal_transition_shows_the_message_beside_the_field(app, client):
    signed_in(app, client, committees=[("REG", False)])
    task_id = task_id_of(app, "1.2")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    response = client.post(f"/tasks/{task_id}", data={**form_values(page), "status": "done", "comment": "skip"})
    assert response.status_code == 409
    assert 'id="status-errors"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TaskHistory.id))) == 0


def test_bad_progress_is_shown_beside_the_field(app, client):
    signed_in(app, client, committees=[("REG", False)])
    task_id = task_id_of(app, "1.2")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    response = client.post(f"/tasks/{task_id}", data={**form_values(page), "status": "planned",
                                                       "progress_percent": "150"})
    assert response.status_code == 400
    assert 'id="progress_percent-errors"' in response.get_data(as_text=True)


def test_stale_form_shows_the_newer_state_and_keeps_what_was_typed(app, client):
    signed_in(app, client, committees=[("REG", False)])
    task_id = task_id_of(app, "1.2")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    stale = form_values(page)
    other = app.test_client()
    signed_in(app, other, Role.COORDINATOR)
    other_page = other.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert other.post(f"/tasks/{task_id}", data={**form_values(other_page), "status": "in_progress",
                                                  "progress_percent": "10", "comment": "first"}).status_code == 302

    response = client.post(f"/tasks/{task_id}", data={**stale, "status": "in_progress", "progress_percent": "50",
                                                       "comment": "my long careful comment"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this task" in html
    assert "my long careful comment" in html  # kept
    assert "first" in html  # the newer state's history is shown
    with app.app_context():
        assert db.session.get(RoadmapTask, task_id).progress_percent == 10
    # saving again from the re-shown form works
    again = client.post(f"/tasks/{task_id}", data={**form_values(html), "status": "in_progress",
                                                    "progress_percent": "50", "comment": "my long careful comment"})
    assert again.status_code == 302


def test_committee_page(app, client):
    signed_in(app, client, Role.OBSERVER)
    chair = make_user(app, committees=[("REG", True)])
    html = client.get("/committees/reg").get_data(as_text=True)
    assert "Committee on Library Regulatory Documentation" in html
    assert f"Test {chair.email}" in html
    assert client.get("/committees/XYZ").status_code == 404


def test_pages_make_a_constant_number_of_queries(app, client):
    from tests.roadmap.test_query_counts import keep_tasks

    signed_in(app, client, Role.COORDINATOR)
    client.get("/api/v1/me")  # the first request of a sign-in fills the identity cache (one more statement)
    task_id = keep_tasks(app, 5)
    paths = ["/tasks", f"/tasks/{task_id}", "/committees/REG"]
    counts_small, counts_large = [], []
    for counts in (counts_small, counts_large):
        if counts is counts_large:
            keep_tasks(app, 500)
        for path in paths:
            with count_queries(app) as statements:
                assert client.get(path).status_code == 200
            counts.append(len(statements))
    assert counts_small == counts_large


def test_dashboard_lists_my_committees_open_tasks(app, client):
    signed_in(app, client, committees=[("EDU", True)])
    html = client.get("/").get_data(as_text=True)
    assert "Open tasks of my committees" in html
    html = html.split("Open tasks of my committees")[1].split("</section>")[0]
    assert f'href="/tasks/{task_id_of(app, "2.1")}"' in html
    assert f'href="/tasks/{task_id_of(app, "1.1")}"' not in html  # REG's task


def test_chair_bulk_update_from_the_committee_page(app, client):
    signed_in(app, client, committees=[("REG", True)])
    page = client.get("/committees/REG").get_data(as_text=True)
    assert 'name="task_ids"' in page
    ids = [task_id_of(app, code) for code in ("1.1", "1.2")]
    response = client.post("/committees/REG/bulk", data={"csrf_token": csrf_token_from(page), "task_ids": ids,
                                                         "status": "in_progress", "comment": "Бастадық"})
    assert response.status_code == 302
    with app.app_context():
        assert {db.session.get(RoadmapTask, i).status for i in ids} == {TaskStatus.IN_PROGRESS}


def test_refused_bulk_update_changes_nothing_and_names_the_tasks(app, client):
    signed_in(app, client, committees=[("REG", True)])
    page = client.get("/committees/REG").get_data(as_text=True)
    ids = [task_id_of(app, code) for code in ("1.1", "1.2")]
    response = client.post("/committees/REG/bulk", data={"csrf_token": csrf_token_from(page), "task_ids": ids,
                                                         "status": "done"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "1.1:" in html and "1.2:" in html
    for task_id in ids:  # the choice is kept
        assert re.search(rf'value="{task_id}" id="bulk-{task_id}"\s+checked', html)
    with app.app_context():
        assert {db.session.get(RoadmapTask, i).status for i in ids} == {TaskStatus.PLANNED}


def test_members_get_no_bulk_form_and_cannot_post_one(app, client):
    signed_in(app, client, committees=[("REG", False)])
    page = client.get("/committees/REG").get_data(as_text=True)
    assert 'name="task_ids"' not in page
    response = client.post("/committees/REG/bulk", data={"csrf_token": csrf_token_from(page),
                                                         "task_ids": [task_id_of(app, "1.1")], "status": "in_progress"})
    assert response.status_code == 403


def test_watch_from_the_task_page(app, client):
    signed_in(app, client, Role.OBSERVER)
    task_id = task_id_of(app, "3.1")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    client.post(f"/tasks/{task_id}/watch", data={"csrf_token": csrf_token_from(page), "watch": "1"})
    assert "Stop watching" in client.get(f"/tasks/{task_id}").get_data(as_text=True)
    client.post(f"/tasks/{task_id}/watch", data={"csrf_token": csrf_token_from(page), "watch": "0"})
    assert "Watch (e-mail me its changes)" in client.get(f"/tasks/{task_id}").get_data(as_text=True)


def test_coordinator_creates_and_edits_a_task_in_the_browser(app, client):
    signed_in(app, client, Role.COORDINATOR)
    page = client.get("/tasks/new").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "code": "6.2", "committee": "OPN", "direction": "5",
            "title_kk": "Сынақ", "title_ru": "Проверка", "title_en": "Check", "planned_year": "2024",
            "due_date": "2024-10-01", "target_value": "", "target_unit": "", "version": ""}
    response = client.post("/tasks/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    task_id = int(response.headers["Location"].rsplit("/", 1)[1])
    edit = client.get(f"/tasks/{task_id}/edit").get_data(as_text=True)
    assert 'value="Проверка"' in edit
    response = client.post(f"/tasks/{task_id}/edit", data={**data, "title_en": "Checked", "version": "1",
                                                            "csrf_token": csrf_token_from(edit)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(RoadmapTask, task_id).title_en == "Checked"


def test_task_form_errors_stay_beside_the_fields(app, client):
    signed_in(app, client, Role.COORDINATOR)
    page = client.get("/tasks/new").get_data(as_text=True)
    response = client.post("/tasks/new", data={
        "csrf_token": csrf_token_from(page), "code": "1.1", "committee": "OPN", "direction": "5", "title_kk": "а",
        "title_ru": "б", "title_en": "c", "planned_year": "2024", "due_date": "2023-10-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="code-errors"' in html and 'id="due_date-errors"' in html


def test_members_cannot_open_the_task_forms(app, client):
    signed_in(app, client, committees=[("REG", True)])
    assert client.get("/tasks/new").status_code == 403
    assert client.get(f"/tasks/{task_id_of(app, '1.1')}/edit").status_code == 403
