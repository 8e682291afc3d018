"""Configuration classes, read from the environment (SPEC §3.3).

`ASSOCIATION_ENV` picks one of `production` (the default, e.g. under gunicorn), `development` (what `make run`
uses) or `testing`. Every setting a deployment may change is an environment variable named like the setting.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


class ConfigurationError(RuntimeError):
    """Raised at start-up when a setting the environment must provide is missing or wrong."""


class BaseConfig:
    ENV_NAME = "production"
    DEBUG = False
    TESTING = False

    # None means "SQLite in the instance folder"; create_app fills it in once the instance path is known.
    SQLALCHEMY_DATABASE_URI: str | None = None  # DATABASE_URL; None means SQLite in the instance folder
    # No `pool_pre_ping`: it cost every request a `SELECT 1` round trip before its first statement. Connections are
    # renewed after DATABASE_POOL_RECYCLE seconds instead (under the idle timeouts of firewalls and poolers), and
    # one found dead (the database restarted, its backend terminated) is invalidated with the whole pool on the
    # error (association.core.database.recognize_disconnects); a signed-in request retries its first statement on
    # a new connection (association.auth.identity.current_generation), so it does not fail.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False, "pool_recycle": 1800}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True  # SESSION_COOKIE_SECURE=0 turns it off for a plain-HTTP intranet
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # Server-side sessions (association.auth.sessions): SESSION_IDLE_HOURS, SESSION_ABSOLUTE_DAYS.
    SESSION_IDLE_TIMEOUT = timedelta(hours=8)
    SESSION_ABSOLUTE_LIFETIME = timedelta(days=30)

    # CSRF is checked centrally (association.core.permissions) so that bearer-token API calls can skip it.
    WTF_CSRF_CHECK_DEFAULT = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Uploads (annual-return spreadsheets) are at most 5 MB; anything larger is a 413.
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    API_MAX_JSON_BYTES = 1024 * 1024

    # Attached files (association.files): FILE_STORAGE_PATH (default `<instance>/files`), FILE_MAX_BYTES (20 MB);
    # a zip-based office file may declare at most this much uncompressed content, and at most this ratio.
    FILE_STORAGE_PATH: str | None = None
    FILE_MAX_BYTES = 20 * 1024 * 1024
    FILE_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
    FILE_MAX_COMPRESSION_RATIO = 100

    API_TOKEN_LIFETIME = timedelta(days=30)  # API_TOKEN_LIFETIME_DAYS
    PASSWORD_RESET_LIFETIME = timedelta(hours=2)  # how long a password-reset link works (once)

    # Failed-attempt counts (association.auth.throttle) live in the database, which every process shares;
    # RATELIMIT_STORAGE_URI=redis://… keeps them in Redis instead (through the `limits` library).
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True

    # Argon2id parameters (RFC 9106's second recommended option, argon2-cffi's defaults).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024
    ARGON2_PARALLELISM = 4

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    LANGUAGES = ("kk", "ru", "en")

    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_FROM = "roadmap@association.local"
    PUBLIC_URL = "http://127.0.0.1:5000"  # the address people open; links in e-mails start with it

    API_TITLE = "Association of University Libraries — Roadmap API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = None  # /api/v1/docs is served by our own page (no external CDN)

    SECRET_KEY: str | None = None

    # k: a peer distribution of fewer available values is not shown (INDICATOR_MIN_PEERS).
    INDICATOR_MIN_PEERS = 5

    # Settings read from the environment when the app is created (not at import, so tests can set them).
    ENVIRONMENT_SETTINGS: tuple[str, ...] = ("SECRET_KEY", "MAIL_SERVER", "MAIL_FROM", "PUBLIC_URL",
                                             "RATELIMIT_STORAGE_URI", "FILE_STORAGE_PATH")

    @classmethod
    def apply_environment(cls, config: dict) -> None:
        """Override the defaults with what the environment sets."""
        for name in cls.ENVIRONMENT_SETTINGS:
            if os.environ.get(name):
                config[name] = os.environ[name]
        if os.environ.get("DATABASE_URL"):
            config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
        if os.environ.get("MAIL_PORT"):
            config["MAIL_PORT"] = int(os.environ["MAIL_PORT"])
        if os.environ.get("DATABASE_POOL_RECYCLE"):
            config["SQLALCHEMY_ENGINE_OPTIONS"] = {**config["SQLALCHEMY_ENGINE_OPTIONS"],
                                                   "pool_recycle": int(os.environ["DATABASE_POOL_RECYCLE"])}
        if os.environ.get("SESSION_IDLE_HOURS"):
            config["SESSION_IDLE_TIMEOUT"] = timedelta(hours=float(os.environ["SESSION_IDLE_HOURS"]))
        if os.environ.get("SESSION_ABSOLUTE_DAYS"):
            config["SESSION_ABSOLUTE_LIFETIME"] = timedelta(days=float(os.environ["SESSION_ABSOLUTE_DAYS"]))
        if os.environ.get("INDICATOR_MIN_PEERS"):
            config["INDICATOR_MIN_PEERS"] = max(2, int(os.environ["INDICATOR_MIN_PEERS"]))
        if os.environ.get("FILE_MAX_BYTES"):
            config["FILE_MAX_BYTES"] = int(os.environ["FILE_MAX_BYTES"])
        if os.environ.get("API_TOKEN_LIFETIME_DAYS"):
            config["API_TOKEN_LIFETIME"] = timedelta(days=int(os.environ["API_TOKEN_LIFETIME_DAYS"]))
        secure = _flag("SESSION_COOKIE_SECURE", config["SESSION_COOKIE_SECURE"])
        config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = secure

    @classmethod
    def validate(cls, config: dict) -> None:
        """Refuse to start with settings that would be unsafe in this environment."""
        if not config.get("SECRET_KEY"):
            raise ConfigurationError(
                "SECRET_KEY is not set. In production the application refuses to start without it: "
                "set SECRET_KEY to a long random string (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)."
            )


class ProductionConfig(BaseConfig):
    """Served by gunicorn; SECRET_KEY must come from the environment."""


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    DEBUG = True
    SESSION_COOKIE_SECURE = False  # `make run` serves plain HTTP on 127.0.0.1

    @classmethod
    def validate(cls, config: dict) -> None:
        """In development a key is made once and kept in the instance folder, so sessions survive restarts."""
        if config.get("SECRET_KEY"):
            return
        key_file = Path(config["INSTANCE_PATH"]) / "secret_key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        config["SECRET_KEY"] = key_file.read_text().strip()


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    SESSION_COOKIE_SECURE = False
    RATELIMIT_ENABLED = False  # the throttling tests turn it on in an app of their own
    ENVIRONMENT_SETTINGS: tuple[str, ...] = ()

    @classmethod
    def apply_environment(cls, config: dict) -> None:
        """Tests take their database from TEST_DATABASE_URL and nothing else from the environment."""
        if os.environ.get("TEST_DATABASE_URL"):
            config["SQLALCHEMY_DATABASE_URI"] = os.environ["TEST_DATABASE_URL"]
    # Cheap hashing keeps the suite fast; the algorithm (Argon2id) is the same as in production.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1


CONFIGS: dict[str, type[BaseConfig]] = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}


def config_for(env_name: str | None = None) -> type[BaseConfig]:
    """The configuration class for ASSOCIATION_ENV (or the given name)."""
    name = (env_name or os.environ.get("ASSOCIATION_ENV") or "production").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigurationError(
            f"ASSOCIATION_ENV={name!r} is not one of: {', '.join(CONFIGS)}."
        ) from None
