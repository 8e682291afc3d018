"""Throttling of password guesses: counted in the database (every process sees the counts), per account and address,
per address and per account; an attacked account is slowed for its attackers, never shut for its owner; the
change-password form is throttled too; lockouts and unlocks are audited. The first tests run the app under gunicorn
with 4 workers, as production does."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from association import PROJECT_ROOT, create_app
from association.audit.models import AuditEvent
from association.auth import throttle
from association.auth.models import LoginFailure
from association.extensions import db
from association.seed.reference import load_reference_data
from association.users.operations import create_user
from bench.server import free_port
from tests.conftest import csrf_token_from, empty_database

PASSWORD = "a long enough password"


def make_database(url: str) -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        load_reference_data()
        create_user("victim@example.org", "Victim", PASSWORD, ["observer"])
        create_user("other@example.org", "Other", PASSWORD, ["observer"])
        db.session.commit()
        db.engine.dispose()


@pytest.fixture
def database_url(tmp_path) -> Iterator[str]:
    with empty_database(tmp_path, "assoc_throttle") as url:
        make_database(url)
        yield url


@pytest.fixture
def throttled_app(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_ENABLED=True)
    yield app
    with app.app_context():
        db.engine.dispose()


# --- under gunicorn, 4 workers ---------------------------------------------------------------------------------

@pytest.fixture
def served(database_url, tmp_path) -> Iterator[tuple[int, Path]]:
    """gunicorn -w 4 serving the app on a free port; yields the port and the path of its log."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "ASSOCIATION_ENV": "production", "SECRET_KEY": "throttle-test-secret",
           "DATABASE_URL": database_url, "SESSION_COOKIE_SECURE": "0"}
    with log.open("w") as output:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}",
                                   "wsgi:app"], cwd=PROJECT_ROOT, env=env, stdout=output, stderr=output,
                                  start_new_session=True)
    try:
        for _ in range(150):
            try:
                if call(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("gunicorn did not start: " + log.read_text()[-2000:])
        yield port, log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def call(port: int, method: str, path: str, body: dict | None = None, source: str = "127.0.0.1") -> tuple[int, dict]:
    """One request on a new connection (so that successive ones land on different workers), from `source`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        payload = json.dumps(body) if body is not None else None
        connection.request(method, path, body=payload, headers={"Content-Type": "application/json"} if body else {})
        response = connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data and response.getheader("Content-Type", "").endswith(
            "json") else {}
    finally:
        connection.close()


def test_failures_are_counted_across_four_gunicorn_workers(served):
    port, log = served
    statuses = [call(port, "POST", "/api/v1/auth/token", {"email": "victim@example.org", "password": f"wrong {n}"})[0]
                for n in range(12)]
    assert statuses == [401] * 10 + [429] * 2
    # The right password from that address is refused too; from another address, the owner gets in.
    assert call(port, "POST", "/api/v1/auth/token", {"email": "victim@example.org", "password": PASSWORD})[0] == 429
    owner = call(port, "POST", "/api/v1/auth/token", {"email": "victim@example.org", "password": PASSWORD},
                 source="127.0.0.2")
    assert owner[0] == 201 and owner[1]["token"].startswith("aul_")
    # Hostile bodies through the real server, chunked ones included: each a 4xx, and the log stays clean.
    bearer = {"Authorization": f"Bearer {owner[1]['token']}", "Content-Type": "application/json"}
    hostile = [b"[" * 100_000 + b"]" * 100_000, b'{"comment": "\\ud800"}', b'{"comment": "' + b"x" * 1_500_000 + b'"}']
    for body in hostile:
        for chunked in (False, True):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                chunks = (body[i:i + 65536] for i in range(0, len(body), 65536)) if chunked else body
                connection.request("PATCH", "/api/v1/tasks/1", body=chunks, headers=bearer, encode_chunked=chunked)
                response = connection.getresponse()
                assert response.status in (400, 413), (body[:20], chunked, response.status)
                assert response.getheader("Content-Type") == "application/problem+json"
                response.read()
            finally:
                connection.close()
    assert "Traceback" not in log.read_text()


# --- in process, same database counts --------------------------------------------------------------------------

def token(client, email, password, address="10.0.0.1"):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def events(app, action):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_someone_elses_failures_do_not_lock_the_owner_out(throttled_app):
    client = throttled_app.test_client()
    for _ in range(10):
        assert token(client, "victim@example.org", "wrong password", "10.6.6.6").status_code == 401
    refused = token(client, "victim@example.org", PASSWORD, "10.6.6.6")
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    assert token(client, "victim@example.org", PASSWORD, "10.7.7.7").status_code == 201  # the owner, elsewhere
    [locked] = events(throttled_app, "login_locked")
    assert locked.user_email == "victim@example.org" and "limit=pair" in locked.detail


def test_an_attacked_account_gives_each_address_fewer_guesses_but_lets_its_owner_in(throttled_app):
    client = throttled_app.test_client()
    for n in range(50):  # a distributed attack: 50 addresses, a guess each
        assert token(client, "victim@example.org", "wrong password", f"10.1.{n // 250}.{n % 250}").status_code == 401
    for _ in range(3):
        assert token(client, "victim@example.org", "wrong password", "10.2.0.1").status_code == 401
    assert token(client, "victim@example.org", "wrong password", "10.2.0.1").status_code == 429
    assert token(client, "victim@example.org", PASSWORD, "10.3.0.1").status_code == 201


def test_one_address_guessing_many_accounts_is_blocked(throttled_app):
    client = throttled_app.test_client()
    for n in range(30):
        assert token(client, f"nobody{n}@example.org", "wrong password", "10.9.9.9").status_code == 401
    assert token(client, "other@example.org", PASSWORD, "10.9.9.9").status_code == 429
    assert token(client, "other@example.org", PASSWORD, "10.9.9.8").status_code == 201


def test_successful_sign_ins_do_not_count(throttled_app):
    client = throttled_app.test_client()
    for _ in range(15):
        assert token(client, "victim@example.org", PASSWORD).status_code == 201
    with throttled_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure)) == 0


def test_the_html_login_is_throttled_too(throttled_app):
    client = throttled_app.test_client()
    csrf = csrf_token_from(client.get("/login").get_data(as_text=True))
    for _ in range(10):
        response = client.post("/login", data={"email": "victim@example.org", "password": "wrong", "csrf_token": csrf},
                               environ_base={"REMOTE_ADDR": "10.5.5.5"})
        assert response.status_code == 200
    response = client.post("/login", data={"email": "victim@example.org", "password": PASSWORD, "csrf_token": csrf},
                           environ_base={"REMOTE_ADDR": "10.5.5.5"})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_wrong_current_passwords_on_the_change_form_are_throttled(throttled_app):
    thief = throttled_app.test_client()
    csrf = csrf_token_from(thief.get("/login").get_data(as_text=True))
    assert thief.post("/login", data={"email": "victim@example.org", "password": PASSWORD,
                                      "csrf_token": csrf}).status_code == 302
    csrf = csrf_token_from(thief.get("/account").get_data(as_text=True))
    form = {"new_password": "another long passphrase", "confirm": "another long passphrase", "csrf_token": csrf}
    for n in range(5):
        response = thief.post("/account/password", data={**form, "current_password": f"guess {n}"})
        assert response.status_code == 400
    response = thief.post("/account/password", data={**form, "current_password": PASSWORD})
    assert response.status_code == 429
    assert token(throttled_app.test_client(), "victim@example.org", PASSWORD, "10.8.8.8").status_code == 201
    assert any("scope=password" in event.detail for event in events(throttled_app, "login_locked"))


def test_an_admin_unlock_is_audited_and_lets_the_address_try_again(throttled_app):
    client = throttled_app.test_client()
    for _ in range(10):
        token(client, "victim@example.org", "wrong password", "10.4.4.4")
    assert token(client, "victim@example.org", PASSWORD, "10.4.4.4").status_code == 429
    with throttled_app.app_context():
        throttle.unlock("victim@example.org")
        db.session.commit()
    assert token(client, "victim@example.org", PASSWORD, "10.4.4.4").status_code == 201
    assert len(events(throttled_app, "login_unlocked")) == 1


def test_the_limits_storage_counts_the_same_way(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_ENABLED=True,
                     THROTTLE_IN_LIMITS=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    for _ in range(10):
        assert token(client, "victim@example.org", "wrong password", "10.0.3.3").status_code == 401
    assert token(client, "victim@example.org", PASSWORD, "10.0.3.3").status_code == 429
    assert token(client, "victim@example.org", PASSWORD, "10.0.3.4").status_code == 201
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure)) == 0
        db.engine.dispose()

