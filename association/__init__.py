"""The application factory: configuration, extensions, blueprints, the API, the CLI and error handlers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from config import BaseConfig, config_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def resource_root() -> Path:
    """Where templates/, static/ and migrations/ are: the source tree when the package runs from it (a clone,
    `pip install -e .`), else the copy a regular build puts inside the package (`pip install .`, see setup.py)."""
    if (PROJECT_ROOT / "templates").is_dir():
        return PROJECT_ROOT
    return Path(__file__).resolve().parent / "_resources"


def create_app(config: type[BaseConfig] | str | None = None, **overrides: Any) -> Flask:
    """Build the application for ASSOCIATION_ENV (or the given configuration), with optional overrides."""
    config_class = config if isinstance(config, type) else config_for(config)
    resources = resource_root()
    app = Flask(
        __name__,
        template_folder=str(resources / "templates"),
        static_folder=str(resources / "static"),
        # An installed copy keeps its instance folder in the working directory, not inside site-packages.
        instance_path=os.environ.get("ASSOCIATION_INSTANCE_PATH")
        or str((PROJECT_ROOT if resources == PROJECT_ROOT else Path.cwd()) / "instance"),
    )
    app.config.from_object(config_class)
    config_class.apply_environment(app.config)
    app.config.update(overrides)
    app.config["INSTANCE_PATH"] = app.instance_path
    config_class.validate(app.config)

    from association.core.database import default_sqlite_uri, engine_options, normalize_uri

    uri = app.config.get("SQLALCHEMY_DATABASE_URI") or default_sqlite_uri(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalize_uri(uri)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"],
                                                             app.config["SQLALCHEMY_ENGINE_OPTIONS"])

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from flask_sqlalchemy.session import Session as FlaskSession

    import association.models  # noqa: F401  (the whole schema, for Alembic and the audit hook)
    from association.audit import operations as audit
    from association.auth import identity, loaders
    from association.core import database, errors, etags, security
    from association.core.i18n import select_locale
    from association.core.permissions import enforce_declared_access
    from association.core.templating import init_templating
    from association.extensions import api, babel, csrf, db, login_manager, migrate
    from association.files import operations as stored_files
    from association.notifications import delivery as outbox
    from association.notifications import views as notification_views
    from association.progress import cache as figures

    db.init_app(app)
    # Ids in URLs are 32-bit: anything larger cannot exist, and must be a 404, never a database overflow.
    app.url_map.converters["int"] = BoundedIntegerConverter
    database.init_app(app, db)
    migrate.init_app(app, db, directory=str(resource_root() / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    login_manager.init_app(app)
    loaders.init_app(app)
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/auth/token"}
    )
    # Every operation needs one of these unless it says otherwise (the token endpoint and the description are public).
    api.spec.options["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]
    api.spec.components.security_scheme(
        "cookieAuth", {"type": "apiKey", "in": "cookie", "name": "session",
                       "description": "The browser session; unsafe methods also need the X-CSRFToken header"}
    )
    errors.init_app(app)
    security.init_app(app)
    etags.init_app(app)
    audit.install(FlaskSession)
    stored_files.install(FlaskSession)
    figures.install(app, FlaskSession)
    identity.install(app, FlaskSession)
    outbox.install(app, FlaskSession)
    notification_views.init_app(app)
    init_templating(app)
    # Runs after Flask-Login has been set up, before any view: the one place permissions are checked.
    app.before_request(enforce_declared_access)


from werkzeug.routing import IntegerConverter  # noqa: E402


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, url_map, fixed_digits=0, min=None, max=2_147_483_647, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _register_blueprints(app: Flask) -> None:
    from association.auth.api import blp as auth_api
    from association.auth.views import bp as auth_views
    from association.comments.api import blp as comments_api
    from association.comments.views import bp as discussion_views
    from association.committees.api import blp as committees_api
    from association.committees.views import bp as committees_views
    from association.documents.api import blp as documents_api
    from association.documents.api import committee_blp as committee_documents_api
    from association.documents.views import bp as documents_views
    from association.exports.api import blp as exports_api
    from association.exports.views import bp as exports_views
    from association.extensions import api
    from association.files.api import blp as files_api
    from association.indicators.api import blp as indicators_api
    from association.indicators.views import bp as indicators_views
    from association.libraries.api import blp as libraries_api
    from association.libraries.views import bp as libraries_views
    from association.main.views import bp as main_views
    from association.meetings.api import blp as meetings_api
    from association.meetings.api import committee_blp as committee_meetings_api
    from association.meetings.views import bp as meetings_views
    from association.notifications.views import bp as notifications_views
    from association.programme.api import blp as programmes_api
    from association.programme.views import bp as programme_views
    from association.progress.api import blp as progress_api
    from association.returns.api import blp as returns_api
    from association.returns.rollover import bp as rollover_views
    from association.returns.views import bp as returns_views
    from association.roadmap.api import blp as tasks_api
    from association.roadmap.views import bp as roadmap_views
    from association.users.api import blp as users_api
    from association.users.views import bp as users_views

    app.register_blueprint(main_views)
    app.register_blueprint(auth_views)
    app.register_blueprint(users_views)
    app.register_blueprint(roadmap_views)
    app.register_blueprint(committees_views)
    app.register_blueprint(libraries_views)
    app.register_blueprint(returns_views)
    app.register_blueprint(exports_views)
    app.register_blueprint(notifications_views)
    app.register_blueprint(indicators_views)
    app.register_blueprint(meetings_views)
    app.register_blueprint(documents_views)
    app.register_blueprint(discussion_views)
    app.register_blueprint(programme_views)
    app.register_blueprint(rollover_views)
    for blueprint in (auth_api, users_api, committees_api, tasks_api, libraries_api, progress_api, returns_api,
                      exports_api, files_api, comments_api, indicators_api, committee_meetings_api, meetings_api,
                      committee_documents_api, documents_api, programmes_api):
        api.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from association.data.cli import data_cli
    from association.exports.cli import export_command
    from association.files.cli import files_cli
    from association.indicators.cli import indicators_cli
    from association.notifications.cli import mail_cli
    from association.returns.cli import forms_cli, returns_cli
    from association.roadmap.cli import tasks_cli
    from association.seed.cli import seed_command
    from association.users.cli import users_cli

    app.cli.add_command(seed_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(tasks_cli)
    app.cli.add_command(returns_cli)
    app.cli.add_command(forms_cli)
    app.cli.add_command(export_command)
    app.cli.add_command(data_cli)
    app.cli.add_command(indicators_cli)
    app.cli.add_command(files_cli)
    app.cli.add_command(mail_cli)
