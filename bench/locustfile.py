"""The people of the load test: `make load` (bench/load.py) runs them with Locust against the full stack.

- Participants of a live workshop poll the proposals and the step bar every second with the ETag they have
  (``If-None-Match``, as htmx does), and now and then propose, vote or comment; after their own change they
  poll at once (htmx's ``workshop-changed`` trigger). The facilitator polls the board and the bar.
- Sales reps open the lead list with filters (and its fit × engagement overview, which the page loads), go on
  to a next page or open a lead, and read a few seconds each time.
- An admin edits a draft of the lead rubric, publishes it (a real re-score of every customer in the worker),
  watches the job's progress bar until it ends, and does it again after a pause.

Everyone signs in through the login form (with its CSRF token). The figures cover the LOAD_SECONDS after the
last person signed in; errors count over the whole run. bench/load.py sets LOAD_FIXTURES (what
bench/load_fixtures.py prepared), LOAD_SECONDS and LOAD_RESULTS (where the figures are written).
"""

import json
import math
import os
import random
import re
import time
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import gevent
from locust import HttpUser, between, constant, constant_pacing, events, task

FIXTURES = json.loads(Path(os.environ["LOAD_FIXTURES"]).read_text())
PEOPLE = FIXTURES["people"]
WORKSHOP = FIXTURES["workshop"]
LEADS = FIXTURES["leads"]
MEASURED_SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
RESULTS = os.environ.get("LOAD_RESULTS", "")
SIGN_IN_WAIT_SECONDS = 180  # after this the measured time starts even if someone could not sign in

ACT_CHANCE = 1 / 30  # a participant proposes, votes or comments about every half minute
PUBLISH_NEEDS_SECONDS = 30  # the admin publishes only with this much measured time left (the job must end in it)
HTMX = {"HX-Request": "true"}


class Measure:
    """The requests completed inside the measured window, and every error of the run."""

    def __init__(self):
        self.started_at: float | None = None
        self.ends_at = math.inf
        self.samples: list[tuple[str, float]] = []
        self.errors: list[str] = []
        self.signed_in = 0

    def time_left(self) -> float:
        return (self.ends_at - time.time()) if self.started_at else math.inf


measure = Measure()


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    if exception is not None:
        measure.errors.append(f"{request_type} {name}: {exception}")
    if measure.started_at is not None and time.time() < measure.ends_at:
        measure.samples.append((name, response_time))


@events.test_start.add_listener
def _conduct(environment, **kwargs):
    """Start the measured window once everybody has signed in; stop the run when it ends."""
    total = sum(len(PEOPLE[kind]) if isinstance(PEOPLE[kind], list) else 1 for kind in PEOPLE)

    def conductor():
        deadline = time.time() + SIGN_IN_WAIT_SECONDS
        while measure.signed_in < total and time.time() < deadline:
            gevent.sleep(0.2)
        measure.started_at = time.time()
        measure.ends_at = measure.started_at + MEASURED_SECONDS
        gevent.sleep(MEASURED_SECONDS)
        _write_results(total)
        environment.runner.quit()

    gevent.spawn(conductor)


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


def _write_results(users: int) -> None:
    times = sorted(ms for _, ms in measure.samples)
    by_name: dict[str, list[float]] = {}
    for name, ms in measure.samples:
        by_name.setdefault(name, []).append(ms)
    figures = {
        "users": users,
        "signed_in": measure.signed_in,
        "seconds": MEASURED_SECONDS,
        "window": [measure.started_at, measure.ends_at],  # wall-clock: bench/load.py's CPU accounting
        "requests": len(times),
        "rps": len(times) / MEASURED_SECONDS,
        "p50_ms": _percentile(times, 0.50),
        "p95_ms": _percentile(times, 0.95),
        "p99_ms": _percentile(times, 0.99),
        "errors": len(measure.errors),
        "error_samples": measure.errors[:20],
        "by_name": {
            name: {
                "count": len(values),
                "p50_ms": _percentile(sorted(values), 0.50),
                "p95_ms": _percentile(sorted(values), 0.95),
                "max_ms": max(values),
            }
            for name, values in sorted(by_name.items())
        },
    }
    if RESULTS:
        Path(RESULTS).write_text(json.dumps(figures, indent=2))


class FormFields(HTMLParser):
    """The fields of each form on a page, by the form's action: {action: {name: value}}."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._form: dict[str, str] | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = self.forms.setdefault(attrs.get("action") or "", {})
        elif self._form is not None and tag == "input" and attrs.get("name"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self._form[attrs["name"]] = attrs.get("value") or ""
        elif self._form is not None and tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._form[self._textarea] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


class Person(HttpUser):
    abstract = True
    usernames: list[str] = []
    first_page = "/"

    def on_start(self):
        self.username = self.usernames.pop()
        self.sign_in()
        measure.signed_in += 1

    def csrf(self) -> dict[str, str]:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    def sign_in(self) -> None:
        """Through the form, as a person sent to sign in on the way to their page."""
        self.client.get(f"/accounts/login/?next={self.first_page}", name="sign-in form")
        data = {
            "username": self.username,
            "password": FIXTURES["password"],
            "next": self.first_page,
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
        }
        with self.client.post("/accounts/login/", data=data, name="sign in", catch_response=True) as response:
            if response.ok and "/accounts/login/" in response.url:
                response.failure(f"{self.username} could not sign in")
        self.landed(response)

    def landed(self, response) -> None:
        """The first page, reached after signing in."""


class Participant(Person):
    """Polls the step's proposals and bar every second; acts about every half minute."""

    wait_time = constant_pacing(1)
    usernames = list(PEOPLE["participants"])
    fixed_count = len(usernames)
    first_page = f"/workshops/steps/{WORKSHOP['step_id']}/"
    regions = ("proposals", "bar")

    def landed(self, response) -> None:
        self.etags: dict[str, str] = {}
        self.proposals: list[str] = []
        self.number = 0
        self.remember(response.text if response.ok else "")

    def remember(self, html: str) -> None:
        """The proposals on the page, and each polled region's ETag (htmx sends it back)."""
        found = re.findall(r"/workshops/proposals/(\d+)/vote/", html)
        if found:
            self.proposals = sorted(set(found))
        for url, headers in re.findall(r'hx-get="([^"]+)"[^>]*?hx-headers=\'([^\']+)\'', html):
            etag = json.loads(unescape(headers)).get("If-None-Match")
            for region in self.regions:
                if etag and url.endswith(f"/{region}/"):
                    self.etags[region] = etag

    def poll(self) -> None:
        step = WORKSHOP["step_id"]
        for region in self.regions:
            url = f"/workshops/steps/{step}/{region}/" if region != "board" else f"/workshops/steps/{step}/board/live/"
            headers = {**HTMX, "If-None-Match": self.etags[region]} if region in self.etags else HTMX
            response = self.client.get(url, headers=headers, name=f"poll {region}")
            if response.status_code == 200:
                self.etags[region] = response.headers.get("ETag", "")
                if region == "proposals":
                    self.remember(response.text)

    @task
    def tick(self):
        self.poll()
        if random.random() < ACT_CHANCE:
            self.act()
            self.poll()  # the change's HX-Trigger makes every region of the page refresh at once

    def act(self) -> None:
        self.number += 1
        choice = random.random()
        if choice < 0.3 or not self.proposals:
            data = {"section": WORKSHOP["section"], "text": f"{self.username}: pain point {self.number}"}
            url, name = f"/workshops/steps/{WORKSHOP['step_id']}/propose/", "propose"
        elif choice < 0.8:
            proposal = random.choice(self.proposals)
            url, name, data = f"/workshops/proposals/{proposal}/vote/", "vote", {"value": random.choice([1, -1])}
        else:
            proposal = random.choice(self.proposals)
            url, name = f"/workshops/proposals/{proposal}/comment/", "comment"
            self.client.get(url, headers=HTMX, name="comment form")
            data = {"text": f"{self.username} agrees ({self.number})"}
        response = self.client.post(url, data=data, headers={**HTMX, **self.csrf()}, name=name)
        if name == "vote" and response.status_code == 200:
            self.etags["proposals"] = response.headers.get("ETag", "")


class Facilitator(Participant):
    """Runs the board: polls it and the step bar every second."""

    usernames = [PEOPLE["facilitator"]]
    fixed_count = 1
    first_page = f"/workshops/steps/{WORKSHOP['step_id']}/board/"
    regions = ("board", "bar")

    def remember(self, html: str) -> None:
        super().remember(html)
        match = re.search(r'hx-get="[^"]*/board/live/"[^>]*?hx-headers=\'([^\']+)\'', html)
        if match:
            self.etags["board"] = json.loads(unescape(match.group(1))).get("If-None-Match", "")

    def act(self) -> None:
        """The facilitator only watches here."""


class Rep(Person):
    """Browses the lead list with filters, opens leads, reads a few seconds each time."""

    wait_time = between(3, 8)
    usernames = list(PEOPLE["reps"])
    fixed_count = len(usernames)
    first_page = "/leads/"

    def landed(self, response) -> None:
        self.leads = self.lead_links(response.text if response.ok else "")

    @staticmethod
    def lead_links(html: str) -> list[str]:
        return re.findall(r'href="(/leads/\d+/\d+/)"', html)

    def filters(self) -> dict:
        chosen: dict = {}
        options = {
            "grade": lambda: random.choice(LEADS["grades"] or ["A"]),
            "engagement": lambda: random.choice(["low", "medium", "high"]),
            "industry": lambda: random.choice(LEADS["industries"]),
            "country": lambda: random.choice(LEADS["countries"]),
            "region": lambda: random.choice(LEADS["regions"]),
            "stage": lambda: random.choice(["lead", "prospect", "opportunity", "customer"]),
            "owner": lambda: random.choice([*LEADS["owners"], "any", "unowned"]),
            "q": lambda: random.choice(LEADS["search_words"] or ["a"]),
            "sort": lambda: random.choice(["best", "fit", "engagement", "name"]),
            "min_score": lambda: random.randint(12, 18),
        }
        for name in random.sample(sorted(options), random.randint(1, 3)):
            chosen[name] = options[name]()
        chosen.setdefault("owner", "any")  # a rep who sees the team's leads looks at everyone's by default
        return chosen

    @task(3)
    def filter_the_list(self):
        params = self.filters()
        response = self.client.get("/leads/", params=params, name="lead list")
        if response.ok:
            self.leads = self.lead_links(response.text) or self.leads
            self.params = params
        self.client.get("/leads/matrix/", params=params, headers=HTMX, name="lead matrix")

    @task(1)
    def next_page(self):
        params = {**getattr(self, "params", {"owner": "any"}), "page": random.randint(2, 3)}
        self.client.get("/leads/", params=params, name="lead list, next page")

    @task(3)
    def open_a_lead(self):
        if self.leads:
            self.client.get(random.choice(self.leads), name="lead")


class Admin(Person):
    """Edits a draft of the lead rubric, publishes it, watches the re-score job, pauses, and again."""

    wait_time = constant(0)
    usernames = [PEOPLE["admin"]]
    fixed_count = 1
    first_page = f"/rubrics/{LEADS['rubric_id']}/"

    @task
    def edit_and_publish(self):
        if measure.time_left() < PUBLISH_NEEDS_SECONDS:
            self.client.get(f"/rubrics/{LEADS['rubric_id']}/jobs/", name="rubric jobs")
            gevent.sleep(10)
            return
        editor = self.draft_open()
        if editor is None:
            gevent.sleep(5)
            return
        version_id, html = editor
        for edit in range(2):
            gevent.sleep(3)
            html = self.settings_save(version_id, html, edit)
        gevent.sleep(2)
        job_url = self.publish(version_id, html)
        if job_url:
            self.watch(job_url)
        gevent.sleep(20)

    def draft_open(self) -> tuple[str, str] | None:
        """The rubric's draft (started here if there is none): its id and its editor page."""
        rubric = LEADS["rubric_id"]
        page = self.client.get(f"/rubrics/{rubric}/", name="rubric").text
        draft = re.search(r'href="/rubrics/versions/(\d+)/">v\d+</a>\s*</td>\s*<td>\s*<span[^>]*>Draft<', page)
        if draft:
            response = self.client.get(f"/rubrics/versions/{draft.group(1)}/", name="draft editor")
        else:
            data = {"csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
            response = self.client.post(f"/rubrics/{rubric}/drafts/new/", data=data, name="start a draft")
        match = re.search(r"/rubrics/versions/(\d+)/$", response.url)
        return (match.group(1), response.text) if response.ok and match else None

    def settings_save(self, version_id: str, html: str, edit: int) -> str:
        """Change the draft's note (its scoring stays the same), as the editor's htmx form does."""
        fields = FormFields(html).forms.get(f"/rubrics/versions/{version_id}/settings/")
        if not fields:
            return html
        fields["note"] = f"Load test: edit {edit + 1} at {time.strftime('%H:%M:%S')}"
        url = f"/rubrics/versions/{version_id}/settings/"
        response = self.client.post(url, data=fields, headers={**HTMX, **self.csrf()}, name="draft settings")
        return response.text if response.ok else html

    def publish(self, version_id: str, html: str) -> str | None:
        url = f"/rubrics/versions/{version_id}/publish/"
        data = {**FormFields(html).forms.get(url, {}), "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
        response = self.client.post(url, data=data, name="publish")
        return response.url if response.ok and "/rubrics/jobs/" in response.url else None

    def watch(self, job_url: str) -> None:
        """The progress bar polls every second until the job ends; then the page reloads."""
        progress = f"{job_url.rstrip('/')}/progress/"
        deadline = time.time() + 600
        while time.time() < deadline:
            response = self.client.get(progress, headers=HTMX, name="job progress")
            if not response.ok or response.headers.get("HX-Refresh") == "true":
                break
            gevent.sleep(1)
        self.client.get(job_url, name="job page")
