"""Alembic environment for Flask-Migrate. Migrations render our column types as plain SQLAlchemy types, so a
migration never imports application code that may change after it was written."""

import logging
import sys
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from flask import current_app

sys.path.insert(0, str(Path(__file__).resolve().parent))
from env_helpers import render_item  # noqa: E402

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def process_revision_directives(context_, revision, directives):
    """An autogenerate run that finds no change writes no empty migration."""
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")


def run_migrations_offline():
    context.configure(url=str(target_db.engine.url), target_metadata=target_db.metadata, literal_binds=True,
                      render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection, conf_args)
        return
    with target_db.engine.connect() as connection:
        _run(connection, conf_args)


def _run(connection, conf_args):
    context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
