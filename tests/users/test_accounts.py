"""The life of an account, in the API and in HTML: editing (with versions and a conflict page), deactivating and
reactivating, admin-sent and self-service password resets over real SMTP; every change audited with before/after;
nobody removes their own admin role or deactivates themselves; the last active admin stays."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from association.audit.models import AuditEvent
from association.auth.models import ApiToken, PasswordResetToken, UserSession
from association.core.models import utcnow
from association.extensions import db
from association.users.models import Role, User
from tests.conftest import api_token, csrf_token_from, login
from tests.factories import make_user
from tests.roadmap.test_notifications import body_of, inbox  # noqa: F401  (the SMTP fixture)


@pytest.fixture
def admin(app):
    return make_user(app, Role.ADMIN)


@pytest.fixture
def admin_headers(app, client, admin):
    return api_token(client, admin.email, admin.password)


def user_url(user_id, action=""):
    return f"/api/v1/users/{user_id}" + (f"/{action}" if action else "")


def patch_user(client, headers, user_id, body, etag=None):
    if etag is None:
        etag = client.get(user_url(user_id), headers=headers).headers["ETag"]
    return client.patch(user_url(user_id), json=body, headers={**headers, "If-Match": etag})


def audit(app, action, user_id):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == action, AuditEvent.object_id == str(user_id))).all()


def make_only_admin(app, admin):
    """Deactivate every other admin (the suite's database may hold some), so that `admin` is the last one."""
    with app.app_context():
        others = db.session.scalars(sa.select(User).join(User.roles).where(User.id != admin.id)).unique().all()
        for user in others:
            if user.is_admin:
                user.is_active_account = False
        db.session.commit()


# --- editing --------------------------------------------------------------------------------------------------

def test_an_admin_edits_every_field_and_the_change_is_audited(app, client, admin_headers):
    member = make_user(app, Role.OBSERVER)
    read = client.get(user_url(member.id), headers=admin_headers)
    assert read.status_code == 200 and read.headers["ETag"] == f'"user-{member.id}-v1"'
    response = patch_user(client, admin_headers, member.id, {
        "name": "New Name", "email": "New.Address@Example.org", "locale": "kk",
        "roles": ["observer", "library_rep"], "library": "ENU",
        "committees": [{"code": "REG", "chair": True}, {"code": "EDU"}]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["name"], body["email"], body["locale"], body["library"], body["version"]) == (
        "New Name", "new.address@example.org", "kk", "ENU", 2)
    assert body["roles"] == ["committee_member", "library_rep", "observer"]
    assert body["committees"] == [{"code": "EDU", "chair": False}, {"code": "REG", "chair": True}]
    [event] = audit(app, "user_updated", member.id)
    assert event.before["name"] == f"Test {member.email}" and event.after["name"] == "New Name"
    assert event.before["committees"] == [] and event.after["committees"] == [["EDU", False], ["REG", True]]
    # The chair flag alone changes, and membership can be taken away.
    response = patch_user(client, admin_headers, member.id, {"committees": [{"code": "REG", "chair": False}]})
    assert response.get_json()["committees"] == [{"code": "REG", "chair": False}]
    response = patch_user(client, admin_headers, member.id, {"committees": [], "roles": ["observer"],
                                                             "library": None})
    assert response.status_code == 200
    assert (response.get_json()["committees"], response.get_json()["roles"]) == ([], ["observer"])


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "not-an-address"}, "email"), ({"name": " "}, "name"), ({"roles": ["emperor"]}, "roles"),
    ({"roles": []}, "roles"), ({"library": "NOPE"}, "library"), ({"committees": [{"code": "XXX"}]}, "committees"),
    ({"roles": ["library_rep"]}, "library"), ({"locale": "de"}, "locale"),
])
def test_bad_edits_are_422_naming_the_field_and_change_nothing(app, client, admin_headers, body, field):
    member = make_user(app, Role.OBSERVER)
    response = patch_user(client, admin_headers, member.id, body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert client.get(user_url(member.id), headers=admin_headers).get_json()["version"] == 1
    assert audit(app, "user_updated", member.id) == []


def test_an_email_already_taken_is_refused(app, client, admin_headers):
    member, other = make_user(app, Role.OBSERVER), make_user(app, Role.OBSERVER)
    response = patch_user(client, admin_headers, member.id, {"email": other.email.upper()})
    assert response.status_code == 422 and "email" in response.get_json()["errors"]


def test_a_stale_or_missing_if_match_is_refused(app, client, admin_headers):
    member = make_user(app, Role.OBSERVER)
    etag = client.get(user_url(member.id), headers=admin_headers).headers["ETag"]
    assert patch_user(client, admin_headers, member.id, {"name": "First"}, etag=etag).status_code == 200
    assert patch_user(client, admin_headers, member.id, {"name": "Second"}, etag=etag).status_code == 412
    assert client.patch(user_url(member.id), json={"name": "x"}, headers=admin_headers).status_code == 428
    assert client.get(user_url(member.id), headers=admin_headers).get_json()["name"] == "First"


def test_nobody_removes_their_own_admin_role(app, client, admin, admin_headers):
    response = patch_user(client, admin_headers, admin.id, {"roles": ["observer"]})
    assert response.status_code == 422
    assert "own administrator role" in response.get_json()["errors"]["roles"][0]


def test_another_admin_may_lose_the_role_but_the_last_active_admin_keeps_it(app, client, admin, admin_headers):
    other_admin = make_user(app, Role.ADMIN)
    assert patch_user(client, admin_headers, other_admin.id, {"roles": ["observer"]}).status_code == 200
    make_only_admin(app, admin)
    with app.app_context():  # the CLI or a script acting: the rule lives in the operation
        from association.core.errors import ValidationFailed
        from association.users.operations import update_user

        last, acting = db.session.get(User, admin.id), db.session.get(User, other_admin.id)
        with pytest.raises(ValidationFailed) as refused:
            update_user(last, acting, {"roles": ["observer"]})
        assert "last active administrator" in refused.value.errors["roles"][0]


def test_non_admins_cannot_read_or_change_users(app, client):
    member = make_user(app, Role.COORDINATOR)
    headers = api_token(client, member.email, member.password)
    assert client.get(user_url(member.id), headers=headers).status_code == 403
    assert client.patch(user_url(member.id), json={"roles": ["admin"]},
                        headers={**headers, "If-Match": f'"user-{member.id}-v1"'}).status_code == 403
    assert client.post(user_url(member.id, "deactivate"), headers=headers).status_code == 403


def test_an_unknown_user_is_404(client, admin_headers):
    assert client.get(user_url(999999), headers=admin_headers).status_code == 404


# --- deactivating -----------------------------------------------------------------------------------------------

def test_deactivation_ends_sessions_and_tokens_at_once_and_keeps_history(app, client, admin_headers):
    member = make_user(app, Role.OBSERVER)
    browser = app.test_client()
    login(browser, member.email, member.password)
    member_headers = api_token(app.test_client(), member.email, member.password)
    assert browser.get("/account").status_code == 200
    response = client.post(user_url(member.id, "deactivate"), headers=admin_headers)
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert browser.get("/account").status_code == 302
    assert client.get("/api/v1/me", headers=member_headers).status_code == 401
    assert client.post("/api/v1/auth/token", json={"email": member.email, "password": member.password}
                       ).status_code == 401
    with app.app_context():
        assert db.session.get(User, member.id) is not None  # the account and its history stay
        assert all(s.ended_at for s in db.session.scalars(sa.select(UserSession).where(
            UserSession.user_id == member.id)))
        assert all(t.revoked_at for t in db.session.scalars(sa.select(ApiToken).where(
            ApiToken.user_id == member.id)))
    [event] = audit(app, "user_deactivated", member.id)
    assert event.before["active"] is True and event.after["active"] is False
    assert client.post(user_url(member.id, "deactivate"), headers=admin_headers).status_code == 409
    response = client.post(user_url(member.id, "reactivate"), headers=admin_headers)
    assert response.status_code == 200 and response.get_json()["active"] is True
    assert client.post("/api/v1/auth/token", json={"email": member.email, "password": member.password}
                       ).status_code == 201
    assert len(audit(app, "user_reactivated", member.id)) == 1
    assert client.post(user_url(member.id, "reactivate"), headers=admin_headers).status_code == 409


def test_nobody_deactivates_themselves(app, client, admin, admin_headers):
    response = client.post(user_url(admin.id, "deactivate"), headers=admin_headers)
    assert response.status_code == 409
    assert client.get("/api/v1/me", headers=admin_headers).status_code == 200


def test_the_last_active_admin_cannot_be_deactivated(app, client, admin):
    last = make_user(app, Role.ADMIN)
    make_only_admin(app, last)
    with app.app_context():  # `admin` acts, but is no admin any more in this test: use the operation directly
        from association.core.errors import StateConflict
        from association.users.operations import deactivate_user

        acting = db.session.get(User, admin.id)
        with pytest.raises(StateConflict, match="last active administrator"):
            deactivate_user(db.session.get(User, last.id), acting)


# --- password resets --------------------------------------------------------------------------------------------

def link_in(message) -> str:
    match = re.search(r"https?://\S+/password/reset/(\S+)", body_of(message))
    assert match, body_of(message)
    return match.group(1)


def test_self_service_reset_mails_a_single_use_link(app, client, inbox):  # noqa: F811
    member = make_user(app, Role.OBSERVER)
    old_session = app.test_client()
    login(old_session, member.email, member.password)
    response = client.post("/api/v1/auth/password-reset", json={"email": member.email.upper()})
    assert response.status_code == 202
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.org"})
    assert (unknown.status_code, unknown.get_json()) == (202, response.get_json())  # the same answer
    [message] = inbox
    assert message["To"] == member.email
    token = link_in(message)
    with app.app_context():
        assert db.session.scalar(sa.select(PasswordResetToken.token_hash)) != token  # stored hashed
    confirm = client.post("/api/v1/auth/password-reset/confirm", json={"token": token,
                                                                       "password": "a fresh long passphrase"})
    assert confirm.status_code == 204
    assert client.post("/api/v1/auth/token", json={"email": member.email,
                                                   "password": "a fresh long passphrase"}).status_code == 201
    assert old_session.get("/account").status_code == 302  # the reset ended the other sessions
    again = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "another one 12345"})
    assert again.status_code == 422  # single use
    assert len(audit(app, "password_reset", member.id)) == 1


def test_an_expired_or_wrong_link_is_refused(app, client, inbox):  # noqa: F811
    member = make_user(app, Role.OBSERVER)
    client.post("/api/v1/auth/password-reset", json={"email": member.email})
    token = link_in(inbox[0])
    with app.app_context():
        db.session.execute(sa.update(PasswordResetToken).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    for attempt in (token, "wrong-token"):
        response = client.post("/api/v1/auth/password-reset/confirm",
                               json={"token": attempt, "password": "a fresh long passphrase"})
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert client.post("/api/v1/auth/token", json={"email": member.email, "password": member.password}
                       ).status_code == 201


def test_a_deactivated_user_gets_no_link(app, client, admin_headers, inbox):  # noqa: F811
    member = make_user(app, Role.OBSERVER)
    client.post(user_url(member.id, "deactivate"), headers=admin_headers)
    assert client.post("/api/v1/auth/password-reset", json={"email": member.email}).status_code == 202
    assert client.post(user_url(member.id, "password-reset"), headers=admin_headers).status_code == 409
    assert inbox == []


def test_an_admin_sends_a_reset_link(app, client, admin_headers, inbox):  # noqa: F811
    member = make_user(app, Role.OBSERVER, locale="ru")
    response = client.post(user_url(member.id, "password-reset"), headers=admin_headers)
    assert response.status_code == 202
    [message] = inbox
    assert message["To"] == member.email and "/password/reset/" in body_of(message)
    page = client.get(f"/password/reset/{link_in(message)}")
    assert page.status_code == 200 and 'name="new_password"' in page.get_data(as_text=True)


def test_an_unreachable_mail_server_is_503_not_500(app, client, admin_headers):
    member = make_user(app, Role.OBSERVER)
    old = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    try:
        response = client.post(user_url(member.id, "password-reset"), headers=admin_headers)
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = old
    assert response.status_code == 503 and response.mimetype == "application/problem+json"


def test_the_html_forgot_and_reset_pages(app, client, inbox):  # noqa: F811
    member = make_user(app, Role.OBSERVER)
    page = client.get("/password/forgot")
    assert page.status_code == 200
    response = client.post("/password/forgot", data={"email": member.email,
                                                      "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    token = link_in(inbox[0])
    form = client.get(f"/password/reset/{token}").get_data(as_text=True)
    short = client.post(f"/password/reset/{token}", data={"new_password": "short", "confirm": "short",
                                                          "csrf_token": csrf_token_from(form)})
    assert short.status_code == 400 and "has-error" in short.get_data(as_text=True)
    done = client.post(f"/password/reset/{token}", data={"new_password": "a fresh long passphrase",
                                                         "confirm": "a fresh long passphrase",
                                                         "csrf_token": csrf_token_from(form)})
    assert done.status_code == 302
    assert client.get(f"/password/reset/{token}").status_code == 404
    login(app.test_client(), member.email, "a fresh long passphrase")


# --- HTML user edit with versions -------------------------------------------------------------------------------

def edit_data(page: str, **changes) -> dict:
    data = {"csrf_token": csrf_token_from(page), "version": re.search(r'name="version"[^>]*value="(\d+)"', page)[1],
            "email": re.search(r'name="email"[^>]*value="([^"]+)"', page)[1],
            "name": re.search(r'name="name"[^>]*value="([^"]+)"', page)[1], "roles": ["observer"], "locale": ""}
    data.update(changes)
    return data


def test_the_html_edit_form_saves_and_a_stale_save_gets_a_conflict_page(app, client, admin):
    member = make_user(app, Role.OBSERVER)
    login(client, admin.email, admin.password)
    assert member.email in client.get("/admin/users").get_data(as_text=True)
    page = client.get(f"/admin/users/{member.id}").get_data(as_text=True)
    saved = client.post(f"/admin/users/{member.id}", data=edit_data(page, name="Saved First"))
    assert saved.status_code == 302
    stale = client.post(f"/admin/users/{member.id}", data=edit_data(page, name="Typed Second"))
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert 'value="Typed Second"' in html  # what was typed stays
    assert "Saved First" in html  # what the other save changed is shown
    with app.app_context():
        assert db.session.get(User, member.id).name == "Saved First"


def test_the_html_edit_form_shows_refusals_beside_the_fields(app, client, admin):
    member = make_user(app, Role.OBSERVER)
    login(client, admin.email, admin.password)
    page = client.get(f"/admin/users/{member.id}").get_data(as_text=True)
    response = client.post(f"/admin/users/{member.id}", data=edit_data(page, roles=["library_rep"]))
    assert response.status_code == 422
    assert "A library representative needs a library." in response.get_data(as_text=True)
    own = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    response = client.post(f"/admin/users/{admin.id}", data=edit_data(own))
    assert response.status_code == 422 and "own administrator role" in response.get_data(as_text=True)


def test_the_html_buttons_deactivate_and_reactivate(app, client, admin):
    member = make_user(app, Role.OBSERVER)
    login(client, admin.email, admin.password)
    page = client.get(f"/admin/users/{member.id}").get_data(as_text=True)
    token = csrf_token_from(page)
    assert client.post(f"/admin/users/{member.id}/deactivate", data={"csrf_token": token}).status_code == 302
    assert "deactivated" in client.get(f"/admin/users/{member.id}").get_data(as_text=True)
    assert client.post(f"/admin/users/{member.id}/reactivate", data={"csrf_token": token}).status_code == 302
    assert client.post(f"/admin/users/{admin.id}/deactivate", data={"csrf_token": token}).status_code == 409
    assert client.post(f"/admin/users/{member.id}/unlock", data={"csrf_token": token}).status_code == 302
    assert len(audit(app, "user_deactivated", member.id)) == 1
