"""`flask data dump` / `flask data load`: every table, as JSON lines (gzip when the file name ends in .gz).

The first line says what the file is, its format version and the schema revision (Alembic head) it was made at; then
one line per row, in dependency order: {"t": table, "r": {column: value}}. Dates, times and decimals are written as
ISO strings and read back by the column's type, so a dump made on SQLite loads into PostgreSQL and the other way.
After the rows come the stored files' bytes (format 2): {"f": storage key, "c": base64 chunk}, a file's chunks in
order, so that a move keeps the attachments with their metadata."""

from __future__ import annotations

import base64
import gzip
import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, cast

import sqlalchemy as sa
from alembic.migration import MigrationContext

import association.models  # noqa: F401  (every table in the metadata)
from association.auth.identity import bump_generation as bump_identity_generation
from association.core.models import UTCDateTime
from association.extensions import db
from association.progress.cache import bump_generation

KIND = "association-dump"
FORMAT_VERSION = 2
LOADABLE_FORMATS = (1, 2)
FILE_CHUNK = 1024 * 1024
STORAGE_KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}")


class DumpError(ValueError):
    """The file is not a dump this version can load, or the target database is not ready for it."""


def _open(path: Path, mode: str) -> IO[str]:
    if path.suffix == ".gz":
        return cast(IO[str], gzip.open(path, mode + "t", encoding="utf-8"))
    return path.open(mode, encoding="utf-8")


def _revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


# Bookkeeping that every database has its own of (the figures' and identities' generations are given new values
# after a load).
NOT_DUMPED = frozenset({"figure_generation", "identity_generation"})


def tables() -> list[sa.Table]:
    return [table for table in db.metadata.sorted_tables if table.name not in NOT_DUMPED]


def dump(path: Path, tick=lambda table, count: None) -> dict[str, int]:
    """Write every row of every table; answers the row count per table."""
    counts: dict[str, int] = {}
    with db.engine.connect() as connection, _open(path, "w") as out:
        out.write(json.dumps({"kind": KIND, "format": FORMAT_VERSION, "revision": _revision(connection),
                              "tables": [t.name for t in tables()]}) + "\n")
        for table in tables():
            counts[table.name] = 0
            query = sa.select(table).order_by(*table.primary_key.columns)
            for row in connection.execution_options(yield_per=1000).execute(query).mappings():
                out.write(json.dumps({"t": table.name, "r": {k: _encode(v) for k, v in row.items()}},
                                     ensure_ascii=False) + "\n")
                counts[table.name] += 1
            tick(table.name, counts[table.name])
        _dump_files(connection, out)
    return counts


def _dump_files(connection: sa.Connection, out: IO[str]) -> int:
    """Append the bytes of every stored file; answers how many were written (a file missing on disk is skipped,
    and `flask files check` names it)."""
    from association.files import storage
    from association.files.models import StoredFile

    written = 0
    for key in connection.execute(sa.select(StoredFile.storage_key).order_by(StoredFile.id)).scalars():
        path = storage.path_for(key)
        if not path.is_file():
            continue
        with path.open("rb") as source:
            while chunk := source.read(FILE_CHUNK):
                out.write(json.dumps({"f": key, "c": base64.b64encode(chunk).decode()}) + "\n")
        written += 1
    return written


def _decoder(column: sa.Column):
    kind = column.type
    if isinstance(kind, UTCDateTime) or isinstance(kind, sa.DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(kind, sa.Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return lambda v: None if v is None else Decimal(v)
    return lambda v: v


def _rows(lines: Iterator[str], files: dict[str, IO[bytes]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The rows of the dump; the file chunks met on the way are written to the storage folder."""
    from association.files import storage

    for number, line in enumerate(lines, start=2):
        try:
            item = json.loads(line)
            if "f" in item:
                key = str(item["f"])
                if key not in files:
                    if not STORAGE_KEY.fullmatch(key):
                        raise ValueError(key)
                    target = storage.path_for(key)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    files[key] = target.open("wb")
                files[key].write(base64.b64decode(item["c"]))
                continue
            yield item["t"], item["r"]
        except (ValueError, KeyError, TypeError):
            raise DumpError(f"Line {number} is not a row of a dump.") from None


def load(path: Path, tick=lambda table, count: None) -> dict[str, int]:
    """Load a dump into an empty database migrated to the same revision; answers the row count per table."""
    by_name = {table.name: table for table in tables()}
    decoders = {name: {c.name: _decoder(c) for c in table.columns} for name, table in by_name.items()}
    counts: dict[str, int] = {}
    with _open(path, "r") as source, db.engine.begin() as connection:
        try:
            header = json.loads(source.readline())
        except ValueError:
            raise DumpError("This file is not a dump of this application.") from None
        if not isinstance(header, dict) or header.get("kind") != KIND:
            raise DumpError("This file is not a dump of this application.")
        if header.get("format") not in LOADABLE_FORMATS:
            raise DumpError(f"Dump format {header.get('format')} cannot be loaded by this version ({FORMAT_VERSION}).")
        if header.get("revision") != _revision(connection):
            raise DumpError(f"The dump was made at schema revision {header.get('revision')}; this database is at "
                            f"{_revision(connection)}. Run `flask db upgrade` on both first.")
        for table in tables():
            if connection.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                raise DumpError(f"The database is not empty (table {table.name} has rows); load into a new one.")
        batch: list[dict[str, Any]] = []
        current: str | None = None

        def flush() -> None:
            if batch and current is not None:
                connection.execute(sa.insert(by_name[current]), batch)
                counts[current] = counts.get(current, 0) + len(batch)
                batch.clear()

        files: dict[str, IO[bytes]] = {}
        for name, row in _rows(source, files):
            if name not in by_name:
                raise DumpError(f"Unknown table {name!r} in the dump.")
            if name != current:
                flush()
                if current is not None:
                    tick(current, counts.get(current, 0))
                current = name
            batch.append({column: decoders[name][column](value) for column, value in row.items()})
            if len(batch) >= 1000:
                flush()
        flush()
        for handle in files.values():
            handle.close()
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)
        bump_generation(connection)  # the rows went in beside the session: cached figures must go
        bump_identity_generation(connection)  # and so must cached identities
    return counts


def _reset_sequences(connection: sa.Connection) -> None:
    """After explicit ids were inserted, PostgreSQL's sequences must continue after the largest one."""
    for table in tables():
        if "id" in table.columns and table.columns["id"].autoincrement is not False:
            connection.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            ))
