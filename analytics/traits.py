"""What do our best customers share? Every attribute's share among the best customers against all, then the sets
of values, the bands of numbers and the pairs of traits the best share.

1. The best and the customers they are chosen among (``Basis``): the top share by CLV, tenure or NPS (ties at
   the cut included) among the customers, current and churned, who have one (never prospects: an export may
   give them a CLV of 0); the won deals among the decided ones; the profile's exemplars among every customer.
2. One aggregate query per attribute counts, per value (a category, a numeric bucket, yes / no, or no data),
   all the customers and the best among them; each value is tested, the best against the rest
   (stats.proportion_test).
3. Per field known before the sale: the set of its values the best share most (trait_sets.py), or for a number
   the band found from the data (trait_bands.py), both from the counts of step 2 (for a number, the same query
   also counts its quantile bins), each with a p-value corrected for the search that found it.
4. The values, sets and bands of the fields known before the sale are corrected together (Benjamini–Hochberg).
   The fields known only after the sale (outcomes.populations.AFTER_THE_SALE) are a family of their own,
   corrected apart, shown as what the best "also show" and never suggested, for every basis.
5. The strongest few significant traits are crossed in pairs (trait_pairs.py, one grouped query).
6. The significant values, sets and bands become criteria (suggestions.py).
"""

import dataclasses
import math

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from customers.models import Customer, LifecycleStage
from ops.planner import wide_aggregate_planning
from outcomes.populations import CLIENTS, DECIDED, WON
from outcomes.stats import false_discovery_q_values, proportion_test
from profiles.models import Exemplar, ItemStatus
from rubrics.models import Rubric

from .trait_bands import Bin, number_band, number_counts
from .trait_pairs import trait_pairs
from .trait_sets import value_set
from .trait_types import ATTRIBUTES, BASES, NO_DATA, Attribute, Basis, Discovery, Trait, bucket_label

__all__ = ["ATTRIBUTES", "BASES", "Basis", "Discovery", "Trait", "traits_discover"]

CATEGORY_LIMIT = 40  # the most common values of a category field tested; rarer ones are left out


def _value_expression(attribute: Attribute):
    if attribute.kind != "number":
        return F(attribute.field)
    whens = [When(**{f"{attribute.field}__isnull": True}, then=Value(-1))]
    for index, (_, high) in enumerate(attribute.buckets[:-1]):
        whens.append(When(**{f"{attribute.field}__lte": high}, then=Value(index)))
    return Case(*whens, default=Value(len(attribute.buckets) - 1), output_field=IntegerField())


def _key_and_label(attribute: Attribute, value) -> tuple[object, str]:
    if attribute.kind == "number":
        return (None, NO_DATA) if value == -1 else (value, bucket_label(*attribute.buckets[value]))
    if attribute.kind == "boolean":
        return (None, NO_DATA) if value is None else (value, "yes" if value else "no")
    if value in (None, ""):
        return None, NO_DATA
    if attribute.field == "lifecycle_stage" and value in LifecycleStage.values:
        return value, LifecycleStage(value).label
    return value, value


def _choice(*, basis: Basis, top: int, rubric: Rubric) -> tuple[Q, Q, float | None]:
    """(all the customers looked at, the best among them, the cut) for the basis."""
    if basis.key == "won":
        return DECIDED, WON, None
    if basis.key == "exemplars":
        chosen = Exemplar.objects.filter(profile_id=rubric.profile_id).exclude(status=ItemStatus.REJECTED)
        return Q(), Q(pk__in=list(chosen.values_list("customer_id", flat=True))), None
    everyone = CLIENTS & Q(**{f"{basis.field}__isnull": False})
    counted = Customer.objects.filter(everyone).count()
    if not counted:
        return everyone, Q(pk__in=[]), None
    rank = max(1, math.ceil(counted * top / 100))
    cut = Customer.objects.filter(everyone).order_by(f"-{basis.field}").values_list(basis.field, flat=True)[rank - 1]
    return everyone, Q(**{f"{basis.field}__gte": cut}), cut


def _counted(customers: QuerySet[Customer], attribute: Attribute, best: Q) -> tuple[list[dict], list[Bin]]:
    """The attribute's counts per value (one aggregate query): rows of value, everyone and best, and for a number
    its quantile bins too (trait_bands.number_counts, the same query)."""
    if attribute.kind == "number":
        counts = number_counts(customers, attribute.field, best, _value_expression(attribute))
        rows = [{"value": key, "everyone": e, "best": b} for key, (e, b) in counts.buckets.items()]
        return rows, counts.bins
    rows = (
        customers.annotate(value=_value_expression(attribute))
        .values("value")
        .annotate(everyone=Count("pk"), best=Count("pk", filter=best))
        .order_by("-everyone")
    )
    return list(rows[:CATEGORY_LIMIT] if attribute.kind == "category" else rows), []


def _values(attribute: Attribute, rows: list[dict], discovery: Discovery) -> list[Trait]:
    """A trait per value, with its p-value."""
    values = []
    best_total, everyone_total = discovery.best_total, discovery.everyone_total
    for row in rows:
        key, label = _key_and_label(attribute, row["value"])
        best_count, everyone = row["best"], row["everyone"]
        p_value = proportion_test(best_count, best_total, everyone - best_count, everyone_total - best_total)
        values.append(Trait(attribute, key, label, best_count, everyone, best_total, everyone_total, p_value))
    return values


def _combined(attribute: Attribute, values: list[Trait], bins: list[Bin], discovery: Discovery) -> list[Trait]:
    """The attribute's set of values or band, as a list of none or one."""
    totals = {"best_total": discovery.best_total, "everyone_total": discovery.everyone_total}
    if attribute.kind == "category":
        found = value_set(attribute, values, **totals)
    elif attribute.kind == "number":
        found = number_band(attribute, bins, **totals)
    else:
        found = None
    return [found] if found else []


def traits_discover(*, rubric: Rubric, basis: Basis, top: int = 10) -> Discovery:
    """Every attribute's values, sets and bands among the best customers against all, tested and ranked, and
    the pairs of the strongest (see the module)."""
    everyone_q, best_q, cut = _choice(basis=basis, top=top, rubric=rubric)
    customers = Customer.objects.filter(everyone_q).order_by()
    with wide_aggregate_planning():
        totals = customers.aggregate(everyone=Count("pk"), best=Coalesce(Count("pk", filter=best_q), 0))
        discovery = Discovery(basis, top, cut, totals["best"], totals["everyone"])
        if not discovery.best_total or discovery.best_total == discovery.everyone_total:
            return discovery
        before, combined, after = [], [], []
        for attribute in ATTRIBUTES:
            if attribute.field in basis.excluded or attribute.field == basis.field:
                continue
            rows, bins = _counted(customers, attribute, best_q)
            values = _values(attribute, rows, discovery)
            if attribute.after_the_sale:
                after.extend(values)  # shown apart, never in a set, a band, a pair or a suggestion
                continue
            before.extend(values)
            combined.extend(_combined(attribute, values, bins, discovery))
        corrected = _corrected([*before, *combined])
        discovery.traits = _ranked(corrected[: len(before)])
        discovery.combined = _ranked(corrected[len(before) :])
        discovery.after_the_sale = _ranked(_corrected(after))
        discovery.pairs = trait_pairs(customers, best_q, discovery.significant)
    return discovery


def _corrected(traits: list[Trait]) -> list[Trait]:
    """The traits with the q-values of their p-values, corrected together (Benjamini–Hochberg)."""
    q_values = false_discovery_q_values([trait.p_value for trait in traits])
    return [dataclasses.replace(trait, q_value=q) for trait, q in zip(traits, q_values, strict=True)]


def _rank(trait: Trait) -> int:
    """0: significantly more common among the best (what they share), 1: significantly less common,
    2: significant but about missing data (it says something about the records, not the customers), 3: the rest."""
    if not trait.significant:
        return 3
    if not trait.is_data:
        return 2
    return 0 if trait.lift > 1 else 1


def _ranked(traits: list[Trait]) -> list[Trait]:
    """Ranked (``_rank``), then by strength (the significant ones) or p-value (the others)."""
    return sorted(
        traits,
        key=lambda trait: (
            _rank(trait),
            -trait.strength if trait.significant else 0,
            trait.p_value if trait.p_value is not None else 2,
            trait.attribute.field,
            str(trait.value),
        ),
    )
