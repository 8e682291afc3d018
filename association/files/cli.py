"""`flask files check [--delete]`: files on disk without metadata, metadata without a file or without its owner."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from association.extensions import db
from association.files import storage
from association.files.models import StoredFile
from association.files.owners import RULES, rules_for

files_cli = AppGroup("files", help="The stored files.")


def find_orphans() -> dict[str, list[str]]:
    """Keys on disk that no row names, rows whose bytes are missing, rows whose owner no longer exists."""
    rows = db.session.execute(sa.select(StoredFile.id, StoredFile.storage_key, StoredFile.owner_type,
                                        StoredFile.owner_id)).all()
    known = {row.storage_key for row in rows}
    on_disk = set(storage.all_keys())
    existing: dict[str, set[int]] = {}
    for owner_type in RULES:
        model = rules_for(owner_type).model
        ids = {row.owner_id for row in rows if row.owner_type == owner_type}
        existing[owner_type] = set(db.session.scalars(sa.select(model.id).where(model.id.in_(ids)))) if ids else set()
    return {
        "unreferenced": sorted(on_disk - known),
        "missing": sorted(f"{row.id} {row.storage_key}" for row in rows if row.storage_key not in on_disk),
        "ownerless": sorted(f"{row.id} {row.owner_type.value}:{row.owner_id}" for row in rows
                            if row.owner_id not in existing.get(row.owner_type, set())),
    }


@files_cli.command("check")
@click.option("--delete", is_flag=True, help="Remove unreferenced files and the rows of ownerless ones.")
def check_command(delete: bool) -> None:
    """Find orphaned files; exit 1 when there are any (and --delete was not given)."""
    orphans = find_orphans()
    for kind, items in orphans.items():
        for item in items:
            click.echo(f"{kind}: {item}")
    if delete:
        for key in orphans["unreferenced"]:
            storage.remove(key)
        for item in orphans["ownerless"]:
            stored = db.session.get(StoredFile, int(item.split(" ", 1)[0]))
            if stored is not None:
                db.session.delete(stored)
        db.session.commit()
    total = sum(len(items) for items in orphans.values())
    click.echo(f"{total} problems found." if total else "All files are in order.")
    if total and not delete:
        raise click.exceptions.Exit(1)
