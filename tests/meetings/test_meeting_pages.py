"""The meeting pages: a member plans a meeting, writes minutes, records a decision that creates a task and publishes;
errors come back beside the form; observers see published minutes only; pages speak kk/ru/en."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from association.extensions import db
from association.meetings.models import AgendaItem, Meeting
from association.roadmap.models import RoadmapTask
from association.users.models import Role
from tests.conftest import csrf_token_from, login
from tests.factories import make_user


def signed_in(app, *roles, **kwargs):
    account = make_user(app, *roles, **kwargs)
    client = app.test_client()
    login(client, account.email, account.password)
    return client, account


def post(client, url, data):
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def meeting_id_from(response) -> int:
    return int(re.search(r"/meetings/(\d+)$", response.headers["Location"]).group(1))


def test_from_planning_to_published_minutes_with_a_decision_creating_a_task(app):
    chair, _account = signed_in(app, committees=[("REG", True)])
    planned = post(chair, "/committees/REG/meetings", {"starts_at": "2026-12-15T10:00", "place": "Room 204",
                                                        "language": "ru", "agenda": "Model regulation\n1.2"})
    assert planned.status_code == 302
    meeting_id = meeting_id_from(planned)
    page = chair.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "Model regulation" in page and "1.2" in page and "Send the invitations" in page
    with app.app_context():
        items = list(db.session.scalars(sa.select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id)
                                        .order_by(AgendaItem.position)))
    assert post(chair, f"/meetings/{meeting_id}", {"action": "advance"}).status_code == 302
    saved = post(chair, f"/meetings/{meeting_id}", {"action": "save", f"minutes-{items[0]}": "Draft discussed."})
    assert saved.status_code == 302
    decided = post(chair, f"/meetings/{meeting_id}/decisions", {
        "text": "Prepare the regulation", "agenda_item": str(items[0]), "new_code": "1.95",
        "new_title": "Model regulation draft", "new_direction": "1", "new_due_date": "2026-05-31"})
    assert decided.status_code == 302
    assert post(chair, f"/meetings/{meeting_id}", {"action": "advance"}).status_code == 302
    with app.app_context():
        task = db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.code == "1.95")).one()
        assert task.committee_id == db.session.scalar(sa.text("SELECT id FROM committees WHERE code = 'REG'"))
    observer, _ = signed_in(app, Role.OBSERVER)
    published = observer.get(f"/meetings/{meeting_id}", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Draft discussed." in published and "Prepare the regulation" in published
    assert "Протокол опубликован" in published and "<textarea" not in published  # read-only now


def test_bad_input_comes_back_beside_the_form_and_saves_nothing(app):
    member, _ = signed_in(app, committees=[("REG", False)])
    response = post(member, "/committees/REG/meetings", {"starts_at": "not a date", "place": "Room"})
    assert response.status_code == 422
    assert "Give the date and time." in response.get_data(as_text=True)
    response = post(member, "/committees/REG/meetings", {"starts_at": "2026-12-15T10:00", "place": "",
                                                         "agenda": "99.99"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


def test_a_decision_on_another_committees_task_is_refused_on_the_page_too(app):
    member, _ = signed_in(app, committees=[("REG", True)])
    meeting_id = meeting_id_from(post(member, "/committees/REG/meetings",
                                      {"starts_at": "2026-12-15T10:00", "place": "Room"}))
    with app.app_context():
        edu = db.session.scalar(sa.text("SELECT t.code FROM roadmap_tasks t JOIN committees c ON c.id = t.committee_id "
                                        "WHERE c.code = 'EDU' LIMIT 1"))
    response = post(member, f"/meetings/{meeting_id}/decisions", {"text": "take over", "task": edu,
                                                                  "change_status": "in_progress"})
    assert response.status_code == 403


@pytest.mark.parametrize(("locale", "heading"), [("kk", "Отырыстар"), ("ru", "Заседания"), ("en", "Meetings")])
def test_the_list_speaks_the_three_languages_and_hides_unpublished_meetings_from_observers(app, locale, heading):
    member, _ = signed_in(app, committees=[("REG", False)])
    post(member, "/committees/REG/meetings", {"starts_at": "2026-12-15T10:00", "place": "Room 204"})
    assert "Room 204" in member.get("/committees/REG/meetings").get_data(as_text=True)
    observer, _ = signed_in(app, Role.OBSERVER)
    page = observer.get("/committees/REG/meetings", headers={"Accept-Language": locale}).get_data(as_text=True)
    assert heading in page and "Room 204" not in page
