"""`flask tasks notify [--dry-run]`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from association.extensions import db
from association.roadmap.notifications import send_task_digests

tasks_cli = AppGroup("tasks", help="Roadmap tasks.")


@tasks_cli.command("notify")
@click.option("--dry-run", is_flag=True, help="Count the digests without sending or marking anything.")
def notify_command(dry_run: bool) -> None:
    """E-mail each watcher and committee member one digest of the task changes they have not seen."""
    sent, failed = send_task_digests(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
        click.echo(f"{sent} digest(s) would be sent.")
        return
    db.session.commit()
    click.echo(f"{sent} digest(s) sent.")
    if failed:
        click.echo(f"Not sent (the SMTP server refused): {', '.join(failed)}", err=True)
        raise click.exceptions.Exit(1)
