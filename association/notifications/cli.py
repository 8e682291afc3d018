"""`flask mail deliver` (send what the outbox still holds) and `flask mail digest` (the coordinators' daily digest)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from association.core.models import utcnow
from association.extensions import db
from association.notifications.delivery import DeliveryReport, deliver, release_stale_claims

mail_cli = AppGroup("mail", help="Notification e-mail: the outbox.")


def _finish(report: DeliveryReport) -> None:
    click.echo(f"{report.sent} message(s) sent, {report.deferred} left for a later run.")
    if report.error:
        click.echo(f"The mail server could not be reached: {report.error}", err=True)
    if report.failed:
        click.echo(f"Refused by the mail server (kept in the outbox, see /admin/mail): {', '.join(report.failed)}",
                   err=True)
    if report.error or report.failed or report.deferred:
        raise click.exceptions.Exit(1)


@mail_cli.command("deliver")
def deliver_command() -> None:
    """Send every pending message of the outbox (those the mail server did not take before), batch after batch
    while they go through. Exits 1 when some are left or were refused."""
    release_stale_claims()
    report = DeliveryReport()
    while True:
        batch = deliver()
        report.sent += batch.sent
        report.failed += batch.failed
        report.deferred, report.error = batch.deferred, batch.error
        if batch.error or not (batch.sent or batch.failed):
            break
    _finish(report)


@mail_cli.command("digest")
@click.option("--dry-run", is_flag=True, help="Count the digests, write and send nothing.")
def digest_command(dry_run: bool) -> None:
    """Write the coordinators' daily digest of the returns submitted since their previous one, and send it."""
    from association.notifications.digest import enqueue_submitted_digests

    messages = enqueue_submitted_digests(utcnow(), date.today())
    if dry_run:
        db.session.rollback()
        click.echo(f"{len(messages)} digest(s) would be sent.")
        return
    ids = [message.id for message in messages]
    db.session.commit()
    click.echo(f"{len(ids)} digest(s) written.")
    _finish(deliver(ids))
