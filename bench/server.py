"""What the load benchmarks share: a throw-away PostgreSQL database and gunicorn serving the app on a free port."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def new_postgresql_database(prefix: str) -> Iterator[str]:
    """A new database on the local PostgreSQL (over its socket, as the tests do), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", "-h", "/var/run/postgresql", name], check=True)
    try:
        yield f"postgresql+psycopg:///{name}?host=/var/run/postgresql"
    finally:
        subprocess.run(["dropdb", "-h", "/var/run/postgresql", "--force", name], check=False)


def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextmanager
def gunicorn(env: dict, workers: int = 4) -> Iterator[int]:
    """`gunicorn wsgi:app` with `env`, answering /healthz on the port yielded; stopped afterwards."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "wsgi:app"],
                              cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    try:
        for _ in range(150):
            if _healthy(port):
                break
            time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not answer /healthz within 30 s")
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
