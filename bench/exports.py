#!/usr/bin/env python
"""Export benchmark: the time and peak memory of every export at 1× and 10× the reference data.

    .venv/bin/python bench/exports.py [--scales 1 10] [--database-url URL]

Each scale gets a fresh SQLite database in a temporary folder (or the PostgreSQL database given, which is wiped),
built with the migrations, the reference data and `flask seed synthetic --scale N`. Each export then runs in a
process of its own, so the peak resident memory it reports is that export's alone. Prints a Markdown table, with
the CPU seconds beside the wall-clock ones (on a shared machine the CPU time is the steadier figure)."""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXPORTS = [("progress", "csv"), ("progress", "xlsx"), ("progress", "pdf"), ("returns", "csv"), ("returns", "xlsx"),
           ("library-progress", "csv"), ("library-progress", "xlsx")]


def run_one(kind: str, kind_format: str) -> dict:
    """Run one export in this process and measure it (called in a child process)."""
    from association import create_app
    from association.exports import documents
    from association.exports.scope import ExportScope

    app = create_app("development")
    scope = ExportScope(everything=True)
    before = memory_kb("VmRSS")
    with app.app_context(), app.test_request_context():
        started, cpu_started = time.perf_counter(), time.process_time()
        if kind_format == "csv":
            made = {"progress": lambda: documents.progress_csv(scope, None, None),
                    "returns": lambda: documents.returns_csv(scope, None),
                    "library-progress": lambda: documents.library_progress_csv(scope)}[kind]()
            size = sum(len(line.encode()) for line in made)
        elif kind_format == "pdf":
            size = len(documents.progress_pdf(scope, None, None))
        else:
            made = {"progress": lambda: documents.progress_xlsx(scope, None, None),
                    "returns": lambda: documents.returns_xlsx(scope, None),
                    "library-progress": lambda: documents.library_progress_xlsx(scope)}[kind]()
            size = len(made.read())
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak = memory_kb("VmHWM")
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_mb": peak / 1024, "growth_mb": (peak - before) / 1024, "bytes": size}


def memory_kb(field: str) -> int:
    """This process's resident memory now (VmRSS) or at its highest (VmHWM), in KB. Not getrusage's ru_maxrss:
    that keeps the high-water mark of the process this one was forked from (bench/run --all, which holds an app
    and its data), so every export would seem to peak at least there."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:  # not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE).group(1))  # type: ignore[union-attr]


def prepare(scale: int, env: dict) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "association"]
    for command in (["db", "upgrade"], ["seed"], ["seed", "synthetic", "--scale", str(scale)]):
        subprocess.run(flask + command, env=env, cwd=ROOT, check=True, capture_output=True)


def measure_all(env: dict) -> list[tuple[str, str, dict]]:
    """Every export, each in a process of its own, on the database `env` names (already prepared)."""
    measured = []
    for kind, kind_format in EXPORTS:
        result = subprocess.run([sys.executable, __file__, "--one", kind, kind_format], env=env, cwd=ROOT,
                                check=True, capture_output=True, text=True)
        measured.append((kind, kind_format, json.loads(result.stdout.strip().splitlines()[-1])))
    return measured


def table(rows: list[tuple[int, str, str, dict]]) -> str:
    lines = ["| scale | export | format | seconds | CPU seconds | peak RSS (MB) | growth (MB) | size (KB) |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    for scale, kind, kind_format, m in rows:
        lines.append(f"| {scale}× | {kind} | {kind_format} | {m['seconds']:.2f} | {m['cpu_seconds']:.2f} | "
                     f"{m['peak_mb']:.0f} | "
                     f"{m['growth_mb']:.0f} | {m['bytes'] / 1024:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL to use (wiped); default: SQLite")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one)))
        return
    rows = []
    for scale in args.scales:
        with tempfile.TemporaryDirectory() as instance:
            env = {**os.environ, "ASSOCIATION_ENV": "development", "ASSOCIATION_INSTANCE_PATH": instance,
                   "PYTHONPATH": str(ROOT)}
            if args.database_url:
                env["DATABASE_URL"] = args.database_url
                wipe(args.database_url)
            prepare(scale, env)
            rows += [(scale, kind, kind_format, m) for kind, kind_format, m in measure_all(env)]
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"Exports on {database}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}\n")
    print(table(rows))


def wipe(url: str) -> None:
    import sqlalchemy as sa

    from association.core.database import normalize_uri

    engine = sa.create_engine(normalize_uri(url))
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    main()
