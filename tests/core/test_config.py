"""Configuration from the environment (SPEC §3.3)."""

import pytest
import sqlalchemy as sa

from association import create_app
from config import ConfigurationError


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSOCIATION_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ASSOCIATION_ENV", raising=False)
    return monkeypatch


def test_production_is_the_default_and_refuses_to_start_without_secret_key(production_env):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app()


def test_production_with_secret_key(production_env):
    production_env.setenv("SECRET_KEY", "x" * 64)
    app = create_app()
    assert app.config["ENV_NAME"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["DEBUG"] is False


def test_secure_cookie_can_be_turned_off_for_plain_http(production_env):
    production_env.setenv("SECRET_KEY", "x" * 64)
    production_env.setenv("SESSION_COOKIE_SECURE", "0")
    assert create_app().config["SESSION_COOKIE_SECURE"] is False


def test_default_database_is_sqlite_in_the_instance_folder_with_wal_and_foreign_keys(production_env, tmp_path):
    production_env.setenv("SECRET_KEY", "x" * 64)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'association.sqlite3'}"
    from association.extensions import db

    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_database_url_selects_postgresql_with_psycopg3(production_env):
    production_env.setenv("SECRET_KEY", "x" * 64)
    production_env.setenv("DATABASE_URL", "postgresql://user@db.internal/association")
    app = create_app()
    assert sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).drivername == "postgresql+psycopg"
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"] == "-c jit=off"
    # No ping round trip before every request's first statement: connections are recycled, and renewed on error.
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_recycle"] == 1800


def test_the_pool_recycle_age_comes_from_the_environment(production_env):
    production_env.setenv("SECRET_KEY", "x" * 64)
    production_env.setenv("DATABASE_POOL_RECYCLE", "600")
    assert create_app().config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_recycle"] == 600


def test_the_connections_run_without_jit(app):
    """On PostgreSQL (the suite's TEST_DATABASE_URL) every connection has JIT off; SQLite has no such thing."""
    from association.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
        else:
            assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]


def test_development_makes_and_keeps_a_secret_key(production_env, tmp_path):
    production_env.setenv("ASSOCIATION_ENV", "development")
    first = create_app().config["SECRET_KEY"]
    assert first and first == create_app().config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_unknown_environment_name_is_a_clear_error(production_env):
    production_env.setenv("ASSOCIATION_ENV", "staging")
    with pytest.raises(ConfigurationError, match="staging"):
        create_app()


def test_security_headers(client):
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_production_sends_hsts_and_secure_cookies(production_env):
    production_env.setenv("SECRET_KEY", "x" * 64)
    app = create_app()
    with app.app_context():
        from association.extensions import db

        db.create_all()
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
