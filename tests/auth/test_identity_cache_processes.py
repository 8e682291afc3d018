"""The identity cache is per process: what another process commits must be seen on the very next request.

Two application instances on one database stand for two gunicorn workers (as in tests/progress/test_cache.py); each
has its own identity cache. Every test first has instance A serve the caller, so that A's cache holds the caller's
snapshot, then changes the caller's identity through instance B, then asks A again. The database is a new one of
the suite's kind (SQLite or PostgreSQL), so that the commits are real and nothing needs undoing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm.attributes import set_committed_value

from association import create_app
from association.auth import sessions
from association.auth.identity import identity_cache
from association.auth.models import UserSession
from association.extensions import db
from association.seed.reference import load_reference_data
from association.users import operations
from association.users.models import Role, User
from tests.conftest import api_token, csrf_token_from, empty_database, login
from tests.factories import PASSWORD
from tests.querycount import count_queries

NEW_PASSWORD = "a quite different passphrase 2027"


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Flask]]:
    with empty_database(tmp_path_factory.mktemp("identity"), "identity") as url:
        first = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with first.app_context():
            db.create_all()
            load_reference_data()
            operations.create_user("admin@example.org", "Admin", PASSWORD, [Role.ADMIN])
            db.session.commit()
        second = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        try:
            yield first, second
        finally:
            for application in (first, second):
                with application.app_context():
                    db.session.remove()
                    db.engine.dispose()


_numbers = iter(range(1, 10_000))


def new_user(app: Flask, *roles: Role, committees: list[tuple[str, bool]] | None = None) -> str:
    email = f"person{next(_numbers)}@example.org"
    with app.app_context():
        operations.create_user(email, email, PASSWORD, list(roles), committees=committees or [])
        db.session.commit()
    return email


def change(app: Flask, email: str, act) -> None:
    """Do `act(user, admin)` in `app` (the other process) and commit, as its views and API do."""
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        admin = db.session.scalars(sa.select(User).where(User.email == "admin@example.org")).one()
        act(user, admin)
        db.session.commit()


def me(client: FlaskClient, headers: dict[str, str] | None = None):
    return client.get("/api/v1/me", headers=headers or {})


def cached(app: Flask) -> int:
    return len(identity_cache(app))


def browser_in_both(first: Flask, second: Flask, email: str) -> tuple[FlaskClient, FlaskClient]:
    """One browser session (signed in through B), its cookie used with A and with B."""
    in_second = second.test_client()
    login(in_second, email, PASSWORD)
    cookie = in_second.get_cookie("session")
    assert cookie is not None
    in_first = first.test_client()
    in_first.set_cookie("session", cookie.value)
    return in_first, in_second


def test_a_revoked_token_is_refused_by_the_other_process(instances):
    first, second = instances
    email = new_user(first, Role.OBSERVER)
    headers = api_token(second.test_client(), email, PASSWORD)
    a, b = first.test_client(), second.test_client()
    before = cached(first)
    assert me(a, headers).status_code == 200
    assert cached(first) == before + 1  # A holds the caller now
    assert me(a, headers).status_code == 200  # served from A's cache
    assert b.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert me(a, headers).status_code == 401


def test_a_removed_role_is_seen_by_the_other_process(instances):
    first, second = instances
    email = new_user(first, Role.ADMIN, Role.OBSERVER)
    headers = api_token(second.test_client(), email, PASSWORD)
    a = first.test_client()
    user_id = me(a, headers).get_json()["id"]
    assert a.get(f"/api/v1/users/{user_id}", headers=headers).status_code == 200  # an administrator's read
    change(second, email, lambda user, admin: operations.update_user(user, admin, {"roles": ["observer"]}))
    assert a.get(f"/api/v1/users/{user_id}", headers=headers).status_code == 403
    assert me(a, headers).get_json()["roles"] == ["observer"]


def test_a_removed_committee_membership_is_seen_by_the_other_process(instances):
    first, second = instances
    email = new_user(first, Role.COMMITTEE_MEMBER, committees=[("REG", True), ("EDU", False)])
    headers = api_token(second.test_client(), email, PASSWORD)
    a = first.test_client()
    assert [c["code"] for c in me(a, headers).get_json()["committees"]] == ["EDU", "REG"]
    change(second, email, lambda user, admin: operations.update_user(user, admin, {"committees": [("EDU", False)]}))
    assert me(a, headers).get_json()["committees"] == [{"code": "EDU", "chair": False}]


def test_a_deactivated_user_is_refused_by_the_other_process(instances):
    first, second = instances
    email = new_user(first, Role.COORDINATOR)
    headers = api_token(second.test_client(), email, PASSWORD)
    a = first.test_client()
    browser, _ = browser_in_both(first, second, email)
    assert me(a, headers).status_code == 200
    assert me(browser).status_code == 200
    change(second, email, lambda user, admin: operations.deactivate_user(user, admin))
    assert me(a, headers).status_code == 401
    assert me(browser).status_code == 401


def test_a_password_change_ends_the_sessions_and_tokens_in_the_other_process(instances):
    first, second = instances
    email = new_user(first, Role.OBSERVER)
    headers = api_token(second.test_client(), email, PASSWORD)
    a = first.test_client()
    browser, _ = browser_in_both(first, second, email)
    assert me(browser).status_code == 200
    assert me(a, headers).status_code == 200
    change(second, email, lambda user, admin: operations.change_password(user, NEW_PASSWORD))
    assert me(browser).status_code == 401
    assert me(a, headers).status_code == 401


def test_the_session_generation_alone_ends_a_session_in_the_other_process(instances):
    """The cookie carries the password generation: a bump of it alone (the session row untouched) is enough."""
    first, second = instances
    email = new_user(first, Role.OBSERVER)
    browser, _ = browser_in_both(first, second, email)
    assert me(browser).status_code == 200

    def bump(user: User, _admin: User) -> None:
        user.session_generation += 1

    change(second, email, bump)
    assert me(browser).status_code == 401


def test_signing_out_elsewhere_ends_the_session_in_the_other_process(instances):
    first, second = instances
    email = new_user(first, Role.OBSERVER)
    in_first, in_second = browser_in_both(first, second, email)
    assert me(in_first).status_code == 200
    assert me(in_first).status_code == 200  # from A's cache
    token = csrf_token_from(in_second.get("/account").get_data(as_text=True))
    assert in_second.post("/logout", data={"csrf_token": token}).status_code == 302
    assert me(in_first).status_code == 401
    assert in_first.get("/account").status_code == 302  # the HTML side sends it to the sign-in page


def generation(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(sa.text("SELECT value FROM identity_generation")).scalar_one()


def snapshot_of(app: Flask, client: FlaskClient) -> UserSession:
    """The session row as `app`'s identity cache holds it for the browser `client`."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    key = app.session_interface.get_signing_serializer(app).loads(cookie.value)[sessions.SESSION_KEY]
    found = identity_cache(app).get(("session", sessions.key_hash(key)), generation(app))
    assert found is not None
    return found.record


def test_keeping_a_session_alive_leaves_every_cache_filled(instances):
    """The keep-alive write (last_seen_at, at most once a TOUCH_INTERVAL) is the one write that renews nothing:
    a session kept alive by one process stays in the other's cache, and is not taken for idle there although that
    cache last saw it long ago."""
    first, second = instances
    email = new_user(first, Role.OBSERVER)
    in_first, in_second = browser_in_both(first, second, email)
    assert me(in_first).status_code == 200 and me(in_second).status_code == 200
    before = generation(first)
    now = sessions.utcnow()
    set_committed_value(snapshot_of(second, in_second), "last_seen_at", now - 2 * sessions.TOUCH_INTERVAL)
    assert me(in_second).status_code == 200  # B keeps the session alive: a write of last_seen_at
    with first.app_context():
        seen = db.session.scalar(sa.select(UserSession.last_seen_at).join(User).where(User.email == email))
    assert seen is not None and seen >= now
    assert generation(first) == before  # every cache stays filled

    # A last saw the session longer ago than the idle timeout; B has kept it alive since: A reads it again.
    long_ago = now - first.config["SESSION_IDLE_TIMEOUT"] - sessions.TOUCH_INTERVAL
    set_committed_value(snapshot_of(first, in_first), "last_seen_at", long_ago)
    assert me(in_first).status_code == 200
    assert snapshot_of(first, in_first).last_seen_at >= now
    with count_queries(first) as statements:
        assert me(in_first).status_code == 200
    assert len(statements) == 1 and "identity_generation" in statements[0]
