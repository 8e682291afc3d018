"""`flask indicators load FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from association.core.errors import ValidationFailed
from association.extensions import db

indicators_cli = AppGroup("indicators", help="Indicators over the annual returns.")


@indicators_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_command(path: Path) -> None:
    """Load indicator definitions from YAML (new codes are added, existing ones updated); refused whole on error."""
    from association.indicators.definitions import load_indicators, parse_definitions

    try:
        added, updated = load_indicators(parse_definitions(path.read_text(encoding="utf-8")))
    except (ValidationFailed, UnicodeDecodeError) as problem:
        db.session.rollback()
        details = getattr(problem, "errors", None) or {"file": [str(problem)]}
        for name, messages in details.items():
            for message in messages:
                click.echo(f"{path.name}: {name}: {message}", err=True)
        raise click.exceptions.Exit(1) from None
    db.session.commit()
    click.echo(f"Indicators loaded: {added} added, {updated} updated.")
