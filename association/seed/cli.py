"""`flask seed [--demo]`."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from association.extensions import db
from association.seed.demo import load_demo
from association.seed.reference import load_reference_data

DEMO_LOGINS_FILE = "demo-logins.txt"


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also add demo users of every role and sample progress.")
@with_appcontext
def seed_command(demo: bool) -> None:
    """Load the reference data (idempotent); with --demo, demo users and sample progress."""
    created = load_reference_data()
    db.session.commit()
    if created:
        click.echo("Reference data added: " + ", ".join(f"{count} {kind}" for kind, count in sorted(created.items())))
    else:
        click.echo("Reference data already loaded; nothing changed.")
    if not demo:
        return
    logins = load_demo()
    db.session.commit()
    logins_file = Path(current_app.instance_path) / DEMO_LOGINS_FILE
    if logins:
        logins_file.parent.mkdir(parents=True, exist_ok=True)
        with logins_file.open("a", encoding="utf-8") as out:
            for email, password, roles in logins:
                out.write(f"{email}\t{password}\t{roles}\n")
        os.chmod(logins_file, 0o600)
        click.echo("\nDemo users (the passwords are shown once and kept in "
                   f"{logins_file}):")
        for email, password, roles in logins:
            click.echo(f"  {email:<26} {password:<18} {roles}")
    else:
        click.echo(f"Demo users already exist; their logins are in {logins_file}.")
