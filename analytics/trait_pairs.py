"""Pairs of traits whose combination matters: having both does more (or less) than each alone predicts.

1. The strongest few traits the best share significantly, one per field known before the sale (the field's
   set or band when it has a significant one, else its strongest value).
2. One grouped query: the customers grouped by whether they have each of them (a 0 / 1 per trait, at most
   2^PAIRED groups), with the best among them; every pair's four combinations are added up from those groups.
3. Each pair: the interaction of the two traits on the odds of being among the best (stats.interaction_test),
   tested when each combination holds enough customers; the pairs' p-values corrected together
   (Benjamini–Hochberg).

Why not simply "both against exactly one": two traits that each raise the odds on their own also make "both"
better than "one", with no interaction at all; the interaction asks whether the pair adds something beyond.
"""

import dataclasses
from itertools import combinations

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from customers.models import Customer
from outcomes.stats import false_discovery_q_values, interaction_test

from .trait_types import Cell, Pair, Trait

PAIRED = 5  # the strongest traits crossed in pairs: 10 pairs
CELL_MINIMUM = 10  # customers each combination must hold for the pair to be tested


def trait_condition(trait: Trait) -> Q:
    """The customers who have the trait."""
    field = trait.attribute.field
    if trait.kind == "set":
        return Q(**{f"{field}__in": list(trait.key)})
    if trait.kind == "band":
        return Q(**{f"{field}__gte": trait.key.low, f"{field}__lte": trait.key.high})
    if trait.attribute.kind == "number":
        low, high = trait.attribute.buckets[trait.key]
        condition = Q(**{f"{field}__isnull": False})
        if low is not None:
            condition &= Q(**{f"{field}__gte": low})
        if high is not None:
            condition &= Q(**{f"{field}__lte": high})
        return condition
    return Q(**{field: trait.key})


def paired_traits(traits: list[Trait], limit: int = PAIRED) -> list[Trait]:
    """The strongest significant traits the best share, one per field, strongest (smallest p) first."""
    by_field: dict[str, Trait] = {}
    for trait in traits:
        if trait.attribute.after_the_sale or not (trait.significant and trait.is_data and (trait.lift or 0) > 1):
            continue
        current = by_field.get(trait.attribute.field)
        if current is None or (trait.kind != "value", -trait.p_value) > (current.kind != "value", -current.p_value):
            by_field[trait.attribute.field] = trait
    return sorted(by_field.values(), key=lambda trait: (trait.p_value, trait.attribute.field))[:limit]


def trait_pairs(customers: QuerySet[Customer], best: Q, traits: list[Trait]) -> list[Pair]:
    """Every pair of the strongest ``traits`` tested (see the module): the significant first, then by p-value."""
    chosen = paired_traits(traits)
    if len(chosen) < 2:
        return []
    names = [f"has_trait_{index}" for index in range(len(chosen))]
    indicators = {
        name: Case(When(trait_condition(trait), then=Value(1)), default=Value(0), output_field=IntegerField())
        for name, trait in zip(names, chosen, strict=True)
    }
    rows = (
        customers.order_by()
        .annotate(**indicators)
        .values(*names)
        .annotate(everyone=Count("pk"), best=Count("pk", filter=best))
    )
    groups = [(tuple(row[name] for name in names), row["best"], row["everyone"]) for row in rows]
    pairs = []
    for first, second in combinations(range(len(chosen)), 2):
        cells = {(1, 1): [0, 0], (1, 0): [0, 0], (0, 1): [0, 0], (0, 0): [0, 0]}
        for having, best_count, everyone in groups:
            cell = cells[having[first], having[second]]
            cell[0] += best_count
            cell[1] += everyone
        both, first_only, second_only, neither = (Cell(*cells[key]) for key in ((1, 1), (1, 0), (0, 1), (0, 0)))
        if min(cell.everyone for cell in (both, first_only, second_only, neither)) < CELL_MINIMUM:
            continue
        odds_ratio, p_value = interaction_test(
            *((cell.best, cell.everyone) for cell in (both, first_only, second_only, neither))
        )
        pairs.append(Pair(chosen[first], chosen[second], both, first_only, second_only, neither, odds_ratio, p_value))
    q_values = false_discovery_q_values([pair.p_value for pair in pairs])
    pairs = [dataclasses.replace(pair, q_value=q) for pair, q in zip(pairs, q_values, strict=True)]
    return sorted(pairs, key=lambda pair: (not pair.significant, pair.p_value if pair.p_value is not None else 2))
