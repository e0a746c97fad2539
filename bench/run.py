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
    """A messy 100,000-row HubSpot export into the 1M base: the check (dry run), then the import job."""
    from import_file import write

    with tempfile.TemporaryDirectory() as folder:
        path, out = f"{folder}/hubspot-100k.csv", f"{folder}/times.json"
        write(path, 100_000)
        manage("shell", "--no-imports", "-c", IMPORT_100K.format(path=path, out=out))
        times = json.loads(Path(out).read_text())
    return {
        "import_check_100k_s": (times["check"], "s"),
        "import_write_100k_s": (times["import"], "s"),
        "import_100k_s": (times["check"] + times["import"], "s"),
    }


FIGURES = {"seed_1m": seed_1m, "export_1m": export_1m, "import_100k": import_100k}


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
