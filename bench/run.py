"""Benchmarks: `make bench` prints each figure and writes them all to .bench/results.json.

They measure; they do not assert. Each figure is a function below, listed in
FIGURES; `python bench/run.py NAME ...` runs only some and keeps the others' last
values in the results file.

The database is PostgreSQL (BENCH_DATABASE_URL, by default a database icp_bench
on 127.0.0.1:5432 that the run recreates).
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / ".bench" / "results.json"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/icp_bench")


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
    manage("seed_demo", "--customers", "1000000")
    return {"seed_1m_s": (time.perf_counter() - started, "s")}


EXPORT_1M = """
from customers.exports import csv_chunks, export_rows
from customers.selectors import CustomerFilters, customer_list
with open("/dev/null", "wb") as out:
    for chunk in csv_chunks(export_rows(customer_list(filters=CustomerFilters()))):
        out.write(chunk)
"""


def export_1m() -> dict:
    """The streamed CSV export of every customer (after seed_1m), in list order, to /dev/null."""
    started = time.perf_counter()
    manage("shell", "--no-imports", "-c", EXPORT_1M)
    return {"export_1m_s": (time.perf_counter() - started, "s")}


IMPORT_100K = """
import json, time
from django.core.files import File
from customers.imports import import_analyse, import_commit, import_job_create
from customers.models import ImportJob, ImportStatus
with open({path!r}, "rb") as handle:
    job = import_job_create(file=File(handle), name="hubspot-100k.csv", user=None)
ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.ANALYSING)
job.refresh_from_db()
started = time.perf_counter()
job = import_analyse(job=job)
checked = time.perf_counter()
ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
job.refresh_from_db()
job = import_commit(job=job)
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

# The demo rubric's totals (rubrics/demo.py) in one hand-written UPDATE: the floor a re-score is compared with.
RAW_RESCORE = """
UPDATE rubrics_score AS s SET total = c.total, qualified = c.total >= 12, scored_at = now()
FROM (
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
) AS c
WHERE s.customer_id = c.id
"""

_measured: dict[str, float] = {}


def _vacuum_scores() -> None:
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE rubrics_score")


def rescore_raw_sql() -> dict:
    """The baseline: the demo rubric's totals for all 1M customers in one raw SQL UPDATE (after seed_1m)."""
    _vacuum_scores()
    with psycopg.connect(DATABASE_URL) as connection:
        connection.execute("SET jit = off")
        started = time.perf_counter()
        connection.execute(RAW_RESCORE)
        connection.commit()
        elapsed = time.perf_counter() - started
    _measured["raw"] = elapsed
    return {"rescore_raw_sql_s": (elapsed, "s")}


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

        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
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
from rubrics.editing import draft_create
from rubrics.models import RescoreJob
from rubrics.rescoring import rubric_publish
published = demo_rubric_ensure()
draft = draft_create(rubric=published.rubric, user=None)
started = time.perf_counter()
job = rubric_publish(version=draft, user=None)
while RescoreJob.objects.filter(pk=job.pk, status__in=["queued", "running"]).exists():
    time.sleep(0.05)
elapsed = time.perf_counter() - started
job.refresh_from_db()
assert job.status == "done" and job.rows_changed == job.rows_total, (job.status, job.error, job.rows_changed)
with open({out!r}, "w") as out:
    json.dump({{"seconds": elapsed, "chunks": job.chunks_total}}, out)
"""
)


def _publish_through_workers(concurrency: int) -> float:
    _vacuum_scores()
    with tempfile.TemporaryDirectory() as folder, _Worker(concurrency):
        out = f"{folder}/times.json"
        _manage_with_broker("shell", "--no-imports", "-c", PUBLISH_DEMO.format(out=out))
        return json.loads(Path(out).read_text())["seconds"]


def _manage_with_broker(*args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=_worker_env(), check=True, stdout=subprocess.DEVNULL
    )


def rescore_full() -> dict:
    """Publishing a copy of the demo rubric to its job's end, through one real worker process (after seed_1m)."""
    elapsed = _publish_through_workers(1)
    figures = {"rescore_full_s": (elapsed, "s")}
    raw = _measured.get("raw") or _last("rescore_raw_sql_s")
    if raw:
        figures["rescore_ratio"] = (elapsed / raw, "x")
    return figures


def rescore_two_workers() -> dict:
    """The same publish with two worker processes (concurrency 2)."""
    return {"rescore_two_workers_s": (_publish_through_workers(2), "s")}


ONE_CUSTOMER = (
    WORKER_READY
    + """
import json, statistics
from customers.models import Customer
from customers.services import customer_update
from rubrics.demo import TARGET_INDUSTRIES
from rubrics.models import Score
samples = []
for customer in Customer.objects.order_by("pk")[:7]:
    before = Score.objects.values_list("total", flat=True).get(customer=customer)
    industry = "Retail" if customer.industry in TARGET_INDUSTRIES else "Software"  # the total always moves
    started = time.perf_counter()
    customer_update(customer=customer, values={{"industry": industry}}, user=None)
    while Score.objects.values_list("total", flat=True).get(customer=customer) == before:
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


PREVIEW = """
import json, time
from rubrics.demo import demo_rubric_ensure
from rubrics.editing import draft_create
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


def _last(figure: str) -> float | None:
    if not RESULTS.exists():
        return None
    return json.loads(RESULTS.read_text()).get(figure, {}).get("value")


FIGURES = {
    "seed_1m": seed_1m,
    "export_1m": export_1m,
    "import_100k": import_100k,
    "rescore_raw_sql": rescore_raw_sql,
    "rescore_full": rescore_full,
    "rescore_two_workers": rescore_two_workers,
    "rescore_one_customer": rescore_one_customer,
    "preview": preview,
}


def main(names: list[str]) -> None:
    unknown = set(names) - set(FIGURES)
    if unknown:
        raise SystemExit(f"unknown figures {sorted(unknown)}; known: {sorted(FIGURES)}")
    results = json.loads(RESULTS.read_text()) if names and RESULTS.exists() else {}
    recreate_database()
    for name, measure in FIGURES.items():
        if names and name not in names:
            continue
        for figure, (value, unit) in measure().items():
            results[figure] = {"value": round(value, 3), "unit": unit}
            print(f"{figure}: {value:.3f} {unit}", flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
