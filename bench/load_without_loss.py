#!/usr/bin/env python
"""Load without loss: gunicorn (4 workers) on PostgreSQL under a mixed load of reads, task updates and return saves
from 32 concurrent clients; then every acknowledged write must be in the database and its history, with no 5xx.

    .venv/bin/python bench/load_without_loss.py [--seconds 60] [--clients 32] [--database-url URL]

Without --database-url a database is created (and dropped) on the local PostgreSQL over its socket, as the tests do.
Prints the counts; exits non-zero when a write was lost or a 5xx was seen."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.server import gunicorn, new_postgresql_database  # noqa: E402

PASSWORD = "load without loss password"


class Client:
    """One keep-alive HTTP connection with a bearer token."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port, self.token = port, token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, body=None, headers=None):
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        payload = None if body is None else json.dumps(body)
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=payload, headers=all_headers)
                response = self.connection.getresponse()
                data = response.read()
                return response.status, dict(response.getheaders()), (json.loads(data) if data and
                                                                       response.getheader("Content-Type", "").endswith("json") else None)
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def prepare(env: dict) -> None:
    import flask_migrate

    from association import create_app
    from association.extensions import db
    from association.seed.reference import load_reference_data
    from association.users.operations import create_user

    os.environ.update(env)
    app = create_app("production")
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        load_reference_data()
        create_user("coordinator@load.test", "Load coordinator", PASSWORD, ["coordinator"])
        for code in ("NU", "ENU", "KAZNU", "SATBAYEV", "KBTU", "KIMEP", "AITU", "DULATY"):
            create_user(f"{code.lower()}@load.test", f"Load {code}", PASSWORD, ["library_rep"], library_code=code)
        db.session.commit()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    import sqlalchemy as sa

    with ExitStack() as stack:
        url = args.database_url or stack.enter_context(new_postgresql_database("assoc_load"))
        env = {"ASSOCIATION_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": url,
               "SESSION_COOKIE_SECURE": "0", "PYTHONPATH": str(ROOT)}
        prepare(env)
        port = stack.enter_context(gunicorn(env, workers=args.workers))
        tokens = {}
        for email in ["coordinator@load.test"] + [f"{c.lower()}@load.test" for c in
                                                  ("NU", "ENU", "KAZNU", "SATBAYEV", "KBTU", "KIMEP", "AITU", "DULATY")]:
            status, _h, body = Client(port).call("POST", "/api/v1/auth/token", {"email": email, "password": PASSWORD})
            assert status == 201, (status, body)
            tokens[email] = body["token"]
        coordinator = Client(port, tokens["coordinator@load.test"])
        tasks = [item["id"] for item in coordinator.call("GET", "/api/v1/tasks?per_page=200")[2]["items"]]
        libraries = {item["code"]: item["id"] for item in coordinator.call("GET", "/api/v1/libraries?per_page=200")[2]["items"]}
        reps = [(code, libraries[code], tokens[f"{code.lower()}@load.test"]) for code in
                ("NU", "ENU", "KAZNU", "SATBAYEV", "KBTU", "KIMEP", "AITU", "DULATY")]

        statuses: Counter = Counter()
        acknowledged_tasks: list[tuple[int, str]] = []
        acknowledged_returns: list[tuple[int, int, int]] = []  # (library id, version, users_registered)
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds

        def worker(number: int) -> None:
            rng = random.Random(number)
            reader = Client(port, tokens["coordinator@load.test"])
            code, library_id, token = reps[number % len(reps)]
            rep = Client(port, token)
            while time.monotonic() < deadline:
                roll = rng.random()
                if roll < 0.6:
                    path = rng.choice(["/api/v1/tasks?per_page=50", f"/api/v1/tasks/{rng.choice(tasks)}",
                                       "/api/v1/progress", f"/api/v1/libraries/{library_id}/progress"])
                    status, _h, _b = reader.call("GET", path)
                    with lock:
                        statuses[("read", status)] += 1
                elif roll < 0.85:
                    task_id = rng.choice(tasks)
                    status, headers, _b = reader.call("GET", f"/api/v1/tasks/{task_id}")
                    marker = f"load-{number}-{uuid.uuid4().hex[:10]}"
                    status, _h, _b = reader.call("PATCH", f"/api/v1/tasks/{task_id}", {"comment": marker},
                                                 {"If-Match": headers.get("ETag", "")})
                    with lock:
                        statuses[("task", status)] += 1
                        if status == 200:
                            acknowledged_tasks.append((task_id, marker))
                else:
                    value = rng.randrange(1, 10_000_000)
                    status, _h, body = rep.call("PUT", f"/api/v1/libraries/{library_id}/returns/2024",
                                                {"values": {"users_registered": value}})
                    with lock:
                        statuses[("return", status)] += 1
                        if status == 200:
                            acknowledged_returns.append((library_id, body["version"], value))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

        engine = sa.create_engine(url)
        lost = []
        with engine.connect() as connection:
            comments = set(connection.execute(sa.text("SELECT comment FROM task_history")).scalars())
            lost += [marker for _task, marker in acknowledged_tasks if marker not in comments]
            history_rows = connection.execute(sa.text("SELECT count(*) FROM task_history")).scalar()
            saves = connection.execute(sa.text("SELECT count(*) FROM return_history WHERE action = 'saved'")).scalar()
            finals = dict(connection.execute(sa.text(
                "SELECT library_id, values FROM annual_returns WHERE year = 2024")).all())
        engine.dispose()
        latest: dict[int, tuple[int, int]] = {}
        for library_id, version, value in acknowledged_returns:
            if library_id not in latest or version > latest[library_id][0]:
                latest[library_id] = (version, value)
        wrong_final = [library_id for library_id, (_v, value) in latest.items()
                       if (finals.get(library_id) or {}).get("users_registered") != value]
        server_errors = sum(count for (_kind, status), count in statuses.items() if status >= 500)

        print(f"Load without loss: {args.clients} clients, {args.workers} gunicorn workers, PostgreSQL, "
              f"{elapsed:.0f} s, {time.strftime('%Y-%m-%d')}\n")
        print("| requests | status | count |\n|---|---:|---:|")
        for (kind, status), count in sorted(statuses.items()):
            print(f"| {kind} | {status} | {count} |")
        print(f"\nrequests per second: {sum(statuses.values()) / elapsed:.0f}")
        print(f"task updates acknowledged: {len(acknowledged_tasks)}; history rows: {history_rows}; "
              f"acknowledged but missing: {len(lost)}")
        print(f"return saves acknowledged: {len(acknowledged_returns)}; 'saved' history rows: {saves}; "
              f"final values not the last acknowledged: {len(wrong_final)}")
        print(f"5xx responses: {server_errors}")
        ok = not lost and not wrong_final and server_errors == 0 and history_rows == len(acknowledged_tasks) \
            and saves == len(acknowledged_returns)
        print("\nRESULT:", "no write lost" if ok else "WRITES LOST OR SERVER ERRORS")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
