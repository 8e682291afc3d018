"""Bearer tokens: issue, use, revoke, expiry; stored hashed."""

from datetime import timedelta

import sqlalchemy as sa

from association.auth.models import ApiToken
from association.core.models import utcnow
from association.extensions import db
from association.users.models import Role
from tests.conftest import api_token, csrf_token_from, login
from tests.factories import make_user


def test_issue_token_and_use_it(app, client):
    account = make_user(app, Role.OBSERVER)
    response = client.post("/api/v1/auth/token", json={"email": account.email, "password": account.password})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json()["email"] == account.email


def test_token_is_stored_hashed(app, client):
    account = make_user(app, Role.OBSERVER)
    token = client.post("/api/v1/auth/token", json={"email": account.email, "password": account.password}).get_json()["token"]
    with app.app_context():
        stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert token not in stored
    assert len(stored) == 1 and len(stored[0]) == 64


def test_email_is_case_insensitive(app, client):
    account = make_user(app, Role.OBSERVER)
    response = client.post("/api/v1/auth/token", json={"email": account.email.upper(), "password": account.password})
    assert response.status_code == 201


def test_wrong_password_gives_401_problem(app, client):
    account = make_user(app, Role.OBSERVER)
    response = client.post("/api/v1/auth/token", json={"email": account.email, "password": "nope nope nope"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 401


def test_unknown_email_gives_the_same_401(client):
    response = client.post("/api/v1/auth/token", json={"email": "nobody@example.org", "password": "whatever pass"})
    assert response.status_code == 401


def test_revoke_token(app, client):
    account = make_user(app, Role.OBSERVER)
    headers = api_token(client, account.email, account.password)
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    # revoking twice: the token no longer authenticates
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 401


def test_revoking_one_token_keeps_the_others(app, client):
    account = make_user(app, Role.OBSERVER)
    first = api_token(client, account.email, account.password)
    second = api_token(client, account.email, account.password)
    client.delete("/api/v1/auth/token", headers=first)
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_expired_token_is_refused(app, client):
    account = make_user(app, Role.OBSERVER)
    headers = api_token(client, account.email, account.password)
    with app.app_context():
        record = db.session.scalars(sa.select(ApiToken)).one()
        record.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_garbage_tokens_are_401(client):
    for header in ("Bearer", "Bearer ", "Bearer aul_nonexistent", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000):
        assert client.get("/api/v1/me", headers={"Authorization": header}).status_code == 401


def test_delete_token_with_a_session_is_409(app, client):
    account = make_user(app, Role.OBSERVER)
    login(client, account.email, account.password)
    token = csrf_token_from(client.get("/").get_data(as_text=True))  # as a page script would read it
    response = client.delete("/api/v1/auth/token", headers={"X-CSRFToken": token})
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"


def test_session_cookie_works_on_the_api_and_unsafe_calls_need_csrf(app, client):
    account = make_user(app, Role.OBSERVER)
    login(client, account.email, account.password)
    assert client.get("/api/v1/me").status_code == 200
    response = client.delete("/api/v1/auth/token")
    assert response.status_code == 403
    assert "CSRF" in response.get_json()["detail"]


def test_bearer_token_calls_need_no_csrf(app, client):
    account = make_user(app, Role.OBSERVER)
    headers = api_token(client, account.email, account.password)
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204


def test_password_change_revokes_tokens_and_sessions(app, client):
    from association.users.models import User
    from association.users.operations import change_password

    account = make_user(app, Role.OBSERVER)
    headers = api_token(client, account.email, account.password)
    browser = app.test_client()
    login(browser, account.email, account.password)
    with app.app_context():
        change_password(db.session.get(User, account.id), "a brand new long password")
        db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert browser.get("/").status_code == 302
