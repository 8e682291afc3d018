"""`flask returns remind [--dry-run]` and `flask forms load FILE`."""

from __future__ import annotations

from pathlib import Path

import click
import yaml
from flask.cli import AppGroup

from association.core.errors import ValidationFailed
from association.core.mail import finish_mailing
from association.extensions import db
from association.returns.reminders import send_reminders

returns_cli = AppGroup("returns", help="Annual returns.")
forms_cli = AppGroup("forms", help="Annual-return forms.")


@returns_cli.command("remind")
@click.option("--dry-run", is_flag=True, help="List the reminders without sending or recording them.")
def remind_command(dry_run: bool) -> None:
    """E-mail the libraries whose return is missing or returned and due within 14 days or overdue."""
    reminders, failed = send_reminders(dry_run=dry_run)
    for reminder in reminders:
        years = ", ".join(str(year) for year, _due, _status in reminder.years)
        click.echo(f"{reminder.library.code}: {years} -> {', '.join(u.email for u in reminder.recipients)}")
    finish_mailing(len(reminders) - len(failed), "reminder(s)", failed, dry_run=dry_run)


@forms_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_form_command(path: Path) -> None:
    """Load an annual-return form from a YAML definition (a new revision if the year is already in use)."""
    from association.returns.definitions import load_form

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        form, replaced = load_form(data)
    except (yaml.YAMLError, ValidationFailed) as problem:
        db.session.rollback()
        details = getattr(problem, "errors", None) or {"file": [str(problem)]}
        for name, messages in details.items():
            for message in messages:
                click.echo(f"{name}: {message}", err=True)
        raise click.exceptions.Exit(1) from None
    db.session.commit()
    click.echo(f"Form {form.year} revision {form.revision} loaded with {len(data['fields'])} fields and "
               f"{len(data.get('rules') or [])} rules" + (" (it replaced an unused revision)." if replaced else "."))
