"""Benchmark of the analytics app: the accuracy of the ICP (bands, lift, AUC, version comparison) at 1M customers.

``accuracy_1m()`` returns {"accuracy_1m_s": (seconds, "s")}: what the accuracy page and
``GET /api/analytics/accuracy/`` compute for the first analysed rubric, serialised as the API answers
(deciles, grades, lift, AUC with DeLong's interval), compared with the version published before it,
scored on the fly over the same customers (or, when there is none, the published version less its
engagement criteria, as an older version would be). One warm-up, then the median of three runs.

It only reads: the session is read-only, so it can run on a database someone else is changing.
Run it alone with ``python bench/accuracy.py`` (BENCH_DATABASE_URL names the database, as for run.py).
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/icp_bench")

ACCURACY = """
import dataclasses, json, statistics, time
from django.db import connection
from analytics.accuracy import accuracy_measure, previous_version
from analytics.selectors import analysed_rubric, analysed_rubrics
from analytics.serializers import AccuracySerializer
from rubrics.selectors import version_spec

with connection.cursor() as cursor:
    cursor.execute("SET default_transaction_read_only = on")  # measures, never writes
rubric, version = analysed_rubric(analysed_rubrics().first().pk)
against, against_spec = previous_version(version), None
if against is None:
    published = version_spec(version)
    against_spec = dataclasses.replace(
        published, criteria=tuple(c for c in published.criteria if c.group != "engagement")
    )


def measure():
    started = time.perf_counter()
    measured = accuracy_measure(
        rubric=rubric, version=version, against=against, against_spec=against_spec, against_label="fit only"
    )
    body = AccuracySerializer(measured).data
    return time.perf_counter() - started, body


measure()
runs = [measure() for _ in range(3)]
_, body = runs[-1]
with open({out!r}, "w") as out:
    json.dump(
        {{
            "seconds": statistics.median(seconds for seconds, _ in runs),
            "customers": body["published"]["base"]["customers"],
            "auc": body["published"]["auc"]["value"],
            "compared_auc": body["compared"]["auc"]["value"],
            "compared": body["compared"]["label"],
        }},
        out,
    )
"""


def accuracy_1m() -> dict:
    """The accuracy of the published rubric, with the comparison, over the whole base (after seed_1m)."""
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "DEBUG": "true", "ENV_FILE": os.devnull}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with tempfile.TemporaryDirectory() as folder:
        out = f"{folder}/times.json"
        subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", ACCURACY.format(out=out)],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        measured = json.loads(Path(out).read_text())
    print(
        f"  {measured['customers']:,} scored customers; AUC {measured['auc']:.4f},"
        f" {measured['compared']} {measured['compared_auc']:.4f}",
        flush=True,
    )
    return {"accuracy_1m_s": (measured["seconds"], "s")}


if __name__ == "__main__":
    for figure, (value, unit) in accuracy_1m().items():
        print(f"{figure}: {value:.3f} {unit}")
