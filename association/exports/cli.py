"""`flask export progress|returns|library-progress --format csv|xlsx|pdf [--year Y] --output FILE`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from association.exports import documents
from association.exports.scope import ExportScope

EVERYTHING = ExportScope(everything=True)


@click.command("export")
@with_appcontext
@click.argument("kind", type=click.Choice(["progress", "returns", "library-progress"]))
@click.option("--format", "kind_format", type=click.Choice(["csv", "xlsx", "pdf"]), default="csv", show_default=True)
@click.option("--year", type=click.IntRange(2000, 2100))
@click.option("--committee", help="Committee code (progress only).")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(kind: str, kind_format: str, year: int | None, committee: str | None, output: Path) -> None:
    """Write an export to a file (everything: the command line runs with the administrator's view)."""
    if kind_format == "pdf" and kind != "progress":
        raise click.BadParameter("PDF is made for the progress summary only.", param_hint="--format")
    show_bar = sys.stderr.isatty()
    with (click.progressbar(length=_expected_rows(kind, year), label=f"Exporting {kind}", file=sys.stderr)
          if show_bar else _NoBar()) as bar:
        tick = (lambda: bar.update(1)) if show_bar else (lambda: None)
        if kind_format == "csv":
            lines = {"progress": lambda: documents.progress_csv(EVERYTHING, year, committee),
                     "returns": lambda: documents.returns_csv(EVERYTHING, year),
                     "library-progress": lambda: documents.library_progress_csv(EVERYTHING)}[kind]()
            with output.open("w", encoding="utf-8", newline="") as handle:
                for line in lines:
                    handle.write(line)
                    tick()
        elif kind_format == "pdf":
            output.write_bytes(documents.progress_pdf(EVERYTHING, year, committee))
        else:
            made = {"progress": lambda: documents.progress_xlsx(EVERYTHING, year, committee, on_row=tick),
                    "returns": lambda: documents.returns_xlsx(EVERYTHING, year, on_row=tick),
                    "library-progress": lambda: documents.library_progress_xlsx(EVERYTHING, on_row=tick)}[kind]()
            with output.open("wb") as handle:
                shutil.copyfileobj(made, handle)
            made.close()
    click.echo(f"Wrote {output} ({output.stat().st_size} bytes).")


def _expected_rows(kind: str, year: int | None) -> int:
    """About how many rows the export has, for the progress bar."""
    import sqlalchemy as sa

    from association.extensions import db
    from association.libraries.models import MemberLibrary
    from association.returns.models import ReturnForm
    from association.roadmap.models import RoadmapTask

    libraries = db.session.scalar(sa.select(sa.func.count(MemberLibrary.id))) or 0
    years = 1 if year else (db.session.scalar(sa.select(sa.func.count(sa.distinct(ReturnForm.year)))) or 0)
    tasks = db.session.scalar(sa.select(sa.func.count(RoadmapTask.id))) or 0
    return {"progress": tasks + libraries + libraries * years, "returns": libraries * years,
            "library-progress": libraries}[kind] + 1


class _NoBar:
    """No progress bar when the output is not a terminal (CI, cron)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
