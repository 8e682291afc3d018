"""Notifications through the outbox: written with the change, delivered right after its commit, retried by
`flask mail deliver`, never twice; each in its recipient's language; each kind switchable off; refused addresses
kept for the admin without blocking the change."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from association.extensions import db
from association.notifications.models import MailOptOut, OutboxMessage, OutboxStatus
from association.notifications.operations import enqueue
from association.users.models import Role, User
from tests.conftest import api_token, csrf_token_from, login
from tests.factories import make_user
from tests.notifications.conftest import subject_of, text_of
from tests.returns.test_api import GOOD, library_id, url


@pytest.fixture
def nu(app):
    return library_id(app, "NU")


@pytest.fixture
def reps(app):
    return {"kk": make_user(app, Role.LIBRARY_REP, library="NU", locale="kk"),
            "ru": make_user(app, Role.LIBRARY_REP, library="NU", locale="ru")}


@pytest.fixture
def coordinator(app, client):
    account = make_user(app, Role.COORDINATOR)
    return api_token(client, account.email, account.password)


def submitted(app, client, nu, rep_account):
    headers = api_token(client, rep_account.email, rep_account.password)
    assert client.put(url(nu), json={"values": GOOD}, headers=headers).status_code == 200
    assert client.post(url(nu, action="submit"), headers=headers).status_code == 200
    return headers


def outbox(app, **filters) -> list[OutboxMessage]:
    with app.app_context():
        query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in filters.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return list(db.session.scalars(query))


def deliver(app) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["mail", "deliver"])
    return result.exit_code, result.output


def test_a_returned_return_mails_each_representative_in_their_language_with_the_comment(app, client, nu, reps,
                                                                                        coordinator, mail_server):
    submitted(app, client, nu, reps["kk"])
    assert mail_server.messages == []  # submitting mails the coordinators only in their daily digest
    response = client.post(url(nu, action="return"), json={"comment": "Staff figures: check staff_trained"},
                           headers=coordinator)
    assert response.status_code == 200
    by_recipient = {message["To"]: message for message in mail_server.messages}
    assert sorted(by_recipient) == sorted([reps["kk"].email, reps["ru"].email])  # delivered before the answer
    kazakh, russian = by_recipient[reps["kk"].email], by_recipient[reps["ru"].email]
    assert "түзетуге қайтарылды" in subject_of(kazakh) and "2024" in subject_of(kazakh)
    assert "возвращён на исправление" in subject_of(russian)
    for message in (kazakh, russian):
        assert "Staff figures: check staff_trained" in text_of(message)
        assert "/libraries/NU/returns/2024" in text_of(message)
    assert {m.status for m in outbox(app, kind="return_returned")} == {OutboxStatus.SENT}


def test_accepted_and_reopened_are_mailed_too(app, client, nu, reps, coordinator, mail_server):
    submitted(app, client, nu, reps["kk"])
    assert client.post(url(nu, action="accept"), headers=coordinator).status_code == 200
    assert client.post(url(nu, action="reopen"), json={"comment": "Ministry asked for new e-book figures"},
                       headers=coordinator).status_code == 200
    russian = [m for m in mail_server.messages if m["To"] == reps["ru"].email]
    assert [subject_of(m).rsplit(": ", 1)[-1] for m in russian] == ["принят", "открыт заново"]
    assert "Ministry asked for new e-book figures" in text_of(russian[1])
    assert len(mail_server.messages) == 4


def test_mail_server_down_then_up_one_message_exactly(app, client, nu, coordinator, mail_server):
    rep = make_user(app, Role.LIBRARY_REP, library="NU", locale="kk")
    submitted(app, client, nu, rep)
    mail_server.stop()
    response = client.post(url(nu, action="return"), json={"comment": "Please fix the loans"}, headers=coordinator)
    assert response.status_code == 200  # the change does not wait for the mail
    [waiting] = outbox(app, kind="return_returned")
    assert waiting.status == OutboxStatus.PENDING and waiting.attempts == 1 and waiting.last_error

    code, output = deliver(app)  # still down: nothing lost, exit 1 says so
    assert code == 1 and "could not be reached" in output
    assert outbox(app, kind="return_returned")[0].status == OutboxStatus.PENDING

    mail_server.start()
    code, output = deliver(app)
    assert code == 0, output
    assert [m["To"] for m in mail_server.messages] == [rep.email]
    assert "Please fix the loans" in text_of(mail_server.messages[0])
    assert deliver(app)[0] == 0  # a second run sends nothing again
    client.get("/api/v1/me", headers=coordinator)  # nor does a later request
    assert len(mail_server.messages) == 1
    [sent] = outbox(app, kind="return_returned")
    assert sent.status == OutboxStatus.SENT and sent.sent_at is not None and sent.last_error == ""


def test_a_refused_address_stays_in_the_outbox_for_the_admin_and_does_not_block_the_change(app, client, nu,
                                                                                        coordinator, mail_server):
    good = make_user(app, Role.LIBRARY_REP, library="NU")
    bad = make_user(app, Role.LIBRARY_REP, library="NU", email="nobody@bounce.example")
    mail_server.refuse(bad.email)
    submitted(app, client, nu, good)
    response = client.post(url(nu, action="accept"), headers=coordinator)
    assert response.status_code == 200 and response.get_json()["status"] == "accepted"
    assert [m["To"] for m in mail_server.messages] == [good.email]
    [refused] = outbox(app, to_address=bad.email)
    assert refused.status == OutboxStatus.FAILED and "550" in refused.last_error

    code, output = deliver(app)  # a refused address is not retried blindly
    assert code == 0 and len(mail_server.messages) == 1

    admin = make_user(app, Role.ADMIN)
    login(client, admin.email, admin.password)
    page = client.get("/admin/mail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert bad.email in html and "550" in html and good.email not in html


def test_only_the_admin_sees_undelivered_mail(app):
    for role in (Role.COORDINATOR, Role.LIBRARY_REP):
        account = make_user(app, role, library="NU" if role == Role.LIBRARY_REP else None)
        client = app.test_client()
        login(client, account.email, account.password)
        assert client.get("/admin/mail").status_code == 403
    anonymous = app.test_client().get("/admin/mail")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_kind_switched_off_on_the_account_page_is_not_sent(app, client, nu, coordinator, mail_server):
    rep = make_user(app, Role.LIBRARY_REP, library="NU", locale="ru")
    login(client, rep.email, rep.password)
    page = client.get("/account").get_data(as_text=True)
    assert 'value="return_returned" checked' in page and "returns_submitted_digest" not in page  # a rep's kinds
    response = client.post("/account/notifications", data={
        "csrf_token": csrf_token_from(page), "kinds": ["return_accepted", "return_reopened"]})
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert 'value="return_returned">' in page and 'value="return_accepted" checked' in page

    submitted(app, client, nu, rep)
    client.post(url(nu, action="return"), json={"comment": "Fix it"}, headers=coordinator)
    assert mail_server.messages == [] and outbox(app, kind="return_returned") == []
    client.post(url(nu, action="submit"), headers=api_token(client, rep.email, rep.password))
    client.post(url(nu, action="accept"), headers=coordinator)
    assert [subject_of(m).rsplit(": ", 1)[-1] for m in mail_server.messages] == ["принят"]


def test_an_unknown_kind_is_refused_and_changes_nothing(app, client):
    rep = make_user(app, Role.LIBRARY_REP, library="NU")
    login(client, rep.email, rep.password)
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    response = client.post("/account/notifications", data={"csrf_token": token, "kinds": ["returns_submitted_digest"]})
    assert response.status_code == 422 and "returns_submitted_digest" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(sa.select(MailOptOut).where(MailOptOut.user_id == rep.id)).all() == []
    assert client.post("/account/notifications", data={"kinds": []}).status_code in (400, 403)  # no CSRF token


def test_a_refused_change_writes_no_mail(app, client, nu, reps, coordinator, mail_server):
    submitted(app, client, nu, reps["kk"])
    response = client.post(url(nu, action="return"), json={"comment": "  "}, headers=coordinator)
    assert response.status_code == 422
    assert outbox(app) == [] and mail_server.messages == []


def test_the_coordinators_daily_digest_lists_the_submissions_once_a_day(app, client, nu, mail_server):
    coordinator = make_user(app, Role.COORDINATOR, locale="kk")
    quiet = make_user(app, Role.COORDINATOR)
    with app.app_context():
        db.session.add(MailOptOut(user_id=quiet.id, kind="returns_submitted_digest"))
        db.session.commit()
    runner = app.test_cli_runner()
    assert "0 digest(s) would be sent" in runner.invoke(args=["mail", "digest", "--dry-run"]).output
    submitted(app, client, nu, make_user(app, Role.LIBRARY_REP, library="NU"))
    assert "1 digest(s) would be sent" in runner.invoke(args=["mail", "digest", "--dry-run"]).output
    assert mail_server.messages == []
    result = runner.invoke(args=["mail", "digest"])
    assert result.exit_code == 0, result.output
    [digest] = mail_server.messages
    assert digest["To"] == coordinator.email and "NU" in text_of(digest) and "2024" in text_of(digest)
    assert "тапсырылған" in subject_of(digest).lower()
    runner.invoke(args=["mail", "digest"])
    assert len(mail_server.messages) == 1  # nothing new since the last digest, and once a day at most


def test_enqueue_refuses_an_unregistered_kind(ctx):
    with pytest.raises(ValueError, match="unknown mail kind"):
        enqueue("meeting_invitation_typo", [], "notifications/email/return_accepted.txt")


def test_an_inactive_account_gets_nothing(app, client, nu, coordinator, mail_server):
    rep = make_user(app, Role.LIBRARY_REP, library="NU")
    active = make_user(app, Role.LIBRARY_REP, library="NU")
    submitted(app, client, nu, active)
    with app.app_context():
        db.session.get(User, rep.id).is_active_account = False
        db.session.commit()
    client.post(url(nu, action="accept"), headers=coordinator)
    assert [m["To"] for m in mail_server.messages] == [active.email]


def test_a_claimed_message_is_left_to_its_deliverer_until_the_claim_is_stale(app, client, nu, coordinator,
                                                                              mail_server):
    from datetime import timedelta

    from association.core.models import utcnow

    rep = make_user(app, Role.LIBRARY_REP, library="NU")
    submitted(app, client, nu, rep)
    mail_server.stop()
    client.post(url(nu, action="accept"), headers=coordinator)
    mail_server.start()
    with app.app_context():
        message = db.session.scalars(sa.select(OutboxMessage)).one()
        message.status, message.claimed_at = OutboxStatus.SENDING, utcnow()  # another deliverer is on it
        db.session.commit()
    assert deliver(app)[0] == 0 and mail_server.messages == []
    with app.app_context():
        db.session.scalars(sa.select(OutboxMessage)).one().claimed_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    assert deliver(app)[0] == 0
    assert [m["To"] for m in mail_server.messages] == [rep.email]
