"""A draft judged by real outcomes before it goes live: the backtest against the published version.

Both versions score the same customers in one aggregate pass over the base (compile.versions_counted_sql,
grouped also by each customer's owner and deal outcome). From the counts:

1. each version's AUC of won against lost deals, ordering customers by rank (whoever passes the gates first,
   then by total), with DeLong's 95% interval; the two compared with DeLong's paired test on the same deals;
2. the lift of the qualified band: the win rate of the decided deals a version qualifies over the win rate
   of all decided deals, and the share of the won deals it qualifies (captured);
3. how many leads each owner would get at the threshold by each version;
4. one sentence saying which version separates better, and whether the draft reads fields known only after
   the sale (they flatter any backtest: a customer has them because it bought).

A draft that separates significantly worse (p < 0.05) is ``worse``: publishing it asks for a reason.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection

from customers.models import Customer
from ops.planner import wide_aggregate_planning
from outcomes.populations import known_after_the_sale
from outcomes.stats import SMALL_GROUP, Auc, AucComparison, Estimate, auc, auc_compare, ratio, wilson
from teams.models import User

from . import scoring
from .compile import versions_counted_sql
from .fields import field_label
from .value_profile import base_generation

WON, LOST = "won", "lost"
CACHE_SECONDS = 600


@dataclass(frozen=True)
class Counted:
    """How many customers get these totals and verdicts by the versions, with this owner and deal outcome."""

    totals: tuple[int, ...]
    qualified: tuple[bool, ...]
    passes: tuple[bool, ...]
    owner_id: int | None
    outcome: str
    count: int


def counted_rows(specs: list[scoring.Rubric]) -> list[Counted]:
    """One aggregate pass over the base: customers per (each version's total, qualified, passes; owner; outcome)."""
    sql, params = versions_counted_sql(specs, Customer.objects.all(), by=("owner_id", "deal_outcome"))
    with wide_aggregate_planning(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    size = len(specs)
    counted = []
    for row in rows:
        verdicts, (owner_id, outcome, count) = row[: 3 * size], row[3 * size :]
        counted.append(
            Counted(
                totals=tuple(verdicts[0::3]),
                qualified=tuple(bool(value) for value in verdicts[1::3]),
                passes=tuple(bool(value) for value in verdicts[2::3]),
                owner_id=owner_id,
                outcome=outcome or "",
                count=int(count),
            )
        )
    return counted


@dataclass(frozen=True)
class VersionBacktest:
    """One version on the decided deals."""

    label: str
    auc: Auc
    won: int
    lost: int
    qualified_won: int
    qualified_lost: int

    @property
    def qualified_win_rate(self) -> Estimate:
        return wilson(self.qualified_won, self.qualified_won + self.qualified_lost)

    @property
    def win_rate(self) -> Estimate:
        return wilson(self.won, self.won + self.lost)

    @property
    def lift(self) -> float | None:
        """The qualified band's win rate over all decided deals' win rate."""
        return ratio(self.qualified_win_rate.value, self.win_rate.value)

    @property
    def captured(self) -> Estimate:
        """The share of the won deals this version qualifies."""
        return wilson(self.qualified_won, self.won)


@dataclass(frozen=True)
class OwnerLeads:
    name: str
    draft: int
    published: int | None


@dataclass
class Backtest:
    draft: VersionBacktest
    published: VersionBacktest | None = None
    comparison: AucComparison | None = None
    owners: list[OwnerLeads] = field(default_factory=list)
    after_the_sale: list[str] = field(default_factory=list)  # fields the draft reads that are known only then

    @property
    def too_few(self) -> bool:
        return min(self.draft.won, self.draft.lost) < SMALL_GROUP

    @property
    def better(self) -> str | None:
        """ "draft" or "published" when one separates won from lost significantly better; else None."""
        if self.too_few or self.comparison is None or self.comparison.better is None:
            return None
        return "draft" if self.comparison.better == "first" else "published"

    @property
    def worse(self) -> bool:
        """The draft separates won from lost deals significantly worse than the published version."""
        return self.better == "published"

    @property
    def sentence(self) -> str:
        draft = self.draft
        if self.too_few:
            return (
                f"Too few decided deals to backtest: {draft.won:,} won and {draft.lost:,} lost "
                f"(at least {SMALL_GROUP} of each are needed)."
            )
        draft_auc = _auc_words(draft.auc)
        if self.published is None:
            return f"The draft separates won from lost deals with an AUC of {draft_auc}; nothing is published yet."
        if self.comparison.p_value is None and not self.comparison.difference:
            return f"The draft ranks won and lost deals as the published version does: AUC {draft_auc}."
        published_auc, p_value = _auc_words(self.published.auc), _p_words(self.comparison.p_value)
        verdict = {
            "draft": "The draft separates won from lost deals better than the published version",
            "published": "The draft separates won from lost deals worse than the published version",
            None: "Neither version separates won from lost deals significantly better",
        }[self.better]
        return f"{verdict}: AUC {draft_auc} against {published_auc}, {p_value}."

    def snapshot(self) -> dict:
        """What the version's history keeps of the backtest it was published with."""
        return {
            "sentence": self.sentence,
            "better": self.better,
            "draft_auc": self.draft.auc.value,
            "published_auc": self.published.auc.value if self.published else None,
            "p_value": self.comparison.p_value if self.comparison else None,
            "won": self.draft.won,
            "lost": self.draft.lost,
        }


def _auc_words(value: Auc) -> str:
    if value.value is None:
        return "–"
    if value.low is None:
        return f"{value.value:.3f}"
    return f"{value.value:.3f} (95%: {value.low:.3f} to {value.high:.3f})"


def _p_words(p_value: float | None) -> str:
    if p_value is None:
        return "no test possible"
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def _version(label: str, spec: scoring.Rubric, index: int, rows: list[Counted]) -> VersionBacktest:
    by_rank: dict[int, list[int]] = {}
    won = lost = qualified_won = qualified_lost = 0
    for row in rows:
        if row.outcome not in (WON, LOST):
            continue
        rank = spec.rank(row.totals[index], row.passes[index])
        pair = by_rank.setdefault(rank, [0, 0])
        if row.outcome == WON:
            pair[0] += row.count
            won += row.count
            qualified_won += row.count if row.qualified[index] else 0
        else:
            pair[1] += row.count
            lost += row.count
            qualified_lost += row.count if row.qualified[index] else 0
    counts = {rank: tuple(pair) for rank, pair in by_rank.items()}
    return VersionBacktest(label, auc(counts), won, lost, qualified_won, qualified_lost)


def _owners(rows: list[Counted], compared: bool) -> list[OwnerLeads]:
    leads: dict[int | None, list[int]] = {}
    for row in rows:
        counts = leads.setdefault(row.owner_id, [0, 0])
        counts[0] += row.count if row.qualified[0] else 0
        if compared:
            counts[1] += row.count if row.qualified[1] else 0
    names = {user.pk: user.display_name for user in User.objects.filter(pk__in=[pk for pk in leads if pk])}
    owners = [
        OwnerLeads(
            names.get(owner_id, "Unassigned") if owner_id else "Unassigned", draft, published if compared else None
        )
        for owner_id, (draft, published) in leads.items()
        if draft or published
    ]
    return sorted(owners, key=lambda owner: (owner.name == "Unassigned", -owner.draft, owner.name))


def backtest_of(specs: list[scoring.Rubric], rows: list[Counted], *, labels=("the draft", "the published")) -> Backtest:
    """The backtest from the pass's counts: ``specs[0]`` the draft, ``specs[1]`` (if any) the published version."""
    result = Backtest(draft=_version(labels[0], specs[0], 0, rows))
    result.after_the_sale = sorted({field_label(c.field) for c in specs[0].criteria if known_after_the_sale(c.field)})
    result.owners = _owners(rows, compared=len(specs) > 1)
    if len(specs) > 1:
        result.published = _version(labels[1], specs[1], 1, rows)
        joint: dict[tuple[int, int], list[int]] = {}
        for row in rows:
            if row.outcome in (WON, LOST):
                key = (specs[0].rank(row.totals[0], row.passes[0]), specs[1].rank(row.totals[1], row.passes[1]))
                joint.setdefault(key, [0, 0])[0 if row.outcome == WON else 1] += row.count
        result.comparison = auc_compare({key: tuple(pair) for key, pair in joint.items()})
    return result


def _specs_key(specs: list[scoring.Rubric]) -> str:
    described = [
        [
            spec.threshold,
            list(spec.caps),
            [
                [
                    c.field,
                    c.operator,
                    list(c.values),
                    [[b.min, b.max, b.points] for b in c.bands],
                    c.points,
                    c.group,
                    c.gate,
                ]
                for c in spec.criteria
            ],
        ]
        for spec in specs
    ]
    described.append(base_generation())
    return hashlib.sha256(json.dumps(described, default=str).encode()).hexdigest()[:32]


def backtest_remember(specs: list[scoring.Rubric], rows: list[Counted]) -> Backtest:
    """The backtest from a pass already made (the preview's), kept as ``backtest_cached`` would keep it."""
    found = backtest_of(specs, rows)
    cache.set(f"rubrics:backtest:{_specs_key(specs)}", found, CACHE_SECONDS)
    return found


def backtest_cached(specs: list[scoring.Rubric]) -> Backtest:
    """The backtest of ``specs[0]`` against ``specs[1]``, kept for a few minutes while neither the rules nor the
    base change (the preview computes it; a publish right after reads it)."""
    key = f"rubrics:backtest:{_specs_key(specs)}"
    found = cache.get(key)
    if found is None:
        found = backtest_of(specs, counted_rows(specs))
        cache.set(key, found, CACHE_SECONDS)
    return found
