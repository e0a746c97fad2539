"""Benchmark of a live workshop as people see it: how long another participant's change takes to appear.

``workshop_propagation()`` returns:

- ``workshop_propagation_p95_ms`` (and ``_p50_ms``): in two real browsers (Playwright, Debian's Chromium),
  from the moment one participant clicks "Propose" to the moment the proposal is on the other participant's
  screen (a MutationObserver in that page notes the time; both pages share the machine's clock), over
  ``ROUNDS`` proposals made at random moments;
- ``workshop_live_poll_p95_ms``: the time of the simulated participants' step-bar polls meanwhile, as they saw
  them (their questions for the proposals are held until something changes: their time says nothing);
- ``workshop_poll_cpu_ms``: the web processes' CPU time (user + system) per conditional poll answered 304,
  over ``QUIET_SECONDS`` when nothing changes (PostgreSQL's share is not counted).

Meanwhile ``SIMULATED`` participants (plain HTTP clients, one thread each) ask for the proposals as the page
does (static/js/live-regions.js): with the ETag they have and ``X-Live-Wait``, so the server holds the question
until something changes (workshops/live_wait.py), then at once again (no sooner than 0.3 s after the last); and
they poll the step bar every second. Against a real server: gunicorn as the Procfile runs it (``gthread``
workers, ``WEB_CONCURRENCY`` processes of ``WEB_THREADS`` threads), DEBUG off, on the database of the benchmarks
(BENCH_DATABASE_URL).
The people, their sessions and the workshop are made for the run and removed after it.
Run it alone with ``python bench/propagation.py``.
"""

import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/icp_bench")
CHROMIUM = "/usr/bin/chromium"
SIMULATED = 50
ROUNDS = 40
QUIET_SECONDS = 10
POLL_SECONDS, BAR_POLL_SECONDS = 0.3, 1.0  # as workshops/live.py

FIXTURES = """
import json
from django.test import Client
from profiles.models import Profile
from teams.models import Role, Team, User
from workshops.services.room import step_open, workshop_create

tag = {tag!r}
teams = [Team.objects.get_or_create(slug=slug, defaults={{"name": name}})[0] for slug, name in Team.DEFAULTS]
facilitator = User.objects.create(username=f"{{tag}}-facilitator", role=Role.FACILITATOR, team=teams[0])
people = [
    User.objects.create(username=f"{{tag}}-{{number}}", role=Role.MEMBER, team=teams[number % 3])
    for number in range({people})
]
workshop = workshop_create(
    profile=Profile.objects.create(name=f"{{tag}} profile"), title=f"{{tag}} workshop", facilitator=facilitator,
    invitees=people,
)
step = workshop.steps.get(position=3)
step_open(step=step, user=facilitator)
sessions = []
for person in people:
    client = Client()
    client.force_login(person)
    sessions.append(client.cookies["sessionid"].value)
with open({out!r}, "w") as out:
    json.dump({{"step": step.pk, "workshop": workshop.pk, "sessions": sessions}}, out)
"""

CLEANUP = """
from django.contrib.sessions.models import Session
from profiles.models import Profile
from teams.models import User
from workshops.models import Workshop

Workshop.objects.filter(title={tag!r} + " workshop").delete()
Profile.objects.filter(name={tag!r} + " profile").delete()
User.objects.filter(username__startswith={tag!r} + "-").delete()
Session.objects.filter(session_key__in={sessions!r}).delete()
"""

# In the watching page: the time each proposal's text first appears, by its text.
WATCH = """() => {
  window.seenAt = {};
  const note = () => {
    const now = performance.timeOrigin + performance.now();
    for (const element of document.querySelectorAll("[data-testid=proposal-text]")) {
      const text = element.textContent.trim();
      if (!(text in window.seenAt)) window.seenAt[text] = now;
    }
  };
  note();
  new MutationObserver(note).observe(document.body, {childList: true, subtree: true});
}"""
# In the acting page: the time of the click on "Propose".
CLICK = """() => {
  const at = performance.timeOrigin + performance.now();
  document.getElementById("propose-button").click();
  return at;
}"""


def _env(static_root: str, secret: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")}
    return {
        **env,
        "DATABASE_URL": DATABASE_URL,
        "ENV_FILE": os.devnull,
        "DEBUG": "false",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "CONN_MAX_AGE": "60",
        "STATIC_ROOT": static_root,
    }


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn as the Procfile runs it, in a session of its own, stopped on exit."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log = env, log
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers, self.threads = 2, 40  # the Procfile's defaults

    def __enter__(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    *(str(gunicorn), "icpsite.wsgi", "--bind", f"127.0.0.1:{self.port}"),
                    *("--workers", str(self.workers), "--worker-class", "gthread", "--threads", str(self.threads)),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/", timeout=5):
                    return self
            except urllib.error.HTTPError:  # it answers
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"gunicorn stopped; see {self.log}") from None
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not answer within a minute; see {self.log}")

    def cpu_seconds(self) -> float:
        import psutil

        total = 0.0
        for worker in psutil.Process(self.process.pid).children():
            times = worker.cpu_times()
            total += times.user + times.system
        return total

    def __exit__(self, *exc):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


class Pollers:
    """The simulated participants: each polls the proposals and the bar with the ETag it has, as htmx does."""

    def __init__(self, url: str, step: int, sessions: list[str]):
        self.url, self.step, self.sessions = url, step, sessions
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.statuses: dict[int, int] = {}
        self.threads = [
            threading.Thread(target=self._poll, args=(session, region), daemon=True)
            for session in sessions
            for region in ("proposals", "bar")
        ]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def counts(self) -> tuple[int, int]:
        """(polls answered 304, all polls) so far."""
        with self.lock:
            return self.statuses.get(304, 0), sum(self.statuses.values())

    def _poll(self, session_key: str, region: str) -> None:
        """One participant's questions for one region (each region of the page asks on its own), over plain
        http.client (light on the CPU the server needs)."""
        host, port = self.url.removeprefix("http://").split(":")
        base = {"Cookie": f"sessionid={session_key}", "HX-Request": "true"}
        path, every, waits = {
            "proposals": (f"/workshops/steps/{self.step}/proposals/", POLL_SECONDS, {"X-Live-Wait": "1"}),
            "bar": (f"/workshops/steps/{self.step}/bar/?open={self.step}", BAR_POLL_SECONDS, {}),
        }[region]
        etag = None
        due = time.monotonic() + random.random() * every
        while not self.stop.wait(max(0.0, due - time.monotonic())):
            headers = {**base, **waits, **({"If-None-Match": etag} if etag else {})}
            asked = time.monotonic()
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(host, int(port), timeout=60)
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                status, new_etag = response.status, response.getheader("ETag")
                connection.close()
            except OSError:
                status, new_etag = 0, None
            elapsed = (time.perf_counter() - started) * 1000
            if status in (200, 304) and new_etag:
                etag = new_etag
            with self.lock:
                if not waits:  # a held question's time is how long nothing changed
                    self.times.append(elapsed)
                self.statuses[status] = self.statuses.get(status, 0) + 1
            # The bar: htmx's "every", the next poll after this one's answer. The proposals: at once, but no
            # sooner than 0.3 s after the last question (static/js/live-regions.js).
            due = asked + every if waits else time.monotonic() + every

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=15)


def _measure_in_browsers(url: str, step: int, actor_session: str, watcher_session: str) -> list[float]:
    from playwright.sync_api import expect, sync_playwright

    delays = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        pages = []
        for session_key in (actor_session, watcher_session):
            context = browser.new_context(base_url=url)
            context.add_cookies([{"name": "sessionid", "value": session_key, "url": url}])
            page = context.new_page()
            page.goto(f"/workshops/steps/{step}/")
            pages.append(page)
        actor, watcher = pages
        watcher.evaluate(WATCH)
        form = actor.get_by_test_id("propose-form")
        form.get_by_label("Section").select_option(value="pain_points")
        for number in range(ROUNDS):
            text = f"Propagation {number} {secrets.token_hex(3)}"
            form.get_by_label("Your proposal").fill(text)
            time.sleep(random.uniform(0.4, 1.2))  # at a random moment of the watcher's polls
            clicked = actor.evaluate(CLICK)
            watcher.wait_for_function("text => text in window.seenAt", arg=text, timeout=10_000)
            delays.append(watcher.evaluate("text => window.seenAt[text]", text) - clicked)
            form = actor.get_by_test_id("propose-form")  # drawn again, emptied, by the answer
            expect(form.get_by_label("Your proposal")).to_have_value("")
        browser.close()
    return delays


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def workshop_propagation() -> dict:
    tag = f"prop{secrets.token_hex(3)}"
    with tempfile.TemporaryDirectory() as folder:
        env = _env(f"{folder}/static", secrets.token_urlsafe(50))
        _manage(env, "migrate", "--noinput")
        _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        out = f"{folder}/fixtures.json"
        _manage(env, "shell", "--no-imports", "-c", FIXTURES.format(tag=tag, people=SIMULATED + 2, out=out))
        fixtures = json.loads(Path(out).read_text())
        step, (actor, watcher, *simulated) = fixtures["step"], fixtures["sessions"]
        log = ROOT / ".bench" / "propagation-gunicorn.log"
        log.parent.mkdir(exist_ok=True)
        try:
            with Server(env, log) as server, Pollers(server.url, step, simulated) as pollers:
                time.sleep(3)  # every poller has its ETag: from now on its polls are 304
                cpu_before, (quiet_before, _) = server.cpu_seconds(), pollers.counts()
                time.sleep(QUIET_SECONDS)
                cpu_after, (quiet_after, _) = server.cpu_seconds(), pollers.counts()
                first_timed = len(pollers.times)
                delays = _measure_in_browsers(server.url, step, actor, watcher)
                cpu_changes = server.cpu_seconds() - cpu_after
                poll_times = pollers.times[first_timed:]
                not_304_or_200 = {k: v for k, v in pollers.statuses.items() if k not in (200, 304)}
        finally:
            _manage(env, "shell", "--no-imports", "-c", CLEANUP.format(tag=tag, sessions=fixtures["sessions"]))
    polls = quiet_after - quiet_before
    print(
        f"  {len(delays)} proposals seen by another browser: median {statistics.median(delays):.0f} ms, "
        f"p95 {_p95(delays):.0f} ms, max {max(delays):.0f} ms; {SIMULATED} simulated participants' polls "
        f"meanwhile: median {statistics.median(poll_times):.1f} ms, p95 {_p95(poll_times):.1f} ms "
        f"({len(poll_times)} polls, other answers: {not_304_or_200 or 'none'}); quiet: {polls} polls answered 304 "
        f"in {QUIET_SECONDS} s; gunicorn: {server.workers} gthread workers of {server.threads} threads; web CPU "
        f"per proposal, everyone's news drawn: {cpu_changes * 1000 / ROUNDS:.0f} ms",
        flush=True,
    )
    return {
        "workshop_propagation_p50_ms": (statistics.median(delays), "ms"),
        "workshop_propagation_p95_ms": (_p95(delays), "ms"),
        "workshop_live_poll_p95_ms": (_p95(poll_times), "ms"),
        "workshop_poll_cpu_ms": ((cpu_after - cpu_before) * 1000 / max(polls, 1), "ms"),
    }


if __name__ == "__main__":
    for figure, (value, unit) in workshop_propagation().items():
        print(f"{figure}: {value:.3f} {unit}")
