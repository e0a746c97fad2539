"""`make stack` starts gunicorn, a Celery worker and beat; /healthz says all is up; it stops cleanly."""

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.support import redis_or_fail

pytestmark = [pytest.mark.stack]

ROOT = Path(__file__).resolve().parents[1]
SMOKE_DATABASE = "icp_stack_smoke"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp_path) -> str:
    """A database of its own: PostgreSQL when the tests run on it, else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp_path / 'stack.sqlite3'}"
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {SMOKE_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {SMOKE_DATABASE}")
    return urlunsplit(parts._replace(path=f"/{SMOKE_DATABASE}"))


def _get(url: str, **headers):
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", **headers})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _live_members(group: int) -> list[str]:
    """Processes of ``group`` that still run (zombies waiting to be reaped do not count)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        state, process_group = fields[0], int(fields[2])
        if process_group == group and state != "Z":
            alive.append(stat.parent.name)
    return alive


def test_it_starts_the_full_stack_reports_healthy_and_stops_cleanly(tmp_path):
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DATABASE_URL=_database_url(tmp_path),
        REDIS_URL=redis_or_fail(),
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(tmp_path / "static"),
        ENV_FILE=os.devnull,
    )
    log_path = tmp_path / "stack.log"
    with log_path.open("w") as log:
        stack = subprocess.Popen(
            ["make", "--no-print-directory", "stack", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        health = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and stack.poll() is None:
            try:
                status, _, body = _get(f"http://127.0.0.1:{port}/healthz")
                health = (status, json.loads(body))
                if status == 200:
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        assert health == (200, {"status": "ok", "database": "up", "broker": "up"}), log_path.read_text()

        status, headers, _ = _get(f"http://127.0.0.1:{port}/healthz", **{"X-Request-ID": "stack-smoke-1"})
        assert headers["X-Request-ID"] == "stack-smoke-1"

        def _access_line():
            for line in log_path.read_text().splitlines():
                entry = line.partition("| ")[2]
                if '"stack-smoke-1"' in entry:
                    return json.loads(entry)
            return None

        deadline = time.monotonic() + 10
        while _access_line() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        access = _access_line()
        assert access, "gunicorn's worker writes a JSON access line: " + log_path.read_text()
        assert (access["logger"], access["path"], access["status"]) == ("ops.access", "/healthz", 200)

        status, _, page = _get(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 200
        stylesheet = page.decode().split('href="/static/css/app.')[1].split('"')[0]
        status, headers, _ = _get(f"http://127.0.0.1:{port}/static/css/app.{stylesheet}")
        assert status == 200, "whitenoise serves the hashed stylesheet"
        assert headers["Content-Type"].startswith("text/css")
        assert "max-age=315360000" in headers["Cache-Control"]

        def _ready():
            text = log_path.read_text()
            return " ready." in text and "beat: Starting" in text

        deadline = time.monotonic() + 60
        while not _ready() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _ready(), "the worker and beat start: " + log_path.read_text()
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        stack.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _live_members(stack.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
    assert _live_members(stack.pid) == [], "every process of the stack stops"
