"""Signing in and out through the HTML pages."""

import sqlalchemy as sa

from association.audit.models import AuditEvent
from association.extensions import db
from association.users.models import Role
from tests.conftest import csrf_token_from, login
from tests.factories import make_user


def test_login_page_has_the_form_fields(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for name in ('name="email"', 'name="password"', 'name="csrf_token"'):
        assert name in html


def test_login_then_dashboard_then_logout(app, client):
    account = make_user(app, Role.OBSERVER)
    login(client, account.email, account.password)
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert f"Test {account.email}" in dashboard.get_data(as_text=True)

    token = csrf_token_from(dashboard.get_data(as_text=True))
    out = client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_wrong_password_is_refused_and_logged(app, client):
    account = make_user(app, Role.OBSERVER)
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/login", data={"email": account.email, "password": "wrong password!", "csrf_token": token})
    assert response.status_code == 200
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "login_failed")).all()
        assert [e.user_email for e in events] == [account.email]
        assert all("wrong password" not in (e.detail or "") for e in events)


def test_successful_login_is_audited(app, client):
    account = make_user(app, Role.OBSERVER)
    login(client, account.email, account.password)
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "login")).one()
        assert event.user_id == account.id
        assert event.ip_address == "127.0.0.1"


def test_login_without_csrf_token_is_refused(app, client):
    account = make_user(app, Role.OBSERVER)
    response = client.post("/login", data={"email": account.email, "password": account.password})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_logout_needs_post_with_csrf(app, client):
    account = make_user(app, Role.OBSERVER)
    login(client, account.email, account.password)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_session_is_renewed_at_login(app, client):
    account = make_user(app, Role.OBSERVER)
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, account.email, account.password)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_next_parameter_only_follows_local_paths(app, client):
    account = make_user(app, Role.OBSERVER)
    page = client.get("/login?next=https://evil.example/")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/login", data={
        "email": account.email, "password": account.password, "csrf_token": token, "next": "https://evil.example/",
    })
    assert response.headers["Location"] == "/"


def test_pages_need_a_signed_in_user(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_inactive_user_cannot_sign_in(app, client):
    from association.users.models import User

    account = make_user(app, Role.OBSERVER)
    with app.app_context():
        db.session.get(User, account.id).is_active_account = False
        db.session.commit()
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/login", data={"email": account.email, "password": account.password, "csrf_token": token})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_session_cookie_flags(app, client):
    account = make_user(app, Role.OBSERVER)
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/login", data={"email": account.email, "password": account.password, "csrf_token": token})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
