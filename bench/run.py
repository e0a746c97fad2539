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


FIGURES = {"seed_1m": seed_1m}


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
