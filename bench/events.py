"""Engagement events: ingest through the real API, and from an event's POST to the account's score moving.

``events_ingest``: batches of 1,000 events POSTed to /api/events/ with an admin's token (Django's test client
in a manage.py shell on the bench database: the whole request path, middleware, auth, parsing and the one
set-based statement per batch). ``event_to_score`` runs a real worker and sends 100 events/s for about 20 s to
accounts without events, each POST a batch of 10, and times from each POST to the account's score changing in
the database (a rubric with an event criterion, published for the bench).
"""

import json
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

INGEST = """
import datetime, json, time, uuid
from django.test import Client
from customers.models import Customer
from teams.models import Role, User
from teams.services import api_token_create
admin, _ = User.objects.get_or_create(username="bench-events", defaults={{"role": Role.ADMIN}})
token = api_token_create(user=admin, name="bench")[1]
client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {{token}}")
accounts = list(Customer.objects.order_by("?").values_list("external_id", flat=True)[:5000])
types = ["website_visit", "email_open", "email_click", "form_fill"]
now = datetime.datetime.now(datetime.UTC)
run = uuid.uuid4().hex[:8]
batches = []
for number in range({batches}):
    batches.append(json.dumps({{"events": [
        {{"id": f"{{run}}-{{number}}-{{i}}", "external_id": accounts[(number * 1000 + i) % len(accounts)],
          "type": types[i % 4], "occurred_at": (now - datetime.timedelta(minutes=i)).isoformat()}}
        for i in range(1000)
    ]}}))
client.post("/api/events/", batches[0], content_type="application/json")  # warm up
time.sleep(max(0.0, {start} - time.time()))  # every sender starts at once
for body in batches[1:]:
    response = client.post("/api/events/", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["new"] == 1000, response.content[:300]
with open({out!r}, "w") as out:
    json.dump({{"events": 1000 * (len(batches) - 1), "ended": time.time()}}, out)
"""
SENDERS = 2  # one per core: while one sender's batch is in PostgreSQL, the other's is parsed


def events_ingest(manage_with_broker: Callable) -> dict:
    """Events per second through POST /api/events/, batches of 1,000: two senders at once, 30 batches each after
    a warm-up, from their common start to the last one's end.

    ``manage_with_broker`` runs manage.py on the bench database (run.py's)."""
    start = time.time() + 25  # after both processes have started Django and built their batches
    with tempfile.TemporaryDirectory() as folder:
        outs = [f"{folder}/ingest{number}.json" for number in range(SENDERS)]
        senders = [
            threading.Thread(
                target=manage_with_broker,
                args=("shell", "--no-imports", "-c", INGEST.format(out=out, batches=31, start=start)),
            )
            for out in outs
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        measured = [json.loads(Path(out).read_text()) for out in outs]
    events = sum(part["events"] for part in measured)
    seconds = max(part["ended"] for part in measured) - start
    return {"events_ingest_per_s": (events / seconds, "events/s")}


TO_SCORE = """
import datetime, json, threading, time, uuid
from django.db import connection
from django.test import Client
from customers.models import Customer
from django.db.models import Q
from engagement.models import DailyCount, EventType
from profiles.models import Profile
from rubrics.models import Criterion, Rubric, RubricVersion, Score
from rubrics.selectors import version_spec
from rubrics.services.scores import scores_write
from teams.models import Role, User
from teams.services import api_token_create
{ready}
admin, _ = User.objects.get_or_create(username="bench-events", defaults={{"role": Role.ADMIN}})
token = api_token_create(user=admin, name="bench")[1]
client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {{token}}")
profile, _ = Profile.objects.get_or_create(name="Bench engagement")
rubric, _ = Rubric.objects.get_or_create(profile=profile, name="Event to score")
EventType.objects.get_or_create(key="bench_signal", defaults={{"name": "Bench signal"}})
version = rubric.versions.filter(status="published").first()
if version is None:
    version = RubricVersion.objects.create(rubric=rubric, number=1, threshold=3, status="published")
    Criterion.objects.create(version=version, field="website_visits_30d", operator="gte", values=[1], points=3,
        group="engagement", decay={{"event_type": "bench_signal", "points": 1, "half_life": 14, "cap_per_day": 20,
        "cap_total": None}})
spec = version_spec(version)
# Accounts whose criterion reads 0 now: events of other types but none of the bench's, or no events and 0 visits.
signal = DailyCount.objects.filter(event_type__key="bench_signal").values("customer_id")
quiet = Customer.objects.exclude(pk__in=signal).filter(
    Q(pk__in=DailyCount.objects.values("customer_id")) | Q(website_visits_30d=0)
)
accounts = list(quiet.order_by("pk").values_list("pk", "external_id")[:{events}])
assert len(accounts) == {events}, len(accounts)
for low in range(0, len(accounts), 500):
    ids = [pk for pk, _ in accounts[low:low + 500]]
    scores_write(version=version, spec=spec, low_id=min(ids), high_id=max(ids))
assert not Score.objects.filter(rubric=rubric, customer_id__in=[pk for pk, _ in accounts], total__gt=0).exists()
sent, moved, done = {{}}, {{}}, threading.Event()

def watch():
    while not done.is_set() or len(moved) < len(sent):
        # The accounts sent and not seen moving yet that qualify now (the rubric's other qualified accounts, from
        # earlier runs on the same base, are not read: the watcher's own cost stays that of the few pending).
        seen = time.perf_counter()
        pending = [pk for pk in list(sent) if pk not in moved]
        qualified = Score.objects.filter(rubric=rubric, qualified=True, customer_id__in=pending)
        for pk in qualified.values_list("customer_id", flat=True):
            moved[pk] = seen
        if done.is_set() and time.perf_counter() - last_sent > 60:
            break
        time.sleep(0.02)
    connection.close()

last_sent = time.perf_counter()
watcher = threading.Thread(target=watch)
watcher.start()
started = time.perf_counter()
for batch in range(0, len(accounts), 10):
    due = started + batch / 100
    time.sleep(max(0.0, due - time.perf_counter()))
    part = accounts[batch:batch + 10]
    now = datetime.datetime.now(datetime.UTC).isoformat()
    body = {{"events": [{{"id": f"s-{{pk}}", "external_id": external_id, "type": "bench_signal", "occurred_at": now}}
                         for pk, external_id in part]}}
    posted = time.perf_counter()
    response = client.post("/api/events/", body, content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    for pk, _ in part:
        sent[pk] = posted
    last_sent = time.perf_counter()
rate = len(accounts) / (time.perf_counter() - started)
done.set()
watcher.join()
latencies = sorted(moved[pk] - sent[pk] for pk in moved)
p95 = latencies[int(0.95 * (len(latencies) - 1))] if len(moved) == len(sent) else float("inf")
with open({out!r}, "w") as out:
    json.dump({{"p95": p95, "rate": rate, "moved": len(moved), "sent": len(sent)}}, out)
"""


def event_to_score(worker, manage_with_broker: Callable, worker_ready: str) -> dict:
    """From POST /api/events/ to the account's score moving (real worker), 100 events/s for 20 s: p95.

    ``worker`` starts a real Celery worker process on the bench database, ``worker_ready`` waits for it (run.py's).
    """
    with tempfile.TemporaryDirectory() as folder, worker(2):  # the Procfile's default CELERY_CONCURRENCY
        out = f"{folder}/to_score.json"
        manage_with_broker("shell", "--no-imports", "-c", TO_SCORE.format(out=out, events=2000, ready=worker_ready))
        measured = json.loads(Path(out).read_text())
    print(f"  (event_to_score: {measured['sent']} events at {measured['rate']:.0f}/s, {measured['moved']} moved)")
    return {"event_to_score_p95_s": (measured["p95"], "s")}
