"""A task's owner (a committee member, assigned by the chair or the coordinator) and its discussion: comments kept
apart from status changes but written to the history, with @mentions told by e-mail."""

from __future__ import annotations

import email

import pytest
import sqlalchemy as sa

from association.extensions import db
from association.notifications.models import MailOptOut, OutboxMessage, OutboxStatus
from association.roadmap.models import RoadmapTask
from association.users.models import Role
from tests.conftest import api_token
from tests.factories import make_user
from tests.notifications.conftest import mail_server  # noqa: F401  (fixture)
from tests.querycount import count_queries
from tests.samples import inbox  # noqa: F401  (fixture)


@pytest.fixture
def task_id(app):
    with app.app_context():
        return db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == "1.2"))  # a REG task


def auth(client, account):
    return api_token(client, account.email, account.password)


def etag(client, headers, task_id):
    return client.get(f"/api/v1/tasks/{task_id}", headers=headers).headers["ETag"]


def assign(client, headers, task_id, assignee):
    return client.patch(f"/api/v1/tasks/{task_id}", json={"assignee": assignee},
                        headers={**headers, "If-Match": etag(client, headers, task_id)})


def test_the_chair_assigns_a_member_and_the_history_says_so(app, client, task_id):
    chair = make_user(app, committees=[("REG", True)])
    member = make_user(app, committees=[("REG", False)])
    response = assign(client, auth(client, chair), task_id, member.id)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["assignee"] == member.id
    history = client.get(f"/api/v1/tasks/{task_id}/history", headers=auth(client, chair)).get_json()["items"]
    assert history[0]["comment"] == f"Assigned to Test {member.email}."
    cleared = assign(client, auth(client, chair), task_id, None)
    assert cleared.status_code == 200 and cleared.get_json()["assignee"] is None
    listed = client.get("/api/v1/tasks?code=1.2", headers=auth(client, chair)).get_json()["items"][0]
    assert listed["assignee"] is None


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("other_chair", 403), ("coordinator", 200)])
def test_only_the_chair_or_the_coordinator_assigns(app, client, task_id, who, status):
    member = make_user(app, committees=[("REG", False)])
    actor = {"member": lambda: member, "other_chair": lambda: make_user(app, committees=[("EDU", True)]),
             "coordinator": lambda: make_user(app, Role.COORDINATOR)}[who]()
    if who == "other_chair":
        assert client.patch(f"/api/v1/tasks/{task_id}", json={"assignee": member.id},
                            headers={**auth(client, actor), "If-Match": '"x"'}).status_code == 403
        return
    assert assign(client, auth(client, actor), task_id, member.id).status_code == status


def test_the_assignee_must_sit_on_the_task_committee(app, client, task_id):
    chair = make_user(app, committees=[("REG", True)])
    outsider = make_user(app, committees=[("EDU", False)])
    response = assign(client, auth(client, chair), task_id, outsider.id)
    assert response.status_code == 422 and "assignee" in response.get_json()["errors"]
    assert assign(client, auth(client, chair), task_id, 999999).status_code == 422
    assert client.get(f"/api/v1/tasks/{task_id}", headers=auth(client, chair)).get_json()["assignee"] is None


def test_a_comment_is_listed_kept_in_the_history_and_leaves_the_version(app, client, task_id):
    member = make_user(app, committees=[("REG", False)])
    headers = auth(client, member)
    version = client.get(f"/api/v1/tasks/{task_id}", headers=headers).get_json()["version"]
    response = client.post(f"/api/v1/tasks/{task_id}/comments", json={"text": "Draft sent to the ministry."},
                           headers=headers)
    assert response.status_code == 201, response.get_json()
    comment = response.get_json()
    assert set(comment) == {"id", "at", "user", "text", "mentions"}
    assert (comment["text"], comment["user"], comment["mentions"]) == ("Draft sent to the ministry.",
                                                                      "Test " + member.email, [])
    listed = client.get(f"/api/v1/tasks/{task_id}/comments", headers=headers).get_json()
    assert listed["items"] == [comment] and listed["total"] == 1
    history = client.get(f"/api/v1/tasks/{task_id}/history", headers=headers).get_json()["items"][0]
    assert history["comment"] == "Draft sent to the ministry." and history["from_status"] == history["to_status"]
    task = client.get(f"/api/v1/tasks/{task_id}", headers=headers).get_json()
    assert task["version"] == version and task["status"] == "planned"


def test_mentions_are_found_and_told_by_email(app, client, task_id, inbox):  # noqa: F811
    author = make_user(app, committees=[("REG", False)])
    named = make_user(app, Role.OBSERVER, email="aigerim.b@example.org", locale="ru")
    other = make_user(app, Role.OBSERVER)
    text = f"@aigerim.b please look; cc @{other.email}, not @nobody-here, and an address x@y.kz is no mention"
    response = client.post(f"/api/v1/tasks/{task_id}/comments", json={"text": text}, headers=auth(client, author))
    assert response.status_code == 201
    assert response.get_json()["mentions"] == ["Test aigerim.b@example.org", "Test " + other.email]
    recipients = sorted(message["To"] for message in inbox)
    assert recipients == sorted([named.email, other.email])
    russian = next(m for m in inbox if m["To"] == named.email)
    subject = str(email.header.make_header(email.header.decode_header(russian["Subject"])))
    assert "1.2" in subject and "упомянул" in subject
    assert "please look" in russian.get_payload(decode=True).decode() if not russian.is_multipart() else True


def test_a_mention_waits_in_the_outbox_while_the_mail_server_is_down_and_goes_once(app, client, task_id,
                                                                                    mail_server):  # noqa: F811
    author = make_user(app, committees=[("REG", False)])
    named = make_user(app, Role.OBSERVER)
    mail_server.stop()
    response = client.post(f"/api/v1/tasks/{task_id}/comments", json={"text": f"@{named.email} hi"},
                           headers=auth(client, author))
    assert response.status_code == 201 and response.get_json()["mentions"] == ["Test " + named.email]
    with app.app_context():
        waiting = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "task_mention")).all()
        assert [(m.to_address, m.status) for m in waiting] == [(named.email, OutboxStatus.PENDING)]
    mail_server.start()
    assert app.test_cli_runner().invoke(args=["mail", "deliver"]).exit_code == 0
    assert app.test_cli_runner().invoke(args=["mail", "deliver"]).exit_code == 0
    assert [message["To"] for message in mail_server.messages] == [named.email]


def test_a_mention_is_not_mailed_to_who_switched_it_off_nor_to_the_author(app, client, task_id,
                                                                          mail_server):  # noqa: F811
    author = make_user(app, committees=[("REG", False)])
    quiet = make_user(app, Role.OBSERVER)
    with app.app_context():
        db.session.add(MailOptOut(user_id=quiet.id, kind="task_mention"))
        db.session.commit()
    text = f"@{quiet.email} and @{author.email}"
    response = client.post(f"/api/v1/tasks/{task_id}/comments", json={"text": text}, headers=auth(client, author))
    assert response.status_code == 201 and len(response.get_json()["mentions"]) == 2
    assert mail_server.messages == []


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "   "}, {}, {"text": "x" * 5001}, {"text": 5}])
def test_an_empty_or_too_long_comment_is_refused(app, client, task_id, body):
    member = make_user(app, committees=[("REG", False)])
    response = client.post(f"/api/v1/tasks/{task_id}/comments", json=body, headers=auth(client, member))
    assert response.status_code == 422
    assert client.get(f"/api/v1/tasks/{task_id}/comments", headers=auth(client, member)).get_json()["total"] == 0


@pytest.mark.parametrize("who", ["observer", "rep", "other_member"])
def test_only_the_committee_and_the_coordinator_comment(app, client, task_id, who):
    actor = {"observer": lambda: make_user(app, Role.OBSERVER),
             "rep": lambda: make_user(app, Role.LIBRARY_REP, library="NU"),
             "other_member": lambda: make_user(app, committees=[("EDU", False)])}[who]()
    headers = auth(client, actor)
    assert client.post(f"/api/v1/tasks/{task_id}/comments", json={"text": "hi"}, headers=headers).status_code == 403
    assert client.get(f"/api/v1/tasks/{task_id}/comments", headers=headers).status_code == 200


def test_listing_comments_costs_the_same_for_many(app, client, task_id):
    member = make_user(app, committees=[("REG", False)])
    headers = auth(client, member)
    named = make_user(app, Role.OBSERVER)
    client.post(f"/api/v1/tasks/{task_id}/comments", json={"text": f"@{named.email} one"}, headers=headers)
    with count_queries(app) as few:
        client.get(f"/api/v1/tasks/{task_id}/comments", headers=headers)
    for number in range(5):
        client.post(f"/api/v1/tasks/{task_id}/comments", json={"text": f"@{named.email} {number}"}, headers=headers)
    with count_queries(app) as many:
        assert client.get(f"/api/v1/tasks/{task_id}/comments", headers=headers).get_json()["total"] == 6
    assert len(many) == len(few)
