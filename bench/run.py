"""Benchmarks: `make bench` prints each figure and writes them all to .bench/results.json.

They measure; they do not assert. Each figure is a function below, listed in
FIGURES; `python bench/run.py NAME ...` runs only some and keeps the others' last
values in the results file.

The database is PostgreSQL (BENCH_DATABASE_URL, by default a database icp_bench
on 127.0.0.1:5432 that the run recreates when it seeds: a run of some figures
without seed_1m measures the base an earlier seed_1m left there).
"""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import events  # bench/events.py
import psycopg
from accuracy import accuracy_1m  # bench/accuracy.py (this folder comes first on the path)
from autovacuum import vacuum_where_autovacuum_would  # bench/autovacuum.py
from evidence import backtest_1m, evidence_1m, suggest_weights_1m  # bench/evidence.py
from propagation import workshop_propagation  # bench/propagation.py
from similar_accounts import lookalikes_1m  # bench/similar_accounts.py

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / ".bench" / "results.json"))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/icp_bench")
SEED_CUSTOMERS = int(os.environ.get("BENCH_SEED_CUSTOMERS", 1_000_000))  # growth() seeds 4M with this


def manage(*args: str, quiet: bool = True) -> None:
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "DEBUG": "true", "ENV_FILE": os.devnull}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def recreate_database() -> None:
    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    manage("migrate", "--noinput")


def seed_1m() -> dict:
    """Seeding 1,000,000 demo customers (and the demo people) with seed_demo."""
    started = time.perf_counter()
    # Without similar accounts: the lookalikes figure builds the model and times it.
    manage("seed_demo", "--customers", str(SEED_CUSTOMERS), "--skip-similar-accounts")
    elapsed = time.perf_counter() - started
    # Not timed: what autovacuum would do before anyone measured (it is off on the benchmarks' server).
    vacuum_where_autovacuum_would(DATABASE_URL)
    return {"seed_1m_s": (elapsed, "s")}


EXPORT_1M = """
import json, time
from customers.csv_copy import csv_export_chunks
from customers.selectors import CustomerFilters, customer_list
started = time.perf_counter()
with open("/dev/null", "wb") as out:
    for chunk in csv_export_chunks(customer_list(filters=CustomerFilters())):
        out.write(chunk)
with open({out!r}, "w") as out:
    json.dump({{"seconds": time.perf_counter() - started}}, out)
"""
# The floor: PostgreSQL's own CSV of the export's columns (customers/exports.py COLUMNS), as stored.
EXPORT_FLOOR = """COPY (SELECT c.id, c.external_id, c.name, c.domain, c.industry, c.country, c.region, c.city,
c.employees, c.annual_revenue, c.contact_titles, c.lifecycle_stage, u.username, c.crm_created_on, c.closed_on,
c.deal_outcome, c.sales_cycle_days, c.clv, c.tenure_months, c.active_days_30d, c.features_used,
c.website_visits_30d, c.email_opens_30d, c.email_clicks_30d, c.social_engagements_30d, c.referrals_made,
c.has_case_study, c.has_public_review, c.is_prominent_brand, c.nps, c.sentiment, c.extra, c.updated_at
FROM customers_customer c LEFT JOIN teams_user u ON u.id = c.owner_id ORDER BY c.id) TO STDOUT WITH CSV"""


def export_1m() -> dict:
    """The streamed CSV export of every customer (after seed_1m), in list order, to /dev/null; beside it,
    the floor: psql's COPY of the same columns to /dev/null, and the export's multiple of it."""
    # Both start alike: no checkpoint of the seeding still writing, the customers read once already (the floor,
    # untimed), where the one timed first used to pay for both (1.8 to 2.3 × in two full runs an hour apart).
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        connection.execute("CHECKPOINT")
    subprocess.run(["psql", "-X", "-q", "-d", DATABASE_URL, "-c", EXPORT_FLOOR], check=True, stdout=subprocess.DEVNULL)
    # Timed in the process, from the list's query to the last byte, as a request serves it: a web process is
    # already running when someone asks for the export (starting Django took about 2.5 s more).
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "export.json"
        manage("shell", "--no-imports", "-c", EXPORT_1M.format(out=str(out)))
        export = json.loads(out.read_text())["seconds"]
    started = time.perf_counter()
    subprocess.run(["psql", "-X", "-q", "-d", DATABASE_URL, "-c", EXPORT_FLOOR], check=True, stdout=subprocess.DEVNULL)
    floor = time.perf_counter() - started
    return {
        "export_1m_s": (export, "s"),
        "export_floor_s": (floor, "s"),
        "export_floor_ratio": (export / floor, "x"),
    }


EXPORT_XLSX_5K = """
import json, statistics, tempfile, time
from openpyxl import Workbook
from customers.exports import HEADER, export_rows, xlsx_chunks, xlsx_value
from customers.selectors import CustomerFilters, customer_list

first_5k = customer_list(filters=CustomerFilters())[:5000]

def ours():
    with open("/dev/null", "wb") as out:
        for chunk in xlsx_chunks(export_rows(first_5k)):
            out.write(chunk)

def openpyxl_write_only():  # what the export did before: openpyxl's write-only workbook into a temporary file
    with tempfile.TemporaryFile() as out:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Customers")
        sheet.append(HEADER)
        for row in export_rows(first_5k):
            sheet.append([xlsx_value(value) for value in row])
        workbook.save(out)

def median_of_3(export):
    times = []
    for _ in range(3):
        started = time.perf_counter()
        export()
        times.append(time.perf_counter() - started)
    return statistics.median(times)

ours()  # warm-up: imports, the first query
with open({out!r}, "w") as out:
    json.dump({{"ours": median_of_3(ours), "openpyxl": median_of_3(openpyxl_write_only)}}, out)
"""


def export_xlsx_5k() -> dict:
    """The Excel export of the list's first 5,000 customers (median of 3), and openpyxl's write-only workbook
    on the same rows in the same run as the baseline."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "times.json"
        manage("shell", "--no-imports", "-c", EXPORT_XLSX_5K.format(out=str(out)))
        times = json.loads(out.read_text())
    return {
        "export_xlsx_5k_s": (times["ours"], "s"),
        "export_xlsx_5k_openpyxl_s": (times["openpyxl"], "s"),
    }


IMPORT_100K = """
import json, time
from django.core.files import File
from imports.services import import_check_now, import_commit_now, import_upload
with open({path!r}, "rb") as handle:
    job = import_upload(kind="customers", file=File(handle), name="hubspot-100k.csv", user=None)
started = time.perf_counter()
job = import_check_now(job=job)
checked = time.perf_counter()
job = import_commit_now(job=job, skip_invalid=False)
done = time.perf_counter()
assert job.result == {{"created": 100_000, "updated": 0, "unchanged": 0, "rejected": 0}}, job.result
with open({out!r}, "w") as out:
    json.dump({{"check": checked - started, "import": done - checked}}, out)
"""


def import_100k() -> dict:
    """A messy 100,000-row HubSpot export into the 1M base: the check (dry run), then the import job.

    The import's tasks go to Redis, as in the full stack, so re-scoring the new customers is
    queued for a worker rather than done inside the import."""
    from import_file import write

    with tempfile.TemporaryDirectory() as folder:
        path, out = f"{folder}/hubspot-100k.csv", f"{folder}/times.json"
        write(path, 100_000)
        # As in the full stack: the re-scoring of the new customers is queued on Redis for a worker
        # (the worker figures below flush it), not run inside the import.
        _manage_with_broker("shell", "--no-imports", "-c", IMPORT_100K.format(path=path, out=out))
        times = json.loads(Path(out).read_text())
    return {
        "import_check_100k_s": (times["check"], "s"),
        "import_write_100k_s": (times["import"], "s"),
        "import_100k_s": (times["check"] + times["import"], "s"),
    }


REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")

# Every customer's total by the demo rubric (rubrics/demo.py), written by hand.
DEMO_TOTALS = """
  SELECT id,
    (CASE WHEN industry IN ('Software', 'Financial Services', 'Professional Services', 'Healthcare') THEN 3 ELSE 0 END)
    + (CASE WHEN contact_titles LIKE '%Marketing%' OR contact_titles LIKE '%Revenue%'
            OR contact_titles LIKE '%Sales Operations%' THEN 3 ELSE 0 END)
    + (CASE WHEN annual_revenue BETWEEN 5000000 AND 2000000000 THEN 2 ELSE 0 END)
    + (CASE WHEN region IN ('North America', 'EMEA') THEN 1 ELSE 0 END)
    + (CASE WHEN employees >= 50 THEN 2 ELSE 0 END)
    + (CASE WHEN referrals_made >= 1 THEN 2 ELSE 0 END)
    + (CASE WHEN website_visits_30d >= 10 THEN 3 WHEN website_visits_30d >= 1 THEN 1 ELSE 0 END)
    + (CASE WHEN email_opens_30d >= 1 THEN 1 ELSE 0 END)
    + (CASE WHEN email_clicks_30d >= 1 THEN 3 ELSE 0 END)
    + (CASE WHEN social_engagements_30d >= 1 THEN 2 ELSE 0 END)
    + (CASE WHEN has_public_review THEN 2 ELSE 0 END) AS total
  FROM customers_customer
"""
# The old baseline: those totals in one hand-written UPDATE of the stored scores.
RAW_RESCORE = f"""
UPDATE rubrics_score AS s SET total = c.total, qualified = c.total >= 12, scored_at = now()
FROM ({DEMO_TOTALS}) AS c
WHERE s.customer_id = c.id
"""
# The floor (issue 20): what PostgreSQL itself needs to write those totals as a new table, with a unique index
# and the lead list's index built after the fill.
FLOOR_STATEMENTS = (
    f"CREATE TABLE bench_score_floor AS SELECT c.id AS customer_id, c.total, c.total >= 12 AS qualified"
    f" FROM ({DEMO_TOTALS}) AS c",
    "CREATE UNIQUE INDEX bench_score_floor_customer ON bench_score_floor (customer_id)",
    "CREATE INDEX bench_score_floor_leads ON bench_score_floor (total DESC, customer_id) WHERE qualified",
)


def _vacuum_scores() -> None:
    """The scores vacuumed, then a checkpoint: each re-score figure (the floor's too) starts with no dirty page of
    the one before to write back, and the first change to each page after a checkpoint logs it whole, whoever
    comes first. Without it the same figure moved by a second from run to run."""
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE rubrics_score")
        connection.execute("CHECKPOINT")


def _wal_written_since(start: str) -> float:
    """The WAL the server wrote since ``start`` (a pg_current_wal_lsn()), in MB: how much a re-score writes, a
    property of the product that no machine's speed moves."""
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        (written,) = connection.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [start]).fetchone()
    return float(written) / 1e6


def _wal_position() -> str:
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        return str(connection.execute("SELECT pg_current_wal_lsn()").fetchone()[0])


def rescore_raw_sql() -> dict:
    """The baseline: the demo rubric's totals for all 1M customers in one raw SQL UPDATE (after seed_1m)."""
    _vacuum_scores()
    with psycopg.connect(DATABASE_URL) as connection:
        connection.execute("SET jit = off")
        started = time.perf_counter()
        connection.execute(RAW_RESCORE)
        connection.commit()
        elapsed = time.perf_counter() - started
    return {"rescore_raw_sql_s": (elapsed, "s")}


def rescore_floor() -> dict:
    """The floor of a re-score, in the same run: the demo rubric's totals for every customer written as a new
    table (CREATE TABLE … AS SELECT), then its unique index and the lead list's index; the table is dropped."""
    _vacuum_scores()
    with psycopg.connect(DATABASE_URL) as connection:
        connection.execute("SET jit = off")
        connection.execute("DROP TABLE IF EXISTS bench_score_floor")
        connection.commit()
        wal = _wal_position()
        started = time.perf_counter()
        for statement in FLOOR_STATEMENTS:
            connection.execute(statement)
        connection.commit()
        elapsed = time.perf_counter() - started
        wal_mb = _wal_written_since(wal)
        connection.execute("DROP TABLE bench_score_floor")
        connection.commit()
    return {"rescore_floor_s": (elapsed, "s"), "rescore_floor_wal_mb": (wal_mb, "MB")}


def _to_floor(name: str, elapsed: float) -> dict:
    """``name`` as a multiple of the floor measured in this run (or the last one on record)."""
    floor = _last("rescore_floor_s")
    return {name: (elapsed / floor, "x")} if floor else {}


class _Worker:
    """A real Celery worker subprocess on the bench database, killed with its pool on exit."""

    def __init__(self, concurrency: int):
        self.concurrency = concurrency

    def __enter__(self):
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        command = [str(Path(sys.executable).parent / "celery"), "-A", "icpsite", "worker", "--pool", "prefork"]
        command += ["--concurrency", str(self.concurrency), "--without-gossip", "--without-mingle", "-l", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=_worker_env(), start_new_session=True)
        return self

    def __exit__(self, *exc):
        import signal

        # A warm shutdown of the main process only: it lets the task running finish. A publish's figure ends
        # when its switch commits, while the last task still drops the old partition; killing the pool with
        # it left that table to the next figure's job (and a WorkerLostError in the output).
        self.process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=60)
        with contextlib.suppress(ProcessLookupError):  # what is left of the group, if anything
            os.killpg(self.process.pid, signal.SIGKILL)


def _worker_env() -> dict:
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "DEBUG": "true"}
    env["ENV_FILE"] = os.devnull
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


WORKER_READY = """
import time
from icpsite.celery import app
deadline = time.monotonic() + 60
while not app.control.ping(timeout=0.5):
    assert time.monotonic() < deadline, "no worker answered"
"""

PUBLISH_DEMO = (
    WORKER_READY
    + """
import json
from rubrics.demo import demo_rubric_ensure
from rubrics.services.drafts import draft_create
from customers.models import Customer
from rubrics.models import RescoreJob
from rubrics.services.publishing import rubric_publish
published = demo_rubric_ensure()
# (The preview's figure leaves its draft, a copy too: a publish measured after a full run takes it.)
draft = published.rubric.versions.filter(status="draft").first() or draft_create(rubric=published.rubric, user=None)
# The customers import_100k added wait for their first score in the queue the worker takes now: a publish
# that reaches one first gives it its first score, which counts as moved.
unscored = Customer.objects.exclude(scores__version=published).count()
started = time.perf_counter()
job = rubric_publish(version=draft, user=None)
while RescoreJob.objects.filter(pk=job.pk, status__in=["queued", "running"]).exists():
    time.sleep(0.05)
elapsed = time.perf_counter() - started
job.refresh_from_db()
# The draft is a copy of the published version: every score takes the new version, and no total moves but
# the first scores of customers that had none.
assert job.status == "done" and job.rows_changed == job.rows_total, (job.status, job.error, job.rows_changed)
assert job.scores_moved <= unscored, (job.scores_moved, unscored)
with open({out!r}, "w") as out:
    json.dump({{"seconds": elapsed, "chunks": job.chunks_total}}, out)
"""
)


def _publish_through_workers(concurrency: int) -> tuple[float, float]:
    """The publish's seconds, and the WAL it wrote (MB)."""
    _vacuum_scores()
    with tempfile.TemporaryDirectory() as folder, _Worker(concurrency):
        out = f"{folder}/times.json"
        wal = _wal_position()
        _manage_with_broker("shell", "--no-imports", "-c", PUBLISH_DEMO.format(out=out))
        return json.loads(Path(out).read_text())["seconds"], _wal_written_since(wal)


def _manage_with_broker(*args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=_worker_env(), check=True, stdout=subprocess.DEVNULL
    )


def rescore_full() -> dict:
    """Publishing a copy of the demo rubric to its job's end, through one real worker process (after seed_1m)."""
    elapsed, wal_mb = _publish_through_workers(1)
    figures = {"rescore_full_s": (elapsed, "s"), "rescore_full_wal_mb": (wal_mb, "MB")}
    floor_wal = _last("rescore_floor_wal_mb")
    if floor_wal:
        figures["rescore_wal_ratio"] = (wal_mb / floor_wal, "x")
    raw = _last("rescore_raw_sql_s")
    if raw:
        figures["rescore_ratio"] = (elapsed / raw, "x")
    return {**figures, **_to_floor("rescore_floor_ratio", elapsed)}


def rescore_two_workers() -> dict:
    """The same publish with two worker processes (concurrency 2)."""
    elapsed, _ = _publish_through_workers(2)
    return {"rescore_two_workers_s": (elapsed, "s"), **_to_floor("rescore_two_workers_floor_ratio", elapsed)}


ONE_CUSTOMER = (
    WORKER_READY
    + """
import json, statistics
from customers.models import Customer
from customers.services.records import customer_update
from rubrics.demo import TARGET_INDUSTRIES, demo_rubric_ensure
from rubrics.models import Score
# The demo rubric's scores: after event_to_score the base has that figure's rubric too.
scores = Score.objects.filter(rubric=demo_rubric_ensure().rubric).values_list("total", flat=True)
samples = []
for customer in Customer.objects.order_by("pk")[:7]:
    before = scores.get(customer=customer)
    industry = "Retail" if customer.industry in TARGET_INDUSTRIES else "Software"  # the total always moves
    started = time.perf_counter()
    customer_update(customer=customer, values={{"industry": industry}}, user=None)
    while scores.get(customer=customer) == before:
        time.sleep(0.002)
    samples.append(time.perf_counter() - started)
with open({out!r}, "w") as out:
    json.dump({{"median": statistics.median(samples)}}, out)
"""
)


def rescore_one_customer() -> dict:
    """From a customer's change through customer_update to its new score stored by the worker (median of 7)."""
    with tempfile.TemporaryDirectory() as folder, _Worker(1):
        out = f"{folder}/times.json"
        _manage_with_broker("shell", "--no-imports", "-c", ONE_CUSTOMER.format(out=out))
        seconds = json.loads(Path(out).read_text())["median"]
    return {"rescore_one_customer_ms": (seconds * 1000, "ms")}


ROUTING = (
    WORKER_READY
    + """
import json
from customers.models import Customer
from customers.services.records import customer_update
from rubrics import scoring
from rubrics.demo import demo_rubric_ensure
from rubrics.models import QualificationChange, Score
from rubrics.selectors import customer_attributes, version_spec
from routing.models import AssignmentRule, RoutingCursor
from teams.models import Role, Team, User
version = demo_rubric_ensure()
spec = version_spec(version)
# Routing starts at the newest qualification: only the ones made here are routed.
newest = QualificationChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
RoutingCursor.objects.update_or_create(rubric=version.rubric, defaults={{"cursor": newest}})
team, _ = Team.objects.get_or_create(slug=Team.SALES, defaults={{"name": "Sales"}})
reps = [
    User.objects.get_or_create(username=f"bench-rep-{{n}}", defaults={{"role": Role.SALES_REP, "team": team}})[0]
    for n in range(1, 6)
]
rule, _ = AssignmentRule.objects.update_or_create(name="Bench routing", defaults={{"position": 0, "is_active": True}})
rule.reps.set(reps)
PUSH = {{"industry": "Software", "contact_titles": "Marketing", "annual_revenue": 50_000_000, "region": "EMEA",
        "employees": 500, "email_clicks_30d": 5, "website_visits_30d": 20, "email_opens_30d": 5}}
candidates = []
unqualified = Score.objects.filter(version=version, qualified=False, customer__owner__isnull=True)
for customer in Customer.objects.filter(pk__in=unqualified.values("customer_id")).order_by("pk")[:{rounds} * 4]:
    if scoring.score(spec, {{**customer_attributes(customer), **PUSH}}).qualified:
        candidates.append(customer)
    if len(candidates) == {rounds}:
        break
samples, before = [], []
for customer in candidates:
    before.append((customer, {{name: getattr(customer, name) for name in PUSH}}))
    started = time.perf_counter()
    customer_update(customer=customer, values=PUSH, user=None)
    while not Customer.objects.filter(pk=customer.pk, owner__isnull=False).exists():
        assert time.perf_counter() - started < 60, "no owner after a minute"
        time.sleep(0.005)
    samples.append(time.perf_counter() - started)
AssignmentRule.objects.filter(pk=rule.pk).update(is_active=False)
for customer, values in before:  # the base as it was: the fields, and no owner
    customer_update(customer=customer, values={{**values, "owner_id": None}}, user=None)
deadline = time.monotonic() + 60
ids = [customer.pk for customer, _ in before]
while Score.objects.filter(version=version, customer_id__in=ids, qualified=True).exists():
    assert time.monotonic() < deadline, "the changed customers were not scored back"
    time.sleep(0.05)
samples.sort()
with open({out!r}, "w") as out:
    json.dump({{"p95": samples[max(0, round(0.95 * len(samples)) - 1)], "median": samples[len(samples) // 2],
               "count": len(samples)}}, out)
"""
)
ROUTING_ROUNDS = 50


def routing() -> dict:
    """From a customer's change through customer_update that puts it over the demo rubric's threshold to its
    owner given by an assignment rule, through a real worker (the re-score, then the routing): p95 of 50 leads."""
    with tempfile.TemporaryDirectory() as folder, _Worker(1):
        out = f"{folder}/times.json"
        _manage_with_broker("shell", "--no-imports", "-c", ROUTING.format(out=out, rounds=ROUTING_ROUNDS))
        measured = json.loads(Path(out).read_text())
    print(f"routing: {measured['count']} leads, median {measured['median']:.3f} s", flush=True)
    return {"routing_p95_s": (measured["p95"], "s")}


PREVIEW = """
import json, time
from rubrics.demo import demo_rubric_ensure
from rubrics.services.drafts import draft_create
from rubrics.preview import version_preview
published = demo_rubric_ensure()
draft = published.rubric.versions.filter(status="draft").first() or draft_create(rubric=published.rubric, user=None)
started = time.perf_counter()
version_preview(version=draft)
with open({out!r}, "w") as out:
    json.dump({{"seconds": time.perf_counter() - started}}, out)
"""


def preview() -> dict:
    """rubrics.preview.version_preview of a draft of the demo rubric over the 1M base."""
    if not (ROOT / "rubrics" / "preview.py").exists():
        print("preview_s skipped: rubrics/preview.py is not there yet", flush=True)
        return {}
    with tempfile.TemporaryDirectory() as folder:
        out = f"{folder}/times.json"
        manage("shell", "--no-imports", "-c", PREVIEW.format(out=out))
        return {"preview_s": (json.loads(Path(out).read_text())["seconds"], "s")}


LEAD_LIST = """
import json, random, time
from urllib.parse import urlencode
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from customers.models import Customer
from customers.selectors import filter_choices
from leads.models import DisqualificationReason, LeadDisposition, LeadListVisit
from leads.selectors import NEW_BUSINESS, SEGMENT_STAGES
from rubrics.demo import demo_rubric_ensure
from rubrics.models import QualificationChange, Score
from teams.models import User

rng = random.Random(5)
rubric = demo_rubric_ensure().rubric
people = {{person.username: person for person in User.objects.filter(username__in=["admin", "rep", "rep2"])}}
assert len(people) == 3 and Score.objects.filter(rubric=rubric, qualified=True).exists(), "run seed_1m first"
choices = filter_choices()
# The largest industries, for the combined and the deep filtered pages (which must not come back empty).
largest = Customer.objects.values("industry").annotate(n=Count("pk")).order_by("-n")
largest = [row["industry"] for row in largest[:4]]
# Search terms from leads each person sees: a name's first word, its first two words, a whole domain,
# four letters.
last = Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
# (Leads of the list's first tab, new business, where a search looks by default.)
sample = Score.objects.filter(
    rubric=rubric,
    qualified=True,
    stage__in=SEGMENT_STAGES[NEW_BUSINESS],
    customer_id__in=rng.sample(range(1, last + 1), 2000),
)
terms = {{username: [] for username in people}}
for name, domain, owner in sample.order_by("customer_id").values_list(
    "customer__name", "customer__domain", "customer__owner__username"
):
    for username in ("admin", owner):
        if username in terms:
            terms[username] += [name.split()[0], " ".join(name.split()[:2]), domain.split(".")[0], name[:4].lower()]
owners = {{True: [str(people["rep"].pk), str(people["rep2"].pk), "unowned"], False: ["unowned", "any"]}}
pick = rng.choice


# kind: the query string of one request by a person (an admin's "owner" choices differ from a rep's).
MIX = {{
    "first": lambda person: {{}},
    "grade": lambda person: {{"grade": pick(["A", "B"])}},
    "engagement": lambda person: {{"engagement": pick(["low", "medium", "high"])}},
    "score": lambda person: {{"min_score": (low := rng.randint(12, 18)), "max_score": low + rng.randint(0, 3)}},
    "industry": lambda person: {{"industry": pick(choices["industry"])}},
    "country": lambda person: {{"country": pick(choices["country"])}},
    "region": lambda person: {{"region": pick(choices["region"])}},
    # (A stage opens the tab that lists it: customers and churned accounts, expansion.)
    "stage": lambda person: {{"stage": pick(["lead", "prospect", "opportunity", "customer", "churned"])}},
    "owner": lambda person: {{"owner": pick(owners[person == "admin"])}},
    "search": lambda person: {{"q": pick(terms[person])}},
    "disposition": lambda person: {{"disposition": pick(["none", "accepted", "contacted", "disqualified", "all"])}},
    "new": lambda person: {{"new": "on"}},
    "sort": lambda person: {{"sort": pick(["fit", "engagement", "name"])}},
    "combined": lambda person: {{
        "industry": pick(largest),
        "region": pick(choices["region"]),
        "grade": pick(["A", "B"]),
        "sort": pick(["best", "fit", "engagement"]),
    }},
    "deep": lambda person: {{"page": pick([20, 100, 200]), "sort": pick(["best", "fit", "engagement", "name"])}},
    "filtered_deep": lambda person: {{"industry": pick(largest), "page": pick([20, 50, 100])}},
}}


class Rollback(Exception):
    pass


samples, queries, floor = [], {{}}, []
try:
    with transaction.atomic():
        # What reps made of their leads (1 in 97 handled, a third of those disqualified) and a previous
        # visit after which at least the latest 2% of qualifications are new; all rolled back at the end.
        reasons = list(DisqualificationReason.objects.order_by("pk"))
        now = timezone.now()
        handled = Score.objects.filter(rubric=rubric, qualified=True).values_list("customer_id", flat=True)
        LeadDisposition.objects.bulk_create(
            LeadDisposition(
                customer_id=customer_id,
                rubric=rubric,
                changed_at=now,
                status=("accepted", "contacted", "disqualified")[customer_id % 3],
                reason=reasons[customer_id % len(reasons)] if customer_id % 3 == 2 else None,
            )
            for customer_id in handled.iterator(chunk_size=20_000)
            if customer_id % 97 == 0
        )
        # (A re-score stamps a whole chunk with one time: new_since is the time before the chunk of the 2%.)
        changes = QualificationChange.objects.filter(rubric=rubric, qualified=True).order_by("-changed_at")
        cut = changes.values_list("changed_at", flat=True)[changes.count() // 50]
        new_since = changes.filter(changed_at__lt=cut).values_list("changed_at", flat=True).first()
        for person in people.values():
            LeadListVisit.objects.update_or_create(
                user=person, rubric=rubric, defaults={{"seen_at": now, "new_since": new_since}}
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE leads_leaddisposition, leads_leadlistvisit")

        clients = {{}}
        for username, person in people.items():
            clients[username] = Client(HTTP_HOST="localhost")
            clients[username].force_login(person)

        def get(kind, username, params=None):
            params = MIX[kind](username) if params is None else params
            started = time.perf_counter()
            # The demo rubric's list, named: the list opens on the first rubric by name, which another figure's
            # rubric (event_to_score's) may be.
            response = clients[username].get("/leads/", {{"rubric": rubric.pk, **params}})
            elapsed = time.perf_counter() - started
            rows = response.content.decode().count('data-testid="lead-score"')
            assert response.status_code == 200 and rows, (kind, username, params, response.status_code, rows)
            return elapsed * 1000

        def get_floor(username):
            # The server's floor: a trivial signed-in page (the password form) through the same client and
            # middleware (session, user, the layout and its menu), right after each lead page, so under its load.
            started = time.perf_counter()
            response = clients[username].get("/accounts/password_change/")
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            return elapsed * 1000

        # Warm up every kind for every person, counting each request's queries first (logging them
        # costs time, so the measured requests run with DEBUG off, as in production).
        for kind in MIX:
            for username in people:
                with CaptureQueriesContext(connection) as captured:
                    get(kind, username)
                queries[kind] = max(queries.get(kind, 0), len(captured))
        settings.DEBUG = False
        for kind in list(MIX) * 2:
            for username in people:
                get(kind, username)
        plan = list(MIX) * {rounds}
        rng.shuffle(plan)
        for kind in plan:
            username = pick(sorted(people))
            params = MIX[kind](username)
            samples.append((kind, username, get(kind, username, params), urlencode(params)))
            floor.append(get_floor(username))
        raise Rollback
except Rollback:
    pass
with open({out!r}, "w") as out:
    json.dump({{"samples": samples, "queries": queries, "floor": floor}}, out)
"""
LEAD_LIST_ROUNDS = 24  # measured requests of each kind: 16 kinds, 384 requests


def lead_list() -> dict:
    """Server time of the lead list (the leads:list view through Django's test client: middleware, form,
    queries, template) over a seeded mix of first, filtered, sorted and deep pages, as the demo admin
    and the two demo reps (after seed_1m); p50 and p95 of all requests, and each kind's on the side.

    The floor is the same server's for a trivial signed-in page (the password form), asked right after
    each lead page; lead_list_p95_ratio, the lead list's p95 over the floor's, is a property of the
    product more than of the machine and its load."""
    import statistics

    manage("migrate", "--noinput")  # the base may predate the code's indexes
    # What autovacuum would have done by now (the test server runs without it): statistics for the
    # planner, and visibility maps for index-only scans.
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        for table in ("customers_customer", "rubrics_score", "rubrics_qualificationchange", "leads_leaddisposition"):
            connection.execute(f"VACUUM ANALYZE {table}")
    with tempfile.TemporaryDirectory() as folder:
        out = f"{folder}/times.json"
        manage("shell", "--no-imports", "-c", LEAD_LIST.format(out=out, rounds=LEAD_LIST_ROUNDS))
        measured = json.loads(Path(out).read_text())
    by_kind: dict[str, list[float]] = {}
    for kind, _, ms, _ in measured["samples"]:
        by_kind.setdefault(kind, []).append(ms)
    for kind, times in sorted(by_kind.items(), key=lambda item: -statistics.median(item[1])):
        print(
            f"  {kind:<14} median {statistics.median(times):6.1f} ms, max {max(times):6.1f} ms"
            f" ({len(times)} requests, {measured['queries'][kind]} queries each at most)",
            flush=True,
        )
    slowest = sorted(measured["samples"], key=lambda sample: -sample[2])[:5]
    print("  slowest: " + "; ".join(f"{ms:.0f} ms {who} ?{query}" for _, who, ms, query in slowest), flush=True)
    samples = [ms for _, _, ms, _ in measured["samples"]]
    p95 = statistics.quantiles(samples, n=100, method="inclusive")[94]
    floor_p95 = statistics.quantiles(measured["floor"], n=100, method="inclusive")[94]
    return {
        "lead_list_p50_ms": (statistics.median(samples), "ms"),
        "lead_list_p95_ms": (p95, "ms"),
        "lead_list_floor_p95_ms": (floor_p95, "ms"),
        "lead_list_p95_ratio": (p95 / floor_p95, "x"),
    }


WORKSHOP = """
import json, random, time
from django.conf import settings
from django.db import transaction
from django.test import Client
from profiles.models import Profile
from teams.models import Role, Team, User
from workshops.models import Proposal
from workshops.services.room import step_open, workshop_create

rng = random.Random(6)
teams = [Team.objects.get_or_create(slug=slug, defaults={{"name": name}})[0] for slug, name in Team.DEFAULTS]


class Rollback(Exception):
    pass


samples = {{"poll": [], "act": []}}
try:
    with transaction.atomic():
        facilitator = User.objects.create(username="bench-facilitator", role=Role.FACILITATOR, team=teams[0])
        people = [
            User.objects.create(username=f"bench-{{number}}", role=Role.MEMBER, team=teams[number % 3])
            for number in range({participants})
        ]
        workshop = workshop_create(
            profile=Profile.objects.create(name="Bench workshop profile"),
            title="Bench workshop",
            facilitator=facilitator,
            invitees=people,
            voting="agree",
        )
        step = workshop.steps.get(position=3)
        step_open(step=step, user=facilitator)
        clients, etags = {{}}, {{}}
        for person in [facilitator, *people]:
            clients[person.pk] = Client(HTTP_HOST="localhost", headers={{"HX-Request": "true"}})
            clients[person.pk].force_login(person)
        regions = {{
            "proposals": f"/workshops/steps/{{step.pk}}/proposals/",
            "bar": f"/workshops/steps/{{step.pk}}/bar/",
            "board": f"/workshops/steps/{{step.pk}}/board/live/",
        }}

        def timed(kind, call):
            started = time.perf_counter()
            response = call()
            samples[kind].append((time.perf_counter() - started) * 1000)
            return response

        def poll(person, region):
            key = (person.pk, region)
            headers = {{"If-None-Match": etags[key]}} if key in etags else {{}}
            response = timed("poll", lambda: clients[person.pk].get(regions[region], headers=headers))
            assert response.status_code in (200, 304), response.status_code
            etags[key] = response.get("ETag", etags.get(key))

        def act(person, number):
            proposals = list(Proposal.objects.filter(step=step).values_list("pk", flat=True))
            proposal = f"/workshops/proposals/{{rng.choice(proposals)}}" if proposals else ""
            if number % 3 == 0 or not proposals:
                url = f"/workshops/steps/{{step.pk}}/propose/"
                data = {{"section": "pain_points", "text": f"Pain {{number}}"}}
            elif number % 3 == 1:
                url, data = f"{{proposal}}/vote/", {{"value": rng.choice([1, -1])}}
            else:
                url, data = f"{{proposal}}/comment/", {{"text": f"Comment {{number}}"}}
            response = timed("act", lambda: clients[person.pk].post(url, data))
            assert response.status_code in (200, 409), (url, response.status_code)

        settings.DEBUG = False
        actors = people[:{actors}]
        number = 0
        for second in range({seconds}):
            # Each second: the 5 actors act, then all 30 participants poll the proposals and the step bar,
            # and the facilitator polls the board (as htmx does every second).
            for person in actors:
                act(person, number)
                number += 1
            for person in people:
                poll(person, "proposals")
                poll(person, "bar")
            poll(facilitator, "board")
            if second % 4 == 3:  # a quiet second: nobody acts, every poll is answered 304
                for person in people:
                    poll(person, "proposals")
                    poll(person, "bar")
                poll(facilitator, "board")
        raise Rollback
except Rollback:
    pass
with open({out!r}, "w") as out:
    json.dump(samples, out)
"""


def workshop() -> dict:
    """Server time of a live workshop (views through Django's test client): 30 participants polling the
    proposals and the step bar and a facilitator polling the board every second, while 5 of them propose,
    vote and comment; every fourth second is quiet (all 304). p95 of all requests, polls and actions."""
    import statistics

    manage("migrate", "--noinput")
    with tempfile.TemporaryDirectory() as folder:
        out = f"{folder}/times.json"
        script = WORKSHOP.format(out=out, participants=30, actors=5, seconds=40)
        manage("shell", "--no-imports", "-c", script)
        measured = json.loads(Path(out).read_text())
    everything = measured["poll"] + measured["act"]

    def p95(times):
        return statistics.quantiles(times, n=100, method="inclusive")[94]

    for kind, times in measured.items():
        median = statistics.median(times)
        print(f"  {kind:<5} median {median:6.1f} ms, p95 {p95(times):6.1f} ms ({len(times)} requests)", flush=True)
    return {
        "workshop_p95_ms": (p95(everything), "ms"),
        "workshop_poll_p95_ms": (p95(measured["poll"]), "ms"),
        "workshop_act_p95_ms": (p95(measured["act"]), "ms"),
    }


def events_ingest() -> dict:
    """Engagement events through POST /api/events/, batches of 1,000 (bench/events.py)."""
    return events.events_ingest(_manage_with_broker)


def event_to_score() -> dict:
    """From an event's POST to its account's score moving, 100 events/s, a real worker (bench/events.py)."""
    return events.event_to_score(_Worker, _manage_with_broker, WORKER_READY)


# How cost grows (issue 20): these figures measured again on a base of GROWTH_CUSTOMERS, in a database of its
# own, named <figure on the 4M base> and compared with the 1M figure of the same name.
GROWTH_CUSTOMERS = int(os.environ.get("BENCH_GROWTH_CUSTOMERS", 4_000_000))
GROWN = {
    "rescore_full": {"rescore_full_s": "rescore_full_4m_s"},
    "preview": {"preview_s": "preview_4m_s"},
    "export_1m": {"export_1m_s": "export_4m_s"},
    "lead_list": {"lead_list_p95_ms": "lead_list_p95_4m_ms"},
    "workshop": {"workshop_p95_ms": "workshop_p95_4m_ms"},
}


def growth() -> dict:
    """Seed GROWTH_CUSTOMERS (4M) customers in a database of their own (BENCH_GROWTH_DATABASE_URL, by default
    the bench database's name with _4m), measure there the re-score, the preview, the export, the lead list
    and the workshop as on the 1M base (this script again, on that database, with its results apart), and
    give each figure on the larger base and its ratio to the 1M figure: 4.4 or less for the first three (no
    worse than linear with 10% to spare), about 1 for the lead list and the workshop (they should not grow).
    Not part of a plain `make bench` (it takes longer than the rest): `python bench/run.py growth`."""
    parts = urlsplit(DATABASE_URL)
    grown_url = os.environ.get(
        "BENCH_GROWTH_DATABASE_URL", urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_4m"))
    )
    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "results.json"
        env = {
            **os.environ,
            "BENCH_DATABASE_URL": grown_url,
            "BENCH_RESULTS": str(results),
            "BENCH_SEED_CUSTOMERS": str(GROWTH_CUSTOMERS),
        }
        subprocess.run([sys.executable, __file__, "seed_1m", *GROWN], cwd=ROOT, env=env, check=True)
        grown = json.loads(results.read_text())
    figures = {"seed_4m_s": (grown["seed_1m_s"]["value"], "s")}
    for names in GROWN.values():
        for name, grown_name in names.items():
            figures[grown_name] = (grown[name]["value"], grown[name]["unit"])
            base = _last(name)
            if base:
                figures[grown_name.removesuffix("_s").removesuffix("_ms") + "_ratio"] = (
                    grown[name]["value"] / base,
                    "x",
                )
    return figures


# The figures of this run so far, and those on record before it (main): a figure measured earlier in the same run
# (the floor before rescore_full, rescore_full before growth) is the one compared with, not the one the file held.
_results: dict[str, dict] = {}


def _last(figure: str) -> float | None:
    return _results.get(figure, {}).get("value")


FIGURES = {
    "seed_1m": seed_1m,
    "export_1m": export_1m,
    "export_xlsx_5k": export_xlsx_5k,
    "import_100k": import_100k,
    "rescore_raw_sql": rescore_raw_sql,
    "rescore_floor": rescore_floor,
    "rescore_full": rescore_full,
    "rescore_two_workers": rescore_two_workers,
    "rescore_one_customer": rescore_one_customer,
    "routing": routing,
    "preview": preview,
    "accuracy_1m": accuracy_1m,
    "evidence": evidence_1m,
    "suggest_weights": suggest_weights_1m,
    "backtest": backtest_1m,
    "lead_list": lead_list,
    "lookalikes": lookalikes_1m,
    "workshop": workshop,
    "workshop_propagation": workshop_propagation,
    "events_ingest": events_ingest,
    "event_to_score": event_to_score,
    "growth": growth,
}
ONLY_WHEN_NAMED = {"growth"}


def main(names: list[str]) -> None:
    unknown = set(names) - set(FIGURES)
    if unknown:
        raise SystemExit(f"unknown figures {sorted(unknown)}; known: {sorted(FIGURES)}")
    results = _results
    results.update(json.loads(RESULTS.read_text()) if names and RESULTS.exists() else {})
    if not names or "seed_1m" in names:
        recreate_database()
    for name, measure in FIGURES.items():
        if (names and name not in names) or (not names and name in ONLY_WHEN_NAMED):
            continue
        for figure, (value, unit) in measure().items():
            results[figure] = {"value": round(value, 3), "unit": unit}
            print(f"{figure}: {value:.3f} {unit}", flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
