"""PostgreSQL restarted under traffic (a cluster of the test's own, never the shared one on 5432): gunicorn answers a
clear 503 while the database is away, not a 500 and not a hang, and 200 again once it is back, with no restart.

Database connections are kept across requests (CONN_MAX_AGE), the case where a restart leaves every gunicorn
worker holding a dead one: the health check before each request's first query finds it and reconnects.
"""

import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.support import BIN, ROOT, free_port, group_kill, wait_for

pytestmark = [pytest.mark.stack, pytest.mark.serial]  # each answer is timed: not beside other test processes

PAGES = ("/", "/customers/", "/rubrics/")
POSTGRES_VERSIONS = Path("/usr/lib/postgresql")
SLOWEST_ANSWER_SECONDS = 5


def _postgres_bin() -> Path:
    """The newest PostgreSQL server programs installed; missing, the test fails (it never skips)."""
    found = sorted(
        (folder / "bin" for folder in POSTGRES_VERSIONS.glob("*") if (folder / "bin" / "pg_ctl").exists()),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    if not found or not (found[-1] / "initdb").exists():
        pytest.fail(
            f"This test needs PostgreSQL's initdb and pg_ctl under {POSTGRES_VERSIONS}/<version>/bin: "
            "run scripts/ensure-test-services (it installs Debian's postgresql, the server)."
        )
    return found[-1]


class PrivatePostgres:
    """A PostgreSQL cluster in a temporary folder, on a free port, trusting local connections; run by the
    ``postgres`` user when this is root (PostgreSQL refuses to run as root)."""

    def __init__(self):
        self.bin = _postgres_bin()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="icp-postgres-"))
        self.as_owner = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="postgres", group="postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self.data = self.folder / "data"
        self.options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _pg(self, program: str, *arguments: str) -> None:
        log_path = self.folder / "commands.log"
        with log_path.open("a") as log:  # not a pipe: the server it starts would hold a pipe open
            done = subprocess.run(
                [*self.as_owner, str(self.bin / program), *arguments],
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=60,
                cwd=self.folder,
            )
        if done.returncode != 0:
            pytest.fail(f"{program} {' '.join(arguments)} failed:\n{log_path.read_text()[-3000:]}")

    def create(self) -> None:
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "-N")
        self.start()

    def start(self) -> None:
        self._pg(
            "pg_ctl", "start", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-o", self.options
        )

    def stop(self) -> None:
        self._pg("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w")

    def restart(self) -> None:
        self._pg("pg_ctl", "restart", "-D", str(self.data), "-m", "fast", "-w", "-o", self.options)

    def close(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._pg("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@dataclass(frozen=True)
class Answer:
    started: float
    seconds: float
    path: str
    status: int | str  # a status code, or what went wrong instead of an answer
    body: str


class Traffic(threading.Thread):
    """A signed-in person asking for the pages one after another, all the time."""

    def __init__(self, base_url: str, session: str):
        super().__init__(daemon=True)
        self.base_url, self.session = base_url, session
        self.answers: list[Answer] = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            for path in PAGES:
                started = time.monotonic()
                status, body = self._get(path)
                self.answers.append(Answer(started, time.monotonic() - started, path, status, body))
            time.sleep(0.05)

    def _get(self, path: str) -> tuple[int | str, str]:
        headers = {"Cookie": f"sessionid={self.session}", "X-Forwarded-Proto": "https"}
        request = urllib.request.Request(self.base_url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=SLOWEST_ANSWER_SECONDS * 2) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except OSError as error:
            return f"{error.__class__.__name__}: {error}", ""

    def since(self, moment: float) -> list[Answer]:
        return [answer for answer in list(self.answers) if answer.started >= moment]

    def every_page_answered(self, moment: float, status: int) -> bool:
        return {answer.path for answer in self.since(moment) if answer.status == status} == set(PAGES)


def _environment(database_url: str) -> dict:
    test_only = {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "DATABASE_URL"}
    env = {key: value for key, value in os.environ.items() if key not in test_only}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.stack_settings",
        DATABASE_URL=database_url,
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        ENV_FILE=os.devnull,
        CONN_MAX_AGE="60",
        DATABASE_CONNECT_TIMEOUT="3",
    )
    return env


SIGN_IN = """
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from teams.models import Role, User
call_command("migrate", verbosity=0)
admin = User.objects.create_user(username="admin", role=Role.ADMIN)
client = Client()
client.force_login(admin)
print(client.cookies[settings.SESSION_COOKIE_NAME].value)
"""


def _gunicorn_workers(master: int) -> set[str]:
    return set(Path(f"/proc/{master}/task/{master}/children").read_text().split())


def test_pages_answer_503_while_postgresql_is_away_and_200_once_it_is_back(tmp_path):
    postgres = PrivatePostgres()
    gunicorn = traffic = None
    try:
        postgres.create()
        with psycopg.connect(postgres.url("postgres"), autocommit=True) as connection:
            connection.execute("CREATE DATABASE icp")
        env = _environment(postgres.url("icp"))
        prepared = subprocess.run(
            [str(BIN / "python"), "manage.py", "shell", "-c", SIGN_IN],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert prepared.returncode == 0, prepared.stderr[-3000:]
        session = prepared.stdout.strip().splitlines()[-1]

        port = free_port()
        log_path = tmp_path / "gunicorn.log"
        with log_path.open("w") as log:
            command = [str(BIN / "gunicorn"), "icpsite.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
            gunicorn = subprocess.Popen(
                [*command, "--timeout", "30"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        traffic = Traffic(f"http://127.0.0.1:{port}", session)
        wait_for(lambda: Traffic._get(traffic, "/healthz")[0] == 200, timeout=30, what="gunicorn")
        workers = _gunicorn_workers(gunicorn.pid)
        traffic.start()
        wait_for(lambda: traffic.every_page_answered(0, 200), timeout=20, what="every page, signed in")

        postgres.restart()  # as an upgrade or a crash would: every kept connection dies
        restarted = time.monotonic()
        wait_for(lambda: traffic.every_page_answered(restarted, 200), timeout=20, what="the pages after the restart")

        postgres.stop()
        stopped = time.monotonic()
        wait_for(lambda: len(traffic.since(stopped)) >= 3 * len(PAGES), timeout=20, what="answers without PostgreSQL")
        starting = time.monotonic()  # the server may accept connections a little before pg_ctl returns
        postgres.start()
        started = time.monotonic()
        wait_for(lambda: traffic.every_page_answered(started, 200), timeout=20, what="the pages once it is back")
        traffic.stopping.set()
        traffic.join(timeout=SLOWEST_ANSWER_SECONDS * 3)
        workers_after = _gunicorn_workers(gunicorn.pid)
    finally:
        if traffic is not None:
            traffic.stopping.set()
        try:
            if gunicorn is not None:
                group_kill(gunicorn, signal.SIGTERM)
        finally:
            postgres.close()

    answers = traffic.answers
    wrong = [answer for answer in answers if answer.status not in (200, 503)]
    assert not wrong, f"only 200 or 503, never a 500 or no answer: {wrong[:5]}\n{log_path.read_text()[-3000:]}"
    slowest = max(answers, key=lambda answer: answer.seconds)
    assert slowest.seconds < SLOWEST_ANSWER_SECONDS, f"an answer took {slowest.seconds:.1f} s: {slowest.path}"
    away = [answer for answer in answers if stopped <= answer.started and answer.started + answer.seconds < starting]
    assert {answer.path for answer in away} == set(PAGES)
    for answer in away:
        assert answer.status == 503, answer
        assert "A service is unavailable" in answer.body
        assert "This page needs the database, which cannot be reached just now. Try again in a minute." in answer.body
    assert workers_after == workers, "gunicorn's workers were not restarted"
