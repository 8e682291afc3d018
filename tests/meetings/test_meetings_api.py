"""Meetings over the API: planning and reading rights, the planned → held → minutes published workflow, decisions
that create or change tasks through the roadmap's operations, invitations with .ics, minutes PDF and corrections."""

from __future__ import annotations

import email
import io

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from pypdf import PdfReader

from association.extensions import db
from association.roadmap.models import RoadmapTask
from association.users.models import Role
from tests.conftest import api_token
from tests.factories import make_user
from tests.querycount import count_queries
from tests.samples import PDF, inbox, upload  # noqa: F401  (inbox is a fixture)

STARTS = "2026-12-15T10:00:00+05:00"


@pytest.fixture
def people(app, client):
    accounts = {
        "chair": make_user(app, committees=[("REG", True)]),
        "member": make_user(app, committees=[("REG", False)]),
        "other": make_user(app, committees=[("EDU", False)]),
        "observer": make_user(app, Role.OBSERVER),
        "guest": make_user(app, Role.LIBRARY_REP, library="NU"),
        "coordinator": make_user(app, Role.COORDINATOR),
    }
    return {name: (account, api_token(client, account.email, account.password)) for name, account in accounts.items()}


def h(people, name):
    return people[name][1]


def plan(client, people, who="member", **extra):
    body = {"starts_at": STARTS, "place": "Room 204 / https://meet.example.org/reg", "language": "ru",
            "guests": [people["guest"][0].id],
            "agenda": [{"title": "Model regulation on open access"}, {"task": "1.2"}], **extra}
    return client.post("/api/v1/committees/REG/meetings", json=body, headers=h(people, who))


def advance(client, people, meeting_id, *statuses, who="member"):
    for status in statuses:
        response = client.patch(f"/api/v1/meetings/{meeting_id}", json={"status": status}, headers=h(people, who))
        assert response.status_code == 200, response.get_json()
    return response


def task_history(client, people, code):
    with_code = client.get(f"/api/v1/tasks?code={code}", headers=h(people, "observer")).get_json()["items"][0]
    return with_code, client.get(f"/api/v1/tasks/{with_code['id']}/history", headers=h(people, "observer")).get_json()["items"]


def test_a_member_plans_a_meeting_with_its_members_and_guests_invited(app, client, people):
    response = plan(client, people)
    assert response.status_code == 201, response.get_json()
    meeting = response.get_json()
    assert {"id", "committee", "starts_at", "place", "status", "agenda", "decisions"} <= set(meeting)
    assert (meeting["committee"], meeting["status"], meeting["place"]) == ("REG", "planned",
                                                                          "Room 204 / https://meet.example.org/reg")
    assert meeting["starts_at"].startswith("2026-12-15T05:00:00")  # stored in UTC
    assert [(item["title"] != "", item["task"], item["minutes"]) for item in meeting["agenda"]] == [
        (True, None, ""), (True, "1.2", "")]
    invited = {(invitee["user"], invitee["guest"]) for invitee in meeting["invitees"]}
    assert {(people["chair"][0].id, False), (people["member"][0].id, False), (people["guest"][0].id, True)} <= invited
    assert people["other"][0].id not in {user for user, _ in invited}


@pytest.mark.parametrize("who", ["other", "observer", "guest"])
def test_only_the_committee_and_the_coordinator_plan_and_change_meetings(app, client, people, who):
    assert plan(client, people, who=who).status_code == 403
    meeting_id = plan(client, people).get_json()["id"]
    assert client.patch(f"/api/v1/meetings/{meeting_id}", json={"place": "x"}, headers=h(people, who)).status_code == 403
    assert plan(client, people, who="coordinator").status_code == 201


@pytest.mark.parametrize(("body", "field"), [
    ({"starts_at": "tomorrow"}, "starts_at"), ({"place": ""}, "place"), ({"guests": [999999]}, "guests"),
    ({"agenda": [{"task": "99.99"}]}, "agenda"), ({"agenda": [{"title": ""}]}, "agenda"), ({"language": "de"}, "language"),
])
def test_bad_meeting_input_is_422_and_nothing_is_saved(app, client, people, body, field):
    response = plan(client, people, **body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    listed = client.get("/api/v1/committees/REG/meetings", headers=h(people, "member")).get_json()
    assert listed["total"] == 0
    assert client.get("/api/v1/committees/NOPE/meetings", headers=h(people, "member")).status_code == 404


def test_unpublished_meetings_are_read_by_the_committee_and_its_guests_published_minutes_by_everyone(app, client, people):
    meeting_id = plan(client, people).get_json()["id"]
    for who, status in (("member", 200), ("guest", 200), ("coordinator", 200), ("observer", 403), ("other", 403)):
        assert client.get(f"/api/v1/meetings/{meeting_id}", headers=h(people, who)).status_code == status, who
    assert client.get("/api/v1/committees/REG/meetings", headers=h(people, "observer")).get_json()["total"] == 0
    advance(client, people, meeting_id, "held", "minutes_published")
    for who in ("observer", "other"):
        assert client.get(f"/api/v1/meetings/{meeting_id}", headers=h(people, who)).status_code == 200
    assert client.get("/api/v1/committees/REG/meetings", headers=h(people, "observer")).get_json()["total"] == 1


def test_the_workflow_and_read_only_published_minutes(app, client, people):
    meeting = plan(client, people).get_json()
    meeting_id, first = meeting["id"], meeting["agenda"][0]["id"]
    skip = client.patch(f"/api/v1/meetings/{meeting_id}", json={"status": "minutes_published"}, headers=h(people, "member"))
    assert skip.status_code == 409
    advance(client, people, meeting_id, "held")
    attended = [people["chair"][0].id, people["guest"][0].id]
    response = client.patch(f"/api/v1/meetings/{meeting_id}", headers=h(people, "member"), json={
        "attended": attended, "agenda": [{"id": first, "minutes": "Discussed the draft."}, {"title": "Any other business"}]})
    assert response.status_code == 200
    body = response.get_json()
    assert [item["minutes"] for item in body["agenda"]] == ["Discussed the draft.", "", ""]
    assert body["agenda"][2]["title"] == "Any other business"
    dropped = client.patch(f"/api/v1/meetings/{meeting_id}", headers=h(people, "member"),
                           json={"agenda": [{"id": body["agenda"][2]["id"], "remove": True}]}).get_json()
    assert [item["id"] for item in dropped["agenda"]] == [item["id"] for item in body["agenda"][:2]]
    assert sorted(i["user"] for i in body["invitees"] if i["attended"]) == sorted(attended)
    published = advance(client, people, meeting_id, "minutes_published").get_json()
    assert published["minutes_versions"][0]["number"] == 1
    assert published["minutes_versions"][0]["content"]["agenda"][0]["minutes"] == "Discussed the draft."
    for change in ({"agenda": [{"id": first, "minutes": "Rewritten"}]}, {"place": "elsewhere"}, {"status": "held"}):
        response = client.patch(f"/api/v1/meetings/{meeting_id}", json=change, headers=h(people, "chair"))
        assert response.status_code == 409, change
    decision = client.post(f"/api/v1/meetings/{meeting_id}/decisions", json={"text": "late"}, headers=h(people, "chair"))
    assert decision.status_code == 409
    after = client.get(f"/api/v1/meetings/{meeting_id}", headers=h(people, "observer")).get_json()
    assert after["agenda"][0]["minutes"] == "Discussed the draft." and after["place"] == published["place"]


def test_a_correction_is_a_new_version_and_the_old_one_is_kept(app, client, people):
    meeting = plan(client, people).get_json()
    first = meeting["agenda"][0]["id"]
    client.patch(f"/api/v1/meetings/{meeting['id']}", json={"agenda": [{"id": first, "minutes": "v1"}]},
                 headers=h(people, "member"))
    advance(client, people, meeting["id"], "held", "minutes_published")
    body = {"agenda": [{"id": first, "minutes": "v2, corrected"}], "note": "Typo in item 1"}
    assert client.post(f"/api/v1/meetings/{meeting['id']}/minutes", json=body, headers=h(people, "member")).status_code == 403
    response = client.post(f"/api/v1/meetings/{meeting['id']}/minutes", json=body, headers=h(people, "chair"))
    assert response.status_code == 201 and response.get_json()["number"] == 2
    after = client.get(f"/api/v1/meetings/{meeting['id']}", headers=h(people, "observer")).get_json()
    assert [v["content"]["agenda"][0]["minutes"] for v in after["minutes_versions"]] == ["v1", "v2, corrected"]
    assert after["agenda"][0]["minutes"] == "v2, corrected"


def test_a_decision_creates_a_task_whose_history_names_the_meeting(app, client, people):
    meeting = plan(client, people).get_json()
    response = client.post(f"/api/v1/meetings/{meeting['id']}/decisions", headers=h(people, "chair"), json={
        "agenda_item": meeting["agenda"][0]["id"], "text": "Draft the open-access model regulation",
        "task": None, "create_task": {"code": "1.90", "direction": 1, "title": "Open-access model regulation",
                                      "due_date": "2026-06-30"}, "changes": None})
    assert response.status_code == 201, response.get_json()
    decision = response.get_json()
    assert (decision["task"], decision["created_task"], decision["agenda_item"]) == ("1.90", True,
                                                                                    meeting["agenda"][0]["id"])
    task, history = task_history(client, people, "1.90")
    assert (task["committee"], task["status"], task["due_date"]) == ("REG", "planned", "2026-06-30")
    assert history[0]["comment"].startswith("Decided at the meeting of REG on 2026-12-15: Draft the open-access")
    listed = client.get(f"/api/v1/meetings/{meeting['id']}", headers=h(people, "member")).get_json()["decisions"]
    assert [d["id"] for d in listed] == [decision["id"]]


def test_a_decision_changes_a_task_through_the_roadmap_operations(app, client, people):
    meeting_id = plan(client, people).get_json()["id"]
    member_id = people["member"][0].id
    response = client.post(f"/api/v1/meetings/{meeting_id}/decisions", headers=h(people, "chair"), json={
        "text": "Start now, Aigerim leads", "task": "1.2",
        "changes": {"status": "in_progress", "assignee": member_id, "due_date": "2024-10-31"}})
    assert response.status_code == 201, response.get_json()
    task, history = task_history(client, people, "1.2")
    assert (task["status"], task["assignee"], task["due_date"]) == ("in_progress", member_id, "2024-10-31")
    assert all(entry["comment"].startswith("Decided at the meeting of REG") for entry in history[:3])
    assert history[0]["to_status"] == "in_progress"


def test_a_decision_on_another_committees_task_is_403_and_records_nothing(app, client, people):
    meeting_id = plan(client, people).get_json()["id"]
    with app.app_context():
        edu_code = db.session.scalar(sa.select(RoadmapTask.code).join(RoadmapTask.committee)
                                     .where(sa.text("committees.code = 'EDU'")).limit(1))
    response = client.post(f"/api/v1/meetings/{meeting_id}/decisions", headers=h(people, "chair"),
                           json={"text": "Take over", "task": edu_code, "changes": {"status": "in_progress"}})
    assert response.status_code == 403
    task, _history = task_history(client, people, edu_code)
    assert task["status"] == "planned"
    assert client.get(f"/api/v1/meetings/{meeting_id}", headers=h(people, "chair")).get_json()["decisions"] == []


@pytest.mark.parametrize(("body", "status"), [
    ({"text": ""}, 422), ({"text": "x", "task": "99.9"}, 422), ({"text": "x", "changes": {"status": "done"}}, 422),
    ({"text": "x", "agenda_item": 999999}, 422),
    ({"text": "x", "task": "1.2", "create_task": {"code": "1.91", "direction": 1, "title": "t", "due_date": "2026-01-01"}}, 422),
    ({"text": "x", "task": "1.2", "changes": {"status": "done"}}, 409),  # planned → done is not a transition
    ({"text": "x", "task": "1.2", "changes": {"assignee": 1}}, 403),  # a member may not assign: the chair does
])
def test_refused_decisions_change_nothing(app, client, people, body, status):
    meeting_id = plan(client, people).get_json()["id"]
    response = client.post(f"/api/v1/meetings/{meeting_id}/decisions", json=body, headers=h(people, "member"))
    assert response.status_code == status, response.get_json()
    task, _history = task_history(client, people, "1.2")
    assert (task["status"], task["assignee"]) == ("planned", None)
    assert client.get(f"/api/v1/meetings/{meeting_id}", headers=h(people, "member")).get_json()["decisions"] == []


def test_the_invitation_is_an_ics_and_goes_to_every_invitee(app, client, people, inbox):  # noqa: F811
    meeting = plan(client, people).get_json()
    response = client.get(f"/api/v1/meetings/{meeting['id']}/invitation.ics", headers=h(people, "guest"))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    event = next(iter(Calendar.from_ical(response.data).walk("VEVENT")))
    assert event.decoded("dtstart").isoformat().startswith("2026-12-15T05:00:00")
    assert str(event["location"]) == meeting["place"]
    assert len(event.get("attendee")) == len(meeting["invitees"])
    assert client.get(f"/api/v1/meetings/{meeting['id']}/invitation.ics", headers=h(people, "observer")).status_code == 403
    sent = client.post(f"/api/v1/meetings/{meeting['id']}/invitations", headers=h(people, "member"))
    assert sent.status_code == 200 and sent.get_json() == {"sent": len(meeting["invitees"]), "failed": []}
    assert sorted(m["To"] for m in inbox) == sorted(i["name"].removeprefix("Test ") for i in meeting["invitees"])
    parsed = email.message_from_bytes(inbox[0].as_bytes())
    attachments = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert attachments and b"BEGIN:VEVENT" in attachments[0].get_payload(decode=True)
    subject = str(email.header.make_header(email.header.decode_header(parsed["Subject"])))
    assert subject.startswith("Приглашение")  # the meeting's language


def test_invitations_when_the_mail_server_is_down_are_a_clear_503(app, client, people, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 9)
    meeting_id = plan(client, people).get_json()["id"]
    response = client.post(f"/api/v1/meetings/{meeting_id}/invitations", headers=h(people, "member"))
    assert response.status_code == 503 and "mail server" in response.get_json()["detail"]
    assert client.get(f"/api/v1/meetings/{meeting_id}", headers=h(people, "member")).get_json()["invitations_sent_at"] is None


def test_the_minutes_pdf_is_in_the_meetings_language(app, client, people):
    meeting = plan(client, people, language="kk").get_json()
    client.patch(f"/api/v1/meetings/{meeting['id']}", json={"agenda": [
        {"id": meeting["agenda"][0]["id"], "minutes": "Жоба талқыланды."}]}, headers=h(people, "member"))
    advance(client, people, meeting["id"], "held", "minutes_published")
    response = client.get(f"/api/v1/meetings/{meeting['id']}/minutes.pdf", headers=h(people, "observer"))
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Жоба талқыланды." in text and "хаттамасы" in text.lower()


def test_meeting_materials_follow_the_meetings_reading_rights(app, client, people):
    meeting_id = plan(client, people).get_json()["id"]
    stored = upload(client, h(people, "member"), PDF, name="agenda.pdf", meeting_id=meeting_id)
    assert stored.status_code == 201
    file_id = stored.get_json()["id"]
    assert upload(client, h(people, "guest"), PDF, meeting_id=meeting_id).status_code == 403
    assert client.get(f"/api/v1/files/{file_id}", headers=h(people, "observer")).status_code == 403
    refused = client.get(f"/api/v1/files/{file_id}", headers=h(people, "other"))
    assert refused.status_code == 403 and PDF not in refused.data
    assert client.get(f"/api/v1/files/{file_id}", headers=h(people, "guest")).data == PDF
    advance(client, people, meeting_id, "held", "minutes_published")
    assert client.get(f"/api/v1/files/{file_id}", headers=h(people, "observer")).data == PDF


def test_listing_meetings_costs_the_same_for_many(app, client, people):
    plan(client, people)
    with count_queries(app) as few:
        client.get("/api/v1/committees/REG/meetings", headers=h(people, "member"))
    for _ in range(4):
        plan(client, people)
    with count_queries(app) as many:
        assert client.get("/api/v1/committees/REG/meetings", headers=h(people, "member")).get_json()["total"] == 5
    assert len(many) == len(few)


def test_published_is_read_as_minutes_published(app, client, people):
    meeting_id = plan(client, people).get_json()["id"]
    advance(client, people, meeting_id, "held")
    assert advance(client, people, meeting_id, "published").get_json()["status"] == "minutes_published"
