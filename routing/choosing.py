"""Which rep gets a lead: pure Python, no Django (the services load the rules and the reps' state, then ask here).

The first rule, in order, whose territory matches the lead and that has a rep available wins. Within a rule the
reps take turns in user id order, starting after the rule's ``last_rep_id``: fair, and stable across restarts since
the pointer is stored. A rep is available unless away, inactive, excluded (the owner a lead is taken from) or at the
rule's weekly cap.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Lead:
    country: str = ""
    region: str = ""
    industry: str = ""
    employees: int | None = None


@dataclass(frozen=True)
class Rule:
    id: int
    rep_ids: tuple[int, ...]
    country: str = ""
    region: str = ""
    industry: str = ""
    min_employees: int | None = None
    max_employees: int | None = None
    weekly_cap: int | None = None
    last_rep_id: int | None = None


@dataclass(frozen=True)
class Choice:
    rule_id: int | None
    rep_id: int | None
    why_not: str = ""


@dataclass
class Reps:
    """What the rules need to know about reps: who cannot take leads, and how many each got this ISO week."""

    unavailable: set[int] = field(default_factory=set)
    assigned_this_week: dict[int, int] = field(default_factory=dict)


def _same(wanted: str, value: str) -> bool:
    return not wanted or wanted.strip().casefold() == (value or "").strip().casefold()


def rule_matches(rule: Rule, lead: Lead) -> bool:
    """Blank fields match anything; a size range needs a known size."""
    if not (_same(rule.country, lead.country) and _same(rule.region, lead.region)):
        return False
    if not _same(rule.industry, lead.industry):
        return False
    if rule.min_employees is None and rule.max_employees is None:
        return True
    if lead.employees is None:
        return False
    if rule.min_employees is not None and lead.employees < rule.min_employees:
        return False
    return rule.max_employees is None or lead.employees <= rule.max_employees


def rep_turns(rule: Rule) -> list[int]:
    """The rule's reps in the order they take the next leads: the ones after the pointer first."""
    ordered = sorted(set(rule.rep_ids))
    after = [rep for rep in ordered if rule.last_rep_id is not None and rep > rule.last_rep_id]
    return after + [rep for rep in ordered if rep not in after]


def _available(rule: Rule, rep_id: int, reps: Reps, exclude: set[int]) -> bool:
    if rep_id in reps.unavailable or rep_id in exclude:
        return False
    return rule.weekly_cap is None or reps.assigned_this_week.get(rep_id, 0) < rule.weekly_cap


def lead_choose(rules: Iterable[Rule], lead: Lead, reps: Reps, *, exclude: Iterable[int] = ()) -> Choice:
    """The rule and rep for the lead, or a Choice without a rep saying why none."""
    exclude = set(exclude)
    matched = False
    for rule in rules:
        if not rule_matches(rule, lead):
            continue
        matched = True
        for rep_id in rep_turns(rule):
            if _available(rule, rep_id, reps, exclude):
                return Choice(rule_id=rule.id, rep_id=rep_id)
    why_not = "Every matching rule's reps are away, inactive or at their weekly cap." if matched else "No rule matched."
    return Choice(rule_id=None, rep_id=None, why_not=why_not)


def leads_share(rules: list[Rule], leads: Iterable[Lead], reps: Reps) -> dict[int, int]:
    """How many of ``leads`` each rep would get, routed one after another (pointers and counts move as they go);
    nothing is written. Returns rep id → leads."""
    rules = list(rules)
    counts = dict(reps.assigned_this_week)
    state = Reps(unavailable=set(reps.unavailable), assigned_this_week=counts)
    shares: dict[int, int] = {}
    for lead in leads:
        choice = lead_choose(rules, lead, state)
        if choice.rep_id is None:
            continue
        shares[choice.rep_id] = shares.get(choice.rep_id, 0) + 1
        counts[choice.rep_id] = counts.get(choice.rep_id, 0) + 1
        rules = [replace(rule, last_rep_id=choice.rep_id) if rule.id == choice.rule_id else rule for rule in rules]
    return shares
