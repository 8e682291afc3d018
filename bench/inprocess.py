"""The in-process benchmark: CPU time per request inside the application (no network, no HTTP server), with
PostgreSQL's own CPU for the same requests read from its backend process, SQL statements per request, and a
profile of where the application's time goes, by part: framework, auth, driver, SQL build, ORM, serialization,
templates, the application's own code.

Two floors come first: a bare route that goes through every hook of the app (`floor`) and the same route for a
signed-in user (`signed-in floor`, by bearer token and by session cookie); each endpoint is then shown as CPU ms
per request (median of rounds), and its cost above the signed-in floor.

    .venv/bin/python bench/inprocess.py [--scales 1 10 30] [--requests 100] [--rounds 5] [--only TEXT…] [--output FILE]

It creates and drops a PostgreSQL database per scale (the README's PostgreSQL section), seeded with
`flask seed` and `flask seed synthetic --scale N`.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.server import new_postgresql_database  # noqa: E402

PASSWORD = "benchmark password 2026"

# (label, method, path, who, body): `who` is "anonymous", "token" (the coordinator's bearer token), "session" (the
# coordinator's browser session) or "rep" (NU's representative's bearer token); `body`, for a write, makes the
# n-th request's JSON body (each request a real change). A task PATCH sends the ETag the previous one answered.
ENDPOINTS: list[tuple[str, str, str, str, Callable[[int], dict] | None]] = [
    ("floor", "GET", "/bench/floor", "anonymous", None),
    ("signed-in floor (token)", "GET", "/api/v1/bench/signed-in", "token", None),
    ("signed-in floor (session)", "GET", "/bench/signed-in", "session", None),
    ("/healthz", "GET", "/healthz", "anonymous", None),
    ("/api/v1/me", "GET", "/api/v1/me", "token", None),
    ("/api/v1/progress", "GET", "/api/v1/progress", "token", None),
    ("/api/v1/tasks (50)", "GET", "/api/v1/tasks?per_page=50", "token", None),
    ("/api/v1/libraries (50)", "GET", "/api/v1/libraries?per_page=50", "token", None),
    ("/api/v1/committees", "GET", "/api/v1/committees", "token", None),
    ("return GET (NU 2024)", "GET", "/api/v1/libraries/{nu}/returns/2024", "rep", None),
    ("dashboard page", "GET", "/", "session", None),
    ("task list page", "GET", "/tasks", "session", None),
    ("task page", "GET", "/tasks/2", "session", None),
    ("library page (NU)", "GET", "/libraries/NU", "session", None),
    ("return PUT (NU 2024)", "PUT", "/api/v1/libraries/{nu}/returns/2024", "rep",
     lambda n: {"values": {"staff_total": 12 + n % 2}}),
    ("task PATCH", "PATCH", "/api/v1/tasks/2", "token",
     lambda n: {"progress_percent": 40 + n % 2, "comment": f"Benchmark update {n}"}),
]
COLD_FIGURES = "programme figures, cold (computed, no HTTP)"
COLD_PROGRESS = "/api/v1/progress, cold (figures cache emptied)"

# Where a frame's own time is counted: the first matching part of its file's path.
PARTS = [
    ("auth", ("association/auth/", "flask_login/", "argon2/")),
    ("templates", ("jinja2/", "markupsafe/", "templates/", "babel/", "flask_babel/", "wtforms/", "flask_wtf/")),
    ("serialization", ("marshmallow/", "flask_smorest/", "apispec/", "json/", "simplejson/")),
    ("driver", ("psycopg/", "psycopg_pool/", "psycopg_binary/")),
    ("SQL build", ("sqlalchemy/sql/", "sqlalchemy/engine/")),
    ("ORM", ("sqlalchemy/orm/", "sqlalchemy/util/", "sqlalchemy/event/", "flask_sqlalchemy/")),
    ("framework", ("flask/", "werkzeug/", "flask_limiter/", "limits/", "click/", "blinker/", "itsdangerous/")),
    ("application", ("association/",)),
]


def seed(env: dict[str, str], scale: int) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "association"]
    steps = [["db", "upgrade"], ["seed"], ["seed", "synthetic", "--scale", str(scale)]]
    for command in steps:
        done = subprocess.run(flask + command, env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    for email, role, extra in (("bench.coordinator@example.org", "coordinator", []),
                               ("bench.rep@example.org", "library_rep", ["--library", "NU"])):
        subprocess.run(flask + ["users", "create", email, "--name", email, "--role", role, *extra,
                                "--password-stdin"],
                       env=env, cwd=ROOT, check=True, capture_output=True, input=PASSWORD + "\n", text=True)


def build_app(env: dict[str, str]):
    """The production app on the benchmark's database, with the two floor routes added."""
    from association import create_app
    from association.core.permissions import PUBLIC, SIGNED_IN, access

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        app = create_app("production")
    finally:
        os.environ.clear()
        os.environ.update(saved)

    @access(PUBLIC)
    def floor() -> dict[str, str]:
        return {"status": "ok"}

    @access(SIGNED_IN)
    def signed_in() -> dict[str, str]:
        return {"status": "ok"}

    app.add_url_rule("/bench/floor", "bench_floor", floor)
    app.add_url_rule("/bench/signed-in", "bench_signed_in", signed_in)
    app.add_url_rule("/api/v1/bench/signed-in", "bench_api_signed_in", signed_in)  # bearer tokens serve /api only
    return app


def clients(app) -> dict[str, Any]:
    """A test client per kind of caller, signed in as the benchmark's users."""
    import re

    anonymous = app.test_client()
    token_of = {}
    for who, email in (("token", "bench.coordinator@example.org"), ("rep", "bench.rep@example.org")):
        answer = anonymous.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 201, answer.get_data(as_text=True)
        token_of[who] = answer.get_json()["token"]
    session = app.test_client()
    page = session.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = session.post("/login", data={"email": "bench.coordinator@example.org", "password": PASSWORD,
                                          "csrf_token": csrf})
    assert answer.status_code == 302, answer.status_code
    return {"anonymous": (anonymous, {}), "session": (session, {}),
            "token": (app.test_client(), {"Authorization": f"Bearer {token_of['token']}"}),
            "rep": (app.test_client(), {"Authorization": f"Bearer {token_of['rep']}"})}


def backend_cpu_ms(app) -> Callable[[], float]:
    """A reader of the CPU time the app's PostgreSQL backend process has used (the pool holds one connection
    here: the benchmark's requests are sequential)."""
    import sqlalchemy as sa

    from association.extensions import db

    with app.app_context():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.rollback()
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # PostgreSQL runs as another user or elsewhere: its CPU is not shown
            return float("nan")
        return (int(fields[11]) + int(fields[12])) * 1000.0 / ticks

    return read


class Caller:
    """Sends one endpoint's requests: a fresh body for each write, and the ETag of the previous answer as If-Match
    for a task PATCH (which requires one)."""

    def __init__(self, client, method: str, path: str, headers: dict, body: Callable[[int], dict] | None) -> None:
        self.client, self.method, self.path, self.headers, self.body = client, method, path, dict(headers), body
        self.sent = 0
        if method == "PATCH":
            self.headers["If-Match"] = client.get(path, headers=headers).headers["ETag"]

    def __call__(self):
        json_body = self.body(self.sent) if self.body else None
        self.sent += 1
        answer = self.client.open(self.path, method=self.method, headers=self.headers, json=json_body)
        answer.get_data()
        if self.method == "PATCH" and "ETag" in answer.headers:
            self.headers["If-Match"] = answer.headers["ETag"]
        return answer


def statements_per_request(app, send: Caller) -> int:
    from tests.querycount import count_queries

    with count_queries(app) as statements:
        send()
    return len(statements)


def profile_parts(send: Callable[[], Any], requests: int) -> dict[str, float]:
    """The share of the application's own time (tottime) spent in each part, from cProfile."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        send()
    profiler.disable()
    shares: dict[str, float] = defaultdict(float)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.items():
        part = next((name for name, prefixes in PARTS if any(p in filename for p in prefixes)), "other")
        shares[part] += tottime
    total = sum(shares.values()) or 1.0
    return {part: 100.0 * value / total for part, value in shares.items()}


def timed_rounds(send: Callable[[], Any], pg_cpu: Callable[[], float], requests: int, rounds: int,
                 before_each: Callable[[], None] = lambda: None) -> tuple[float, float]:
    """Median over rounds of the app's CPU ms and PostgreSQL's CPU ms per request (`before_each` untimed)."""
    app_ms, pg_ms = [], []
    for _ in range(rounds):
        app_total = pg_total = 0.0
        for _ in range(requests):
            before_each()
            pg_before, cpu_before = pg_cpu(), time.process_time()
            send()
            app_total += time.process_time() - cpu_before
            pg_total += pg_cpu() - pg_before
        app_ms.append(app_total * 1000.0 / requests)
        pg_ms.append(pg_total / requests)
    return statistics.median(app_ms), statistics.median(pg_ms)


def measure(app, scale: int, requests: int, rounds: int, nu_id: int, only: list[str]) -> list[dict[str, Any]]:
    callers = clients(app)
    pg_cpu = backend_cpu_ms(app)
    rep, rep_headers = callers["rep"]  # NU's return is started, as a representative would have done
    started = rep.put(f"/api/v1/libraries/{nu_id}/returns/2024", json={"values": {"staff_total": 12}},
                      headers=rep_headers)
    assert started.status_code == 200, started.get_data(as_text=True)
    rows = []
    for label, method, path, who, body in ENDPOINTS:
        if only and "floor" not in label and not any(text in label for text in only):
            continue
        client, headers = callers[who]
        try:
            send = Caller(client, method, path.format(nu=nu_id), headers, body)
            answer = send()
            assert answer.status_code < 300, (path, answer.status_code, answer.get_data(as_text=True)[:300])
        except Exception as error:  # noqa: BLE001 — one broken endpoint must not lose a long run's other rows
            print(f"{scale}× {label}: not measured: {error!r}", file=sys.stderr)
            rows.append({"scale": scale, "endpoint": f"{label} — **failed**", "app_ms": float("nan"),
                         "pg_ms": float("nan"), "statements": -1, "bytes": 0, "parts": {}})
            continue
        for _ in range(20):  # warm: caches filled, statements compiled
            send()
        app_ms, pg_ms = timed_rounds(send, pg_cpu, requests, rounds)
        rows.append({"scale": scale, "endpoint": label, "app_ms": app_ms, "pg_ms": pg_ms,
                     "statements": statements_per_request(app, send), "bytes": len(answer.get_data()),
                     "parts": profile_parts(send, max(20, requests // 4))})
    if not only or any(text in label for label in (COLD_FIGURES, COLD_PROGRESS) for text in only):
        rows += measure_cold(app, scale, callers["token"], pg_cpu, rounds)
    return rows


def measure_cold(app, scale: int, token_caller, pg_cpu: Callable[[], float], rounds: int) -> list[dict[str, Any]]:
    """The programme figures with their cache emptied before each computation: computed directly (what the issue's
    "cold programme figures" counts), and the /api/v1/progress request that has to compute them."""
    from datetime import date

    from association.progress.cache import figures_cache
    from association.progress.queries import compute_programme_summary
    from tests.querycount import count_queries

    cache = figures_cache(app)
    requests = 3 if scale >= 10 else 10

    def compute() -> None:
        with app.test_request_context():
            compute_programme_summary(None, date.today())

    client, headers = token_caller
    progress = Caller(client, "GET", "/api/v1/progress", headers, None)
    rows = []
    for label, send in ((COLD_FIGURES, compute), (COLD_PROGRESS, progress)):
        send()
        app_ms, pg_ms = timed_rounds(send, pg_cpu, requests, rounds, before_each=cache.clear)
        cache.clear()
        with count_queries(app) as statements:
            send()
        cache.clear()
        parts = profile_parts(lambda send=send: (cache.clear(), send()), requests)  # type: ignore[misc]
        rows.append({"scale": scale, "endpoint": label, "app_ms": app_ms, "pg_ms": pg_ms,
                     "statements": len(statements), "bytes": 0, "parts": parts})
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    part_names = [name for name, _ in PARTS] + ["other"]
    floors = {(row["scale"], row["endpoint"]): row["app_ms"] for row in rows}
    lines = ["| scale | endpoint | app CPU ms | PostgreSQL CPU ms | above signed-in floor | statements | bytes | "
             + " | ".join(f"{name} %" for name in part_names) + " |",
             "|---|---|---:|---:|---:|---:|---:|" + "---:|" * len(part_names)]
    for row in rows:
        floor = floors.get((row["scale"], "signed-in floor (token)"), 0.0)
        lines.append(
            f"| {row['scale']}× | {row['endpoint']} | {row['app_ms']:.2f} | {row['pg_ms']:.2f} | "
            f"{row['app_ms'] - floor:+.2f} | {row['statements']} | {row['bytes']:,} | "
            + " | ".join(f"{row['parts'].get(name, 0.0):.0f}" for name in part_names) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--requests", type=int, default=100, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", nargs="+", default=[], metavar="TEXT",
                        help="measure only the endpoints whose label contains one of these (the floors always)")
    parser.add_argument("--output", type=Path, help="also write the table (Markdown) to this file")
    args = parser.parse_args()
    rows = []
    for scale in args.scales:
        with new_postgresql_database("assoc_bench_inprocess") as url:
            env = {"DATABASE_URL": url, "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": "0",
                   "ASSOCIATION_ENV": "production"}
            seed({**os.environ, **env}, scale)
            app = build_app(env)
            import sqlalchemy as sa

            from association.extensions import db
            from association.libraries.models import MemberLibrary

            with app.app_context():
                nu_id = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == "NU"))
            # Outside any app context: each request gets its own context and session, as under gunicorn.
            started = time.perf_counter()
            rows += measure(app, scale, args.requests, args.rounds, nu_id, args.only)
            print(f"scale {scale}×: measured in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            with app.app_context():
                db.engine.dispose()
    output = table(rows)
    print(output)
    if args.output:
        args.output.write_text(output + "\n\n```json\n" + json.dumps(rows, indent=1) + "\n```\n")


if __name__ == "__main__":
    main()
