"""`flask users create …`."""

from __future__ import annotations

import secrets
import sys

import click
from flask.cli import AppGroup

from association.core.errors import ValidationFailed
from association.extensions import db
from association.users.models import Role
from association.users.operations import create_user

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name as shown in the interface.")
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]),
              help="A role (repeat for several).")
@click.option("--committee", "committees", multiple=True, help="A committee code (repeat for several).")
@click.option("--chair", is_flag=True, help="Chair of the given committees.")
@click.option("--library", help="Code of the library the user represents.")
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of standard input.")
def create_user_command(email: str, name: str, roles: tuple[str, ...], committees: tuple[str, ...], chair: bool,
                        library: str | None, password_stdin: bool) -> None:
    """Create a user; without --password-stdin a random password is made and printed once."""
    if password_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if password.endswith("\r"):
            password = password[:-1]
        generated = False
    else:
        password = secrets.token_urlsafe(12)
        generated = True
    try:
        user = create_user(email, name, password, list(roles), committees=[(c, chair) for c in committees],
                           library_code=library)
    except ValidationFailed as refused:
        db.session.rollback()
        for field, messages in refused.errors.items():
            for message in messages:
                click.echo(f"{field}: {message}", err=True)
        raise click.exceptions.Exit(1) from None
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(user.role_names)}).")
    if generated:
        click.echo(f"Password (shown once): {password}")
