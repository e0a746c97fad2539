"""Benchmarks of the evidence shown beside criteria, at 1M customers (after seed_1m).

``evidence_1m()``:
- ``value_profile_build_1m_s``: building the value profile of the base (one statement, a GROUP BY per field);
- ``criterion_evidence_p95_ms``: the evidence of 31 rules (the demo rubric's criteria and rules a workshop
  proposes: lists of industries and countries, employee and revenue ranges, titles, yes / no fields), each
  asked 5 times as the product asks it (rubrics.evidence.criterion_evidence: the base's generation read,
  the field's profile fetched from Redis, every value decided by the scoring engine), p95 in ms;
- ``criterion_evidence_direct_p95_ms``: the same rules asked of the database (one aggregate query each),
  what the product answers while the profile is being rebuilt after the base changed.

``suggest_weights_1m()``: ``suggest_weights_1m_s``, fitting the demo rubric's weights on the decided deals
(rubrics.suggested_weights.weights_suggest, no cache), median of three after a warm-up.

``backtest_1m()``: ``backtest_1m_s``, the backtest of a draft against the published demo rubric on the same
decided deals (rubrics.backtest: one aggregate pass over the base for both versions, grouped by owner and deal
outcome, then AUCs with DeLong's test, lift, captured share and leads per owner), median of three after a
warm-up. The draft is the demo rubric with industry a must-have, a disqualifier, a cap on engagement and
other points: what a workshop changes.

They only read the base (the profile goes to the bench Redis database).
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/icp_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")

EVIDENCE = """
import json, statistics, time
from rubrics import scoring, value_profile
from rubrics.demo import demo_rubric_ensure
from rubrics.evidence import PROFILE, criterion_evidence, rule_evidence
from rubrics.fields import field_kind
from rubrics.selectors import version_spec


def rule(field, operator, *values, bands=()):
    return scoring.Criterion(
        id=0, field=field, kind=field_kind(field), operator=operator, values=values, points=1,
        bands=tuple(scoring.Band(points=1, min=low, max=high) for low, high in bands),
    )


rules = list(version_spec(demo_rubric_ensure()).criteria) + [
    rule("industry", "in", "Software"),
    rule("industry", "in", "Software", "Healthcare"),
    rule("industry", "not_in", "Government", "Education"),
    rule("industry", "in", "Retail", "Logistics", "Manufacturing"),
    rule("country", "in", "Germany", "France", "Netherlands", "United Kingdom"),
    rule("country", "in", "United States"),
    rule("region", "in", "EMEA"),
    rule("employees", "between", 200, 2000),
    rule("employees", "between", 50, 199),
    rule("employees", "gte", 1000),
    rule("employees", "lte", 49),
    rule("annual_revenue", "gte", 10_000_000),
    rule("annual_revenue", "between", 1_000_000, 50_000_000),
    rule("contact_titles", "contains_any", "CFO", "Finance"),
    rule("contact_titles", "contains_any", "Head of"),
    rule("website_visits_30d", "gte", 20),
    rule("email_clicks_30d", "bands", bands=[(1, 4), (5, None)]),
    rule("is_prominent_brand", "true"),
    rule("has_public_review", "true"),
    rule("social_engagements_30d", "gte", 5),
]
started = time.perf_counter()
value_profile.profile_build()
build = time.perf_counter() - started


def p95(times):
    return statistics.quantiles(times, n=20)[-1] * 1000


times, from_profile = [], 0
for _ in range(5):
    for criterion in rules:
        started = time.perf_counter()
        evidence = criterion_evidence(criterion)
        times.append(time.perf_counter() - started)
        from_profile += evidence.source == PROFILE
direct = []
for criterion in rules:
    started = time.perf_counter()
    rule_evidence(criterion)
    direct.append(time.perf_counter() - started)
with open({out!r}, "w") as out:
    json.dump({{"build": build, "p95": p95(times), "direct": p95(direct), "rules": len(rules),
                "asked": len(times), "from_profile": from_profile}}, out)
"""

SUGGEST = """
import json, statistics, time
from rubrics.demo import demo_rubric_ensure
from rubrics.selectors import version_spec
from rubrics.suggested_weights import weights_suggest

rubric = version_spec(demo_rubric_ensure())
weights_suggest(rubric)
runs = []
for _ in range(3):
    started = time.perf_counter()
    suggestion = weights_suggest(rubric)
    runs.append(time.perf_counter() - started)
with open({out!r}, "w") as out:
    json.dump({{"seconds": statistics.median(runs), "won": suggestion.won, "lost": suggestion.lost,
                "sentence": suggestion.sentence}}, out)
"""


BACKTEST = """
import dataclasses, json, statistics, time
from rubrics import scoring
from rubrics.backtest import backtest_of, counted_rows
from rubrics.demo import demo_rubric_ensure
from rubrics.selectors import version_spec

published = version_spec(demo_rubric_ensure())
changed = []
for criterion in published.criteria:
    if criterion.field == "industry":
        criterion = dataclasses.replace(criterion, gate=scoring.GATE_MUST)
    elif criterion.field == "region":
        criterion = dataclasses.replace(criterion, points=2)
    changed.append(criterion)
changed.append(scoring.Criterion(id=10**9, field="country", kind="category", operator="in", values=("Brazil",),
                                 gate=scoring.GATE_NEVER, label="Not sold there"))
draft = dataclasses.replace(published, criteria=tuple(changed), caps=(("engagement", 6),))
specs = [draft, published]


def measure():
    started = time.perf_counter()
    backtest = backtest_of(specs, counted_rows(specs))
    return time.perf_counter() - started, backtest


measure()
runs = [measure() for _ in range(3)]
with open({out!r}, "w") as out:
    json.dump({{"seconds": statistics.median(seconds for seconds, _ in runs), "sentence": runs[-1][1].sentence}}, out)
"""


def _shell(code: str) -> dict:
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "DEBUG": "true", "ENV_FILE": os.devnull}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with tempfile.TemporaryDirectory() as folder:
        out = f"{folder}/figures.json"
        subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", code.format(out=out)],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return json.loads(Path(out).read_text())


def evidence_1m() -> dict:
    """The value profile's build, and the evidence of 31 rules from it and from the database (after seed_1m)."""
    found = _shell(EVIDENCE)
    print(
        f"criterion evidence: {found['from_profile']} of {found['asked']} answers from the value profile "
        f"({found['rules']} rules)",
        flush=True,
    )
    return {
        "value_profile_build_1m_s": (found["build"], "s"),
        "criterion_evidence_p95_ms": (found["p95"], "ms"),
        "criterion_evidence_direct_p95_ms": (found["direct"], "ms"),
    }


def suggest_weights_1m() -> dict:
    """Suggested weights of the demo rubric fitted on the decided deals of the 1M base."""
    found = _shell(SUGGEST)
    print(f"suggested weights: {found['sentence']}", flush=True)
    return {"suggest_weights_1m_s": (found["seconds"], "s")}


def backtest_1m() -> dict:
    """A changed draft of the demo rubric backtested against the published one on the 1M base."""
    found = _shell(BACKTEST)
    print(f"backtest: {found['sentence']}", flush=True)
    return {"backtest_1m_s": (found["seconds"], "s")}


if __name__ == "__main__":
    for name, (value, unit) in {**evidence_1m(), **suggest_weights_1m(), **backtest_1m()}.items():
        print(f"{name}: {value:.3f} {unit}")
