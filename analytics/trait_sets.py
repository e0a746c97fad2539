"""Sets of values of one category field, tested together: “country is one of Germany, France, Spain, Italy”.

Four countries may each be too rare to tell apart from chance, and still together hold far more of the best
customers than their share. From the counts per value the page already has (no query of its own):

1. the values holding enough customers (outcomes.selection.support_minimum, decided from everyone's counts);
2. the set of them the best share most: the values in order of lift, the best prefix of that order;
3. its p-value corrected for that search (a permutation test of the whole search, outcomes.selection).

The customers of the other values (rare ones, no data) stay outside every set and count among the rest.
"""

from outcomes.selection import best_value_set, support_minimum

from .trait_types import Attribute, Trait


def value_set(attribute: Attribute, values: list[Trait], *, best_total: int, everyone_total: int) -> Trait | None:
    """The set of at least two of the field's ``values`` the best share most, or None (see the module)."""
    support = support_minimum(everyone_total)
    candidates = sorted(
        (trait for trait in values if trait.is_data and trait.everyone >= support), key=lambda trait: str(trait.key)
    )
    found = best_value_set(
        [trait.best for trait in candidates], [trait.everyone for trait in candidates], best_total, everyone_total
    )
    if found is None or len(found.members) < 2:
        return None  # one value alone is already on the page
    members = [candidates[index] for index in found.members]
    return Trait(
        attribute,
        tuple(str(trait.key) for trait in members),
        "one of " + ", ".join(trait.value for trait in members),
        found.best,
        found.everyone,
        best_total,
        everyone_total,
        p_value=found.p_value,
        kind="set",
        raw_p_value=found.raw_p_value,
        candidates=found.candidates,
    )
