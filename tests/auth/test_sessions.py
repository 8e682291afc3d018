"""Server-side sessions: signing out kills every copy of the cookie; idle and absolute lifetimes; the account page
lists the live sessions and ends any of them."""

from datetime import timedelta

import sqlalchemy as sa

from association.auth.models import UserSession
from association.core.models import utcnow
from association.extensions import db
from association.users.models import Role
from config import BaseConfig
from tests.conftest import csrf_token_from, login
from tests.factories import make_user


def copy_of(app, client):
    """A second client holding a copy of the first one's session cookie (what an attacker who stole it has)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def sessions_of(app, user_id):
    with app.app_context():
        return db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user_id)
                                  .order_by(UserSession.id)).all()


def age_session(app, user_id, **changes):
    with app.app_context():
        db.session.execute(sa.update(UserSession).where(UserSession.user_id == user_id).values(**changes))
        db.session.commit()


def test_a_copied_cookie_is_dead_after_logout(app, client):
    account = make_user(app, Role.OBSERVER)
    login(client, account.email, account.password)
    thief = copy_of(app, client)
    assert thief.get("/account").status_code == 200
    assert thief.get("/api/v1/me").status_code == 200
    page = client.get("/account").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_token_from(page)}).status_code == 302
    assert thief.get("/account").status_code == 302
    assert thief.get("/api/v1/me").status_code == 401
    [record] = sessions_of(app, account.id)
    assert record.ended_at is not None and record.ended_reason == "logout"


def test_an_idle_session_ends(app, client):
    account = make_user(app, Role.OBSERVER)
    login(client, account.email, account.password)
    age_session(app, account.id, last_seen_at=utcnow() - timedelta(hours=8, minutes=1))
    assert client.get("/api/v1/me").status_code == 401
    [record] = sessions_of(app, account.id)
    assert record.ended_reason == "idle"


def test_use_keeps_a_session_alive(app, client):
    account = make_user(app, Role.OBSERVER)
    login(client, account.email, account.password)
    age_session(app, account.id, last_seen_at=utcnow() - timedelta(hours=7, minutes=50))
    assert client.get("/api/v1/me").status_code == 200
    [record] = sessions_of(app, account.id)
    assert utcnow() - record.last_seen_at < timedelta(minutes=1)


def test_a_session_ends_after_its_absolute_lifetime_even_in_use(app, client):
    account = make_user(app, Role.OBSERVER)
    login(client, account.email, account.password)
    age_session(app, account.id, created_at=utcnow() - timedelta(days=30, minutes=1))
    assert client.get("/account").status_code == 302
    [record] = sessions_of(app, account.id)
    assert record.ended_reason == "expired"


def test_lifetimes_are_configurable():
    config = {"SESSION_COOKIE_SECURE": False, "SESSION_IDLE_TIMEOUT": None, "SESSION_ABSOLUTE_LIFETIME": None}
    import os

    os.environ.update(SESSION_IDLE_HOURS="2", SESSION_ABSOLUTE_DAYS="7")
    try:
        BaseConfig.apply_environment(config)
    finally:
        del os.environ["SESSION_IDLE_HOURS"], os.environ["SESSION_ABSOLUTE_DAYS"]
    assert config["SESSION_IDLE_TIMEOUT"] == timedelta(hours=2)
    assert config["SESSION_ABSOLUTE_LIFETIME"] == timedelta(days=7)
    assert BaseConfig.SESSION_IDLE_TIMEOUT == timedelta(hours=8)
    assert BaseConfig.SESSION_ABSOLUTE_LIFETIME == timedelta(days=30)


def test_the_account_page_lists_sessions_and_ends_another(app, client):
    account = make_user(app, Role.OBSERVER)
    login(client, account.email, account.password)
    laptop = app.test_client()
    login(laptop, account.email, account.password)
    page = client.get("/account").get_data(as_text=True)
    assert "this session" in page
    assert page.count("/account/sessions/") == 1  # the other session can be ended, this one is signed out instead
    mine, other = sessions_of(app, account.id)
    assert f"/account/sessions/{other.id}/end" in page and mine.ended_at is None
    response = client.post(f"/account/sessions/{other.id}/end", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 302
    assert client.get("/account").status_code == 200


def test_nobody_ends_another_users_session(app, client):
    victim = make_user(app, Role.OBSERVER)
    victim_client = app.test_client()
    login(victim_client, victim.email, victim.password)
    attacker = make_user(app, Role.OBSERVER)
    login(client, attacker.email, attacker.password)
    [record] = sessions_of(app, victim.id)
    page = client.get("/account").get_data(as_text=True)
    response = client.post(f"/account/sessions/{record.id}/end", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 404
    assert victim_client.get("/account").status_code == 200


def test_a_password_change_ends_the_other_sessions(app, client):
    account = make_user(app, Role.OBSERVER)
    login(client, account.email, account.password)
    other = app.test_client()
    login(other, account.email, account.password)
    page = client.get("/account").get_data(as_text=True)
    response = client.post("/account/password", data={
        "current_password": account.password, "new_password": "a brand new passphrase 7",
        "confirm": "a brand new passphrase 7", "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    reasons = [record.ended_reason for record in sessions_of(app, account.id)]
    assert reasons == [None, "password_changed"]
