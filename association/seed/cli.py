"""`flask seed [--demo]`."""

from __future__ import annotations

import os
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from association.extensions import db
from association.seed.demo import load_demo
from association.seed.reference import load_reference_data

DEMO_LOGINS_FILE = "demo-logins.txt"
DEMO_MARKER_FILE = "demo-data"  # its presence puts the demo banner on every page


@click.group("seed", invoke_without_command=True)
@click.option("--demo", is_flag=True, help="Also add demo users of every role and sample progress.")
@click.pass_context
@with_appcontext
def seed_command(context: click.Context, demo: bool) -> None:
    """Load the reference data (idempotent); with --demo, demo users and sample progress."""
    if context.invoked_subcommand is not None:
        return
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
    _load_demo_history()
    marker = Path(current_app.instance_path) / DEMO_MARKER_FILE
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("This database holds demo data (flask seed --demo).\n", encoding="utf-8")
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


def _load_demo_history() -> None:
    """The closed 2022–2024 programme, the active 2025–2027 one and the returns of every year (once)."""
    from association.seed.demo_cycle import load_demo_cycle, load_demo_returns
    from association.users.models import User

    coordinator = db.session.scalars(sa.select(User).where(User.email == "coordinator@example.org")).first()
    admin = db.session.scalars(sa.select(User).where(User.email == "admin@example.org")).first()
    if coordinator is None or admin is None:
        return
    made = load_demo_returns(admin, coordinator)
    closed = load_demo_cycle(coordinator)
    db.session.commit()
    if made or closed:
        click.echo(f"Demo history added: {made} annual returns"
                   + ("; the 2022–2024 programme closed out into 2025–2027." if closed else "."))


@seed_command.command("synthetic")
@click.option("--scale", type=click.IntRange(1, 100), default=1, show_default=True,
              help="N × the real size (1× ≈ 120 libraries and 35 tasks).")
@click.option("--seed", "random_seed", type=int, default=2024, show_default=True, help="Random seed (deterministic).")
@with_appcontext
def synthetic_command(scale: int, random_seed: int) -> None:
    """Add synthetic libraries, tasks, history, progress and returns for benchmarks (after `flask seed`)."""
    import sys
    import time

    from association.seed.synthetic import make_synthetic

    load_reference_data()
    started = time.perf_counter()
    show = sys.stderr.isatty()
    with click.progressbar(length=6, label="Synthetic data", file=sys.stderr) if show else _Quiet() as bar:
        counts = make_synthetic(scale, random_seed, tick=lambda n: bar.update(1) if show else None)
    db.session.commit()
    # Tens of thousands of rows arrived at once: give the query planner statistics now rather than whenever
    # autovacuum gets to it (until then PostgreSQL plans as if the tables were small).
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    click.echo(", ".join(f"{count} {kind}" for kind, count in counts.items())
               + f" added in {time.perf_counter() - started:.1f} s.")


class _Quiet:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
