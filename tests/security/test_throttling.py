"""Login throttling: 429 after 10 failures in 15 minutes, per account and per address, on every sign-in path."""

import pytest
import sqlalchemy as sa

from association import create_app
from association.audit.models import AuditEvent
from association.extensions import db, limiter
from association.seed.reference import load_reference_data
from association.users.operations import create_user
from tests.conftest import csrf_token_from

PASSWORD = "a long enough password"


@pytest.fixture
def throttled_app(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'throttle.sqlite3'}",
                     RATELIMIT_ENABLED=True)
    with app.app_context():
        db.create_all()
        load_reference_data()
        create_user("victim@example.org", "Victim", PASSWORD, ["observer"])
        create_user("other@example.org", "Other", PASSWORD, ["observer"])
        db.session.commit()
    limiter.reset()
    yield app
    with app.app_context():
        db.engine.dispose()


def token(client, email, password, address="10.0.0.1"):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_ten_failures_lock_the_account_from_any_address(throttled_app):
    client = throttled_app.test_client()
    for attempt in range(10):
        assert token(client, "victim@example.org", "wrong password", f"10.0.1.{attempt}").status_code == 401
    locked = token(client, "victim@example.org", PASSWORD, "10.0.2.1")  # right password, new address: still locked
    assert locked.status_code == 429
    assert locked.mimetype == "application/problem+json"
    assert token(client, "other@example.org", PASSWORD, "10.0.2.2").status_code == 201  # others are not affected
    with throttled_app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "login_locked")).all()
        assert events and events[0].user_email == "victim@example.org"


def test_ten_failures_from_one_address_block_that_address(throttled_app):
    client = throttled_app.test_client()
    for attempt in range(10):
        assert token(client, f"nobody{attempt}@example.org", "wrong password", "10.9.9.9").status_code == 401
    assert token(client, "other@example.org", PASSWORD, "10.9.9.9").status_code == 429
    assert token(client, "other@example.org", PASSWORD, "10.9.9.8").status_code == 201


def test_successful_sign_ins_do_not_count(throttled_app):
    client = throttled_app.test_client()
    for _ in range(15):
        assert token(client, "victim@example.org", PASSWORD).status_code == 201


def test_the_html_login_is_throttled_too(throttled_app):
    client = throttled_app.test_client()
    csrf = csrf_token_from(client.get("/login").get_data(as_text=True))
    for _ in range(10):
        response = client.post("/login", data={"email": "victim@example.org", "password": "wrong", "csrf_token": csrf},
                               environ_base={"REMOTE_ADDR": "10.5.5.5"})
        assert response.status_code == 200
    response = client.post("/login", data={"email": "victim@example.org", "password": PASSWORD, "csrf_token": csrf},
                           environ_base={"REMOTE_ADDR": "10.5.5.6"})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
