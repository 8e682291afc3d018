"""Test set-up: one schema per session (SQLite file, or PostgreSQL from TEST_DATABASE_URL) with the reference
data loaded once, and one rolled-back transaction per test (the app's commits become savepoint releases)."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession

from association import create_app
from association.core.database import normalize_uri
from association.extensions import db
from association.seed.reference import load_reference_data

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks its engine by bind key and would ignore `bind=connection`."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):  # type: ignore[override]
        return bind or self.bind or super().get_bind(mapper=mapper, clause=clause, **kwargs)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """With FAIL_ON_SKIP=1 (set in CI) a skipped test fails the run: CI must run everything."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("FAIL_ON_SKIP") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped, and FAIL_ON_SKIP=1 forbids skips: {report.longrepr}"


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@contextmanager
def empty_database(directory: Path, prefix: str) -> Iterator[str]:
    """A new, empty database of the kind the suite runs on: a SQLite file, or a PostgreSQL database on the
    TEST_DATABASE_URL server, dropped afterwards."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        yield f"sqlite:///{directory / (prefix + '.sqlite3')}"
        return
    server = sa.make_url(normalize_uri(TEST_DATABASE_URL))
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def reset_schema(engine: sa.Engine) -> None:
    """Start from an empty database, whatever an earlier run left behind."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    else:
        db.metadata.drop_all(engine)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    os.environ["ASSOCIATION_INSTANCE_PATH"] = str(instance)
    application = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(tmp_path_factory))
    with application.app_context():
        reset_schema(db.engine)
        db.create_all()
        load_reference_data()
        db.session.commit()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test runs inside one outer transaction that is rolled back at the end."""
    if "app" not in request.fixturenames or request.node.get_closest_marker("real_commits"):
        yield
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session({
            "bind": connection, "join_transaction_mode": "create_savepoint", "class_": ConnectionBoundSession,
        })
    try:
        yield
    finally:
        with application.app_context():
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An application context for tests that call operations directly (not for tests using the client)."""
    with app.app_context():
        yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str) -> None:
    """Sign in through the HTML form, as a browser does."""
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def api_token(client: FlaskClient, email: str, password: str) -> dict[str, str]:
    """Authorization headers with a fresh bearer token."""
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def headers_for(app: Flask, client: FlaskClient, *roles, **kwargs) -> dict[str, str]:
    """A new user with these roles (committees=, library=) and bearer headers for them."""
    from tests.factories import make_user

    account = make_user(app, *roles, **kwargs)
    return api_token(client, account.email, account.password)
