"""The benchmark. Two modes:

    bench/run --all [--scales 1 10 30] [--seconds 4] [--requests 20] [--rounds 5] [--no-exports] [--output FILE]

one run that reports both views at each scale, on one PostgreSQL database per scale (seeded once, with
`flask seed synthetic --scale N`): the in-process CPU table per endpoint (bench/inprocess.py: the floor and the
signed-in floor as rows, SQL statements, the profile by part), then gunicorn (4 workers) loaded by wrk (16
connections) endpoint by endpoint, then every export (bench/exports.py); and last the goals of issue 17, each
marked met or missed. Paste-ready Markdown, printed and written to `--output` (default bench/out/RESULTS-run.md, not tracked).

    bench/run [--seconds 5] [--scales 1 10] [--databases postgresql sqlite] [--no-exports]

the load table alone, on PostgreSQL and SQLite (as before issue 17), with the older targets relative to /healthz.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.server import gunicorn, new_postgresql_database  # noqa: E402

PASSWORD = "benchmark password 2026"

TARGETS = {1: (0.40, 100.0), 10: (0.30, 250.0)}  # scale: (share of baseline throughput, p99 ms)

# wrk's script for the return PUT: each request saves the 2024 return of a library picked at random.
PUT_SCRIPT = """
local ids = {%(ids)s}
local body = %(body)s
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end
function init(args)
  math.randomseed(os.time() * 100 + seed)
end
request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("PUT", "/api/v1/libraries/" .. id .. "/returns/2024", nil, body)
end
"""


def prepare(env: dict, scale: int) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "association"]
    for command in (["db", "upgrade"], ["seed"], ["seed", "synthetic", "--scale", str(scale)]):
        done = subprocess.run(flask + command, env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    for email, role, extra in (("bench.coordinator@example.org", "coordinator", []),
                               ("bench.rep@example.org", "library_rep", ["--library", "NU"]),
                               ("bench.admin@example.org", "admin", [])):
        subprocess.run(flask + ["users", "create", email, "--name", email, "--role", role, *extra, "--password-stdin"],
                       env=env, cwd=ROOT, check=True, capture_output=True, input=PASSWORD + "\n", text=True)


def call(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.getheaders(), response.read()


def token(port: int, email: str) -> str:
    import json

    status, _h, body = call(port, "POST", "/api/v1/auth/token", json.dumps({"email": email, "password": PASSWORD}),
                            {"Content-Type": "application/json"})
    assert status == 201, body
    return json.loads(body)["token"]


def session_cookie(port: int, email: str) -> str:
    status, headers, body = call(port, "GET", "/login")
    cookie = next(v for k, v in headers if k.lower() == "set-cookie").split(";")[0]
    csrf = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    from urllib.parse import urlencode

    status, headers, _b = call(port, "POST", "/login", urlencode({"email": email, "password": PASSWORD,
                                                                   "csrf_token": csrf}),
                               {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    assert status == 302, status
    return next(v for k, v in headers if k.lower() == "set-cookie").split(";")[0]


def wrk(url: str, seconds: int, headers: dict, script: str | None = None) -> dict:
    # A 10 s timeout: on a loaded machine a slow answer is counted in the latencies rather than dropped.
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", script]
    output = subprocess.run(command + [url], capture_output=True, text=True).stdout
    if not re.search(r"Requests/sec:\s+([\d.]+)", output):  # wrk failed: the row shows "no answer"
        return {"rps": 0.0, "p50": 0.0, "p99": 0.0, "non2xx": 0, "socket_errors": 0, "requests": 0}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def latency(label: str) -> float:
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    answered = re.search(r"(\d+) requests in", output)
    return {"rps": rps, "p50": latency("50"), "p99": latency("99"), "non2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": sum(map(int, sockets.groups())) if sockets else 0,
            "requests": int(answered.group(1)) if answered else 0}


def query_counts(env: dict, paths: list[tuple[str, str, str | None, dict]]) -> list[str]:
    """SQL statements per request, counted in process against the same database: the steady count, and the
    first request's where it differs (a cold figures cache)."""
    from association import create_app
    from tests.querycount import count_queries

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        app = create_app("production")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    client = app.test_client()
    counts = []
    for method, path, body, headers in paths:
        headers = dict(headers)
        if "Cookie" in headers:  # the test client keeps cookies in its own jar
            name, _, value = headers.pop("Cookie").partition("=")
            client.set_cookie(name, value)
        each = []
        for _ in range(2):  # the first request may fill the figures cache; the second is what a loaded server does
            with count_queries(app) as statements:
                response = client.open(path, method=method, data=body, headers=headers)
                response.get_data()
            each.append(len(statements) if response.status_code < 300 else -response.status_code)
        if min(each) < 0:  # an error answer: its statements mean nothing
            counts.append(f"answered {-min(each)}")
        else:
            counts.append(str(each[1]) if each[0] == each[1] else f"{each[1]} ({each[0]} cold)")
    with app.app_context():
        from association.extensions import db

        db.engine.dispose()
    return counts


def load_endpoints(port: int, instance: str) -> tuple[list[tuple[str, str, str, str | None, dict]], str]:
    """The endpoints wrk loads, as (label, method, path, body, headers), and wrk's script for the return PUT."""
    bearer = {"Authorization": f"Bearer {token(port, 'bench.coordinator@example.org')}"}
    rep = {"Authorization": f"Bearer {token(port, 'bench.rep@example.org')}", "Content-Type": "application/json"}
    cookie = {"Cookie": session_cookie(port, "bench.coordinator@example.org")}
    task_id = 2
    _s, _h, body = call(port, "GET", "/api/v1/libraries?code=NU", headers=bearer)
    nu = json.loads(body)["items"][0]["id"]
    put_body = json.dumps({"values": {"users_registered": 6100, "visits_physical": 180000}})
    call(port, "PUT", f"/api/v1/libraries/{nu}/returns/2024", put_body, rep)
    # The PUT load saves the returns of many libraries (as the admin, who may edit any), not one return
    # sixteen times at once: concurrent saves of one return take turns on its row, which a benchmark of
    # throughput should not measure.
    admin = {"Authorization": f"Bearer {token(port, 'bench.admin@example.org')}",
             "Content-Type": "application/json"}
    _s, _h, body = call(port, "GET", "/api/v1/libraries?status=active&per_page=100", headers=admin)
    writable = [library for library in (item["id"] for item in json.loads(body)["items"])  # drafts only
                if call(port, "PUT", f"/api/v1/libraries/{library}/returns/2024", put_body, admin)[0] == 200]
    script = Path(instance) / "put.lua"
    script.write_text(PUT_SCRIPT % {"ids": ", ".join(map(str, writable)), "body": json.dumps(put_body)})
    endpoints = [
        ("baseline /healthz", "GET", "/healthz", None, {}),
        ("reference: sign-in only (/api/v1/me)", "GET", "/api/v1/me", None, bearer),
        ("task list", "GET", "/api/v1/tasks", None, bearer),
        ("task page", "GET", f"/tasks/{task_id}", None, cookie),
        ("progress JSON", "GET", "/api/v1/progress", None, bearer),
        ("dashboard", "GET", "/", None, cookie),
        ("library list", "GET", "/api/v1/libraries", None, bearer),
        ("committees", "GET", "/api/v1/committees", None, bearer),
        ("return GET", "GET", f"/api/v1/libraries/{nu}/returns/2024", None, rep),
        ("task list page", "GET", "/tasks", None, cookie),
        ("library page", "GET", "/libraries/NU", None, cookie),
        ("return PUT", "PUT", f"/api/v1/libraries/{nu}/returns/2024", put_body, admin),
    ]
    return endpoints, str(script)


def load(env: dict, instance: str, seconds: int) -> list[tuple[str, dict, str]]:
    """gunicorn on the prepared database `env` names, each endpoint loaded by wrk for `seconds`: (label, wrk's
    figures, SQL statements per request)."""
    with gunicorn(env) as port:
        endpoints, script = load_endpoints(port, instance)
        for _label, method, path, _body, headers in endpoints:  # warm-up, not recorded: every worker
            wrk(f"http://127.0.0.1:{port}{path}", 1, headers,   # connects, loads its templates, caches
                script if method == "PUT" else None)
        results = []
        for label, method, path, _body, headers in endpoints:
            measured = wrk(f"http://127.0.0.1:{port}{path}", seconds, headers, script if method == "PUT" else None)
            results.append((label, measured))
        time.sleep(3)  # requests wrk left queued finish (their commits would empty the figures cache mid-count)
        counts = query_counts(env, [(m, p, b, h) for _l, m, p, b, h in endpoints])
    return [(label, measured, count) for (label, measured), count in zip(results, counts, strict=True)]


def server_env(instance: str) -> dict:
    inherited = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return {**inherited, "ASSOCIATION_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
            "SESSION_COOKIE_SECURE": "0", "ASSOCIATION_INSTANCE_PATH": instance, "PYTHONPATH": str(ROOT)}


def run_one(database: str, scale: int, seconds: int) -> list[tuple]:
    with ExitStack() as stack:
        instance = stack.enter_context(tempfile.TemporaryDirectory())
        env = server_env(instance)
        if database == "postgresql":
            env["DATABASE_URL"] = stack.enter_context(new_postgresql_database("assoc_bench"))
        prepare(env, scale)
        rows = load(env, instance, seconds)
        baseline = rows[0][1]["rps"]
        return [(database, scale, label, m, m["rps"] / baseline, count) for label, m, count in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--all", action="store_true", help="both views and the issue's goals at 1×, 10×, 30×")
    parser.add_argument("--seconds", type=int, default=None, help="wrk's duration per endpoint (4; 5 without --all)")
    parser.add_argument("--scales", type=int, nargs="+", default=None, help="default: 1 10 30 (1 10 without --all)")
    parser.add_argument("--databases", nargs="+", default=["postgresql", "sqlite"])
    parser.add_argument("--requests", type=int, default=20, help="--all: in-process requests per round")
    parser.add_argument("--rounds", type=int, default=5, help="--all: in-process rounds (their median is shown)")
    parser.add_argument("--no-exports", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "out" / "RESULTS-run.md")
    args = parser.parse_args()
    if args.all:
        from bench.all import run_all

        text = run_all(args.scales or [1, 10, 30], args.seconds or 4, args.requests, args.rounds,
                       exports=not args.no_exports)
    else:
        text = load_report(args.scales or [1, 10], args.seconds or 5, args.databases, not args.no_exports)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"(written to {args.output})", file=sys.stderr)


def load_report(scales: list[int], seconds: int, databases: list[str], exports: bool) -> str:
    rows = []
    for database in databases:
        for scale in scales:
            rows += run_one(database, scale, seconds)
    lines = ["# Benchmark results\n",
             f"`bench/run` on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}: gunicorn 4 workers, wrk with 16 "
             f"connections for {seconds} s per endpoint; SQL queries counted in process.\n",
             "| database | scale | endpoint | req/s | p50 ms | p99 ms | queries | vs baseline | target met |",
             "|---|---|---|---:|---:|---:|---:|---:|---|"]
    missed = []
    for database, scale, label, m, ratio, count in rows:
        share, p99_limit = TARGETS.get(scale, (0, float("inf")))
        reference = label.startswith(("baseline", "reference"))  # measured for comparison; no target
        problems = [] if reference else [
            *([f"{ratio:.0%} of the baseline (target {share:.0%})"] if ratio < share else []),
            *([f"p99 {m['p99']:.0f} ms (target < {p99_limit:.0f} ms)"] if m["p99"] >= p99_limit else []),
            *([f"{m['non2xx']} error responses"] if m["non2xx"] else []),
        ]
        met = "—" if reference else ("yes" if not problems else "**no**")
        if problems:
            missed.append(f"- {database} {scale}× {label}: " + "; ".join(problems))
        lines.append(f"| {database} | {scale}× | {label} | {m['rps']:.0f} | {m['p50']:.1f} | {m['p99']:.1f} | "
                     f"{count} | {ratio:.0%} | {met} |")
    lines += ["", "## Targets missed in this run", ""] + (missed or ["None."])
    if exports:
        done = subprocess.run([sys.executable, str(ROOT / "bench" / "exports.py"), "--scales",
                               *[str(s) for s in scales]], capture_output=True, text=True, check=True, cwd=ROOT)
        lines += ["", "## Exports", "", done.stdout.strip()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
