#!/usr/bin/env python
"""Indicator benchmark: computing every indicator for every library and year, cold, at 1× and 10× the reference data.

    .venv/bin/python bench/indicators.py [--scales 1 10] [--database-url URL] [--repeat 5]

Each scale gets a fresh SQLite database in a temporary folder (or the PostgreSQL database given, which is wiped),
built with the migrations, `flask seed` and `flask seed synthetic --scale N` (10× = 1,200 libraries × 3 years of
accepted returns). The measurement runs in a process of its own: "cold" is `compute_table()` — reading every
accepted return and evaluating every indicator, exactly what the first read after a change does — in a new process
(after its one-time ORM set-up) on a new session; "warm" is the next read, served from the cache; "benchmark" is one library's benchmark
(statistics over its size band) on the warm table. The target is cold < 1 s at 10×. Prints a Markdown table."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 1.0


def run_one(repeat: int) -> dict:
    """Measure in this (fresh) process: the first cold computation, the median of `repeat` more, warm reads."""
    import sqlalchemy as sa

    from association import create_app
    from association.extensions import db
    from association.indicators.queries import benchmark, resolve_group
    from association.indicators.values import compute_table, value_table
    from association.libraries.models import MemberLibrary
    from association.users.models import Role, User, UserRole

    app = create_app("development")
    with app.app_context(), app.test_request_context():
        # The process's one-time ORM set-up (mapper configuration, the first connection) is not the indicators'.
        sa.orm.configure_mappers()
        db.session.execute(sa.text("SELECT 1"))
        db.session.remove()
        started = time.perf_counter()
        table = compute_table()
        first = time.perf_counter() - started
        colds = []
        for _ in range(repeat):
            db.session.remove()  # a new session and transaction: nothing kept from the last run
            started = time.perf_counter()
            compute_table()
            colds.append(time.perf_counter() - started)
        value_table()  # fills the cache
        started = time.perf_counter()
        value_table()
        warm = time.perf_counter() - started
        user = db.session.scalars(sa.select(User).join(UserRole).where(UserRole.role == Role.COORDINATOR)).first()
        library = db.session.scalars(sa.select(MemberLibrary).order_by(MemberLibrary.id)).first()
        seconds_benchmark = None
        if user is not None and library is not None:
            spec = resolve_group("size", user)
            started = time.perf_counter()
            benchmark(library, None, spec, user)
            seconds_benchmark = time.perf_counter() - started
    values = len(table.returns) * len(table.indicators)
    return {"returns": len(table.returns), "libraries": len({library for library, _year in table.returns}),
            "years": len(table.years), "indicators": len(table.indicators), "values": values, "first": first,
            "cold": statistics.median(colds) if colds else first, "warm": warm, "benchmark": seconds_benchmark}


def prepare(scale: int, env: dict) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "association"]
    for command in (["db", "upgrade"], ["seed"], ["seed", "synthetic", "--scale", str(scale)]):
        subprocess.run(flask + command, env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(flask + ["users", "create", "bench-coordinator@example.org", "--name", "Bench",
                            "--role", "coordinator"], env=env, cwd=ROOT, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL to use (wiped); default: SQLite")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one)))
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
            result = subprocess.run([sys.executable, __file__, "--one", str(args.repeat)], env=env, cwd=ROOT,
                                    check=True, capture_output=True, text=True)
            rows.append((scale, json.loads(result.stdout.strip().splitlines()[-1])))
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"Indicators on {database}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}\n")
    print("| scale | libraries × years | returns | indicators | values | first cold (s) | cold, median (s) "
          "| warm (ms) | one benchmark (ms) | cold < 1 s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for scale, m in rows:
        bench_ms = f"{m['benchmark'] * 1000:.1f}" if m["benchmark"] is not None else "—"
        print(f"| {scale}× | {m['libraries']} × {m['years']} | {m['returns']} | {m['indicators']} | {m['values']} | "
              f"{m['first']:.3f} | {m['cold']:.3f} | {m['warm'] * 1000:.2f} | {bench_ms} | "
              f"{'yes' if max(m['first'], m['cold']) < TARGET_SECONDS else 'NO'} |")


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
