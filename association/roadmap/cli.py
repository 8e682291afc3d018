"""`flask tasks notify [--dry-run]`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from association.core.mail import finish_mailing
from association.roadmap.notifications import send_task_digests

tasks_cli = AppGroup("tasks", help="Roadmap tasks.")


@tasks_cli.command("notify")
@click.option("--dry-run", is_flag=True, help="Count the digests without sending or marking anything.")
def notify_command(dry_run: bool) -> None:
    """E-mail each watcher and committee member one digest of the task changes they have not seen."""
    sent, failed = send_task_digests(dry_run=dry_run)
    finish_mailing(sent, "digest(s)", failed, dry_run=dry_run)
