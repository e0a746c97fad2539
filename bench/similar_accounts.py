"""Benchmark of similar accounts (lookalikes) over the 1M base that seed_1m leaves.

``lookalikes_1m()`` returns:
- ``lookalike_build_1m_s``: learning the weights and building every account's vector (services.similarity_build);
- ``lookalike_load_1m_s``: a process's first search reading every vector into its matrix;
- ``lookalike_p95_ms``: the top 50 (lookalikes_find, prospects only, checked against the database) for seeds of
  1 account, 20 accounts and every won deal, 30 searches each after one warm-up, p95 over all 90;
- ``lookalike_floor_p95_ms``: the least any scoring of the same accounts costs on this machine at this moment:
  numpy's bare matrix-vector product over the matrix's feature codes (as float32, one row per account) and
  ``argpartition`` for the best 50, timed right after each search (so under the same load), p95 over all 90;
- ``lookalike_p95_ratio``: the first p95 over the second, a property of the product more than of the machine.

The search is exact (every account scored), so there is no recall figure: it is 1.0 by construction.
Run it alone with ``python bench/similar_accounts.py`` (BENCH_DATABASE_URL names the database, as for run.py);
``--search-only`` times the searches with the model already built (no build figure).
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/icp_bench")

LOOKALIKES = """
import json, random, statistics, time
import numpy as np
from customers.models import Customer
from lookalikes.features import STAGE
from lookalikes.matrix import matrix_current
from lookalikes.selectors import LookalikeFilters, SeedAccounts, lookalikes_find, similarity_model_ready
from lookalikes.services import similarity_build_now

build = None
if {build!r}:
    started = time.perf_counter()
    model = similarity_build_now(reason="bench")
    build = time.perf_counter() - started
else:
    model = similarity_model_ready()

ids = list(Customer.objects.order_by("?").values_list("pk", flat=True)[:21])
seeds = {{
    "1": SeedAccounts(label="one", customer_ids=tuple(ids[:1])),
    "20": SeedAccounts(label="twenty", customer_ids=tuple(ids[1:21])),
    "won": SeedAccounts(label="won", won=True),
}}
filters = LookalikeFilters(prospects=True)
started = time.perf_counter()
lookalikes_find(seed=seeds["1"], filters=filters, per_page=50)
load = time.perf_counter() - started

codes = np.ascontiguousarray(matrix_current(model.pk).columns[:STAGE].T, dtype=np.float32)
weights = np.random.default_rng(19).random(codes.shape[1], dtype=np.float32)

def floor():
    started = time.perf_counter()
    np.argpartition(codes @ weights, -50)[-50:]
    return time.perf_counter() - started

times, floors = {{}}, []
for name, seed in seeds.items():
    lookalikes_find(seed=seed, filters=filters, per_page=50)
    times[name] = []
    for _ in range(30):
        started = time.perf_counter()
        page = lookalikes_find(seed=seed, filters=filters, per_page=50)
        times[name].append(time.perf_counter() - started)
        assert len(page.results) == 50
        floors.append(floor())

def p95(values):
    return statistics.quantiles(values, n=20)[-1]

everything = [value for values in times.values() for value in values]
with open({out!r}, "w") as out:
    json.dump({{
        "build": build, "load": load, "p95": p95(everything), "accounts": model.accounts,
        "by_seed": {{name: p95(values) for name, values in times.items()}},
        "floor": p95(floors), "floor_median": statistics.median(floors),
        "won": model.won, "lost": model.lost,
    }}, out)
"""


def lookalikes_1m(*, build: bool = True) -> dict:
    """Similar accounts over the whole base (after seed_1m): the build, the first read, the top 50's p95."""
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "DEBUG": "true", "ENV_FILE": os.devnull}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with tempfile.TemporaryDirectory() as folder:
        out = f"{folder}/times.json"
        subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", LOOKALIKES.format(out=out, build=build)],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        measured = json.loads(Path(out).read_text())
    by_seed = ", ".join(f"{name} {seconds * 1000:.1f} ms" for name, seconds in measured["by_seed"].items())
    print(
        f"  {measured['accounts']:,} accounts, weights from {measured['won']:,} won and {measured['lost']:,} lost;"
        f" p95 by seed: {by_seed}; floor median {measured['floor_median'] * 1000:.1f} ms",
        flush=True,
    )
    figures = {
        "lookalike_load_1m_s": (measured["load"], "s"),
        "lookalike_p95_ms": (measured["p95"] * 1000, "ms"),
        "lookalike_floor_p95_ms": (measured["floor"] * 1000, "ms"),
        "lookalike_p95_ratio": (measured["p95"] / measured["floor"], "×"),
    }
    if measured["build"] is not None:
        figures["lookalike_build_1m_s"] = (measured["build"], "s")
    return figures


if __name__ == "__main__":
    for figure, (value, unit) in lookalikes_1m(build="--search-only" not in sys.argv[1:]).items():
        print(f"{figure}: {value:.3f} {unit}")
