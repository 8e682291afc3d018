"""`flask data dump --output FILE` and `flask data load FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from association.data.dump import DumpError, dump, load

data_cli = AppGroup("data", help="Back up, restore and move the whole database.")


@data_cli.command("dump")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The dump file (JSON lines; add .gz to compress).")
def dump_command(output: Path) -> None:
    """Write every table to a portable, versioned dump."""
    counts = dump(output)
    click.echo(f"Dumped {sum(counts.values())} rows of {len(counts)} tables to {output}.")


@data_cli.command("load")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_command(source: Path) -> None:
    """Load a dump into an empty database at the same schema revision (run `flask db upgrade` first)."""
    try:
        counts = load(source)
    except DumpError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"Loaded {sum(counts.values())} rows into {len(counts)} tables.")
