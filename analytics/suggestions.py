"""Rubric criteria proposed from the traits the best customers share (or lack) significantly.

Only fields known before the sale are ever suggested (outcomes.populations.AFTER_THE_SALE never is, whatever
the basis): a criterion must tell a deal that will be won from one that will not. Per attribute:
- a category's significant set of values (trait_sets.py) makes one "is one of" criterion with positive
  points; without one, its values more common among the best make it; those less common another, with
  negative points;
- a number's significant band (trait_bands.py) makes one "is between" criterion ("is at least" / "is at
  most" when it reaches the highest / lowest value); without one, its adjacent buckets that lean the same way
  merge into one range; buckets the best lack give negative ranges;
- a yes / no field gives the stronger of its two values.
Points follow the lift (stats.suggested_points). A suggestion travels in the page's form signed, so what is
sent to a workshop or a rubric draft is exactly what was computed here.
"""

from dataclasses import asdict, dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.text import capfirst

from outcomes.stats import ratio, suggested_points
from rubrics.fields import field_label
from rubrics.scoring import OPERATOR_LABELS

from .trait_types import Attribute, Band, Discovery, Shares, Trait, bucket_label, lift_strength

SALT = "analytics.suggestion"
LIMIT = 8
LABEL_LIMIT = 200


@dataclass(frozen=True)
class Suggestion(Shares):
    field: str
    operator: str
    values: tuple
    points: int
    group: str
    label: str
    best: int
    everyone: int
    best_total: int
    everyone_total: int

    @property
    def rule(self) -> str:
        """The criterion in plain words: “industry is one of Software, Healthcare”."""
        words = f"{field_label(self.field)} {OPERATOR_LABELS[self.operator]}"
        if self.operator == "between":
            return f"{words} {self.values[0]:,} and {self.values[1]:,}"
        if self.values:
            return f"{words} {', '.join(f'{value:,}' if isinstance(value, int) else value for value in self.values)}"
        return words

    @property
    def evidence(self) -> str:
        """Why, in one sentence, for a workshop proposal."""
        return (
            f"{self.share_best:.0%} of the best customers ({self.best:,} of {self.best_total:,}) against "
            f"{self.share_all:.0%} of all ({self.everyone:,} of {self.everyone_total:,}): "
            f"{self.lift:.2f} times as common."
        )

    def signed(self, *, rubric_id: int) -> str:
        return signing.dumps({"rubric": rubric_id, **asdict(self), "values": list(self.values)}, salt=SALT)

    @classmethod
    def from_signed(cls, token: str, *, rubric_id: int) -> "Suggestion":
        try:
            payload = signing.loads(token, salt=SALT)
        except signing.BadSignature:
            raise ValidationError("This suggestion was not made by this page: reload the page and try again.") from None
        if payload.pop("rubric", None) != rubric_id:
            raise ValidationError("This suggestion was made for another rubric.")
        payload["values"] = tuple(payload["values"])
        return cls(**payload)


def _suggestion(attribute: Attribute, traits: list[Trait], operator: str, values: tuple, label: str) -> Suggestion:
    best, everyone = sum(trait.best for trait in traits), sum(trait.everyone for trait in traits)
    lift = ratio(ratio(best, traits[0].best_total), ratio(everyone, traits[0].everyone_total))
    return Suggestion(
        field=attribute.field,
        operator=operator,
        values=values,
        points=suggested_points(lift),
        group=attribute.group,
        label=label[:LABEL_LIMIT],
        best=best,
        everyone=everyone,
        best_total=traits[0].best_total,
        everyone_total=traits[0].everyone_total,
    )


def _category(attribute: Attribute, traits: list[Trait], found: Trait | None) -> list[Suggestion]:
    suggestions = []
    if found is not None:
        label = f"{capfirst(attribute.label)}: {', '.join(found.key)}"
        suggestions.append(_suggestion(attribute, [found], "in", tuple(found.key), label))
    for more_common in (True, False) if found is None else (False,):
        leaning = [trait for trait in traits if (trait.lift > 1) is more_common]
        if leaning:
            values = tuple(str(trait.key) for trait in leaning)
            label = f"{capfirst(attribute.label)}: {', '.join(trait.value for trait in leaning)}"
            suggestions.append(_suggestion(attribute, leaning, "in", values, label))
    return suggestions


def _band(attribute: Attribute, found: Trait) -> Suggestion:
    band: Band = found.key
    if band.from_lowest and not band.to_highest:
        operator, values = "lte", (band.high,)
    elif band.to_highest and not band.from_lowest:
        operator, values = "gte", (band.low,)
    else:
        operator, values = "between", (band.low, band.high)
    return _suggestion(attribute, [found], operator, values, f"{capfirst(attribute.label)} {band}")


def _number(attribute: Attribute, traits: list[Trait], found: Trait | None) -> list[Suggestion]:
    if found is not None:  # the band found from the data replaces the buckets the best share
        traits = [trait for trait in traits if trait.lift < 1]
    by_bucket = {trait.key: trait for trait in traits}
    runs: list[list[Trait]] = []
    for index in range(len(attribute.buckets)):
        trait = by_bucket.get(index)
        if trait is None:
            continue
        previous = runs[-1][-1] if runs else None
        if previous is not None and previous.key == index - 1 and (previous.lift > 1) == (trait.lift > 1):
            runs[-1].append(trait)
        else:
            runs.append([trait])
    suggestions = [] if found is None else [_band(attribute, found)]
    for run in runs:
        low, high = attribute.buckets[run[0].key][0], attribute.buckets[run[-1].key][1]
        if (low is None and high is None) or (found is not None and _overlaps(low, high, found.key)):
            continue  # a range the best lack that overlaps their band would take back the band's points
        if low is None:
            operator, values = "lte", (high,)
        elif high is None:
            operator, values = "gte", (low,)
        else:
            operator, values = "between", (low, high)
        label = f"{capfirst(attribute.label)} {bucket_label(low, high)}"
        suggestions.append(_suggestion(attribute, run, operator, values, label))
    return suggestions


def _overlaps(low: int | None, high: int | None, band: Band) -> bool:
    return (low is None or low <= band.high) and (high is None or high >= band.low)


def _boolean(attribute: Attribute, traits: list[Trait], found: Trait | None) -> list[Suggestion]:
    strongest = max(traits, key=lambda trait: trait.strength)
    label = f"{capfirst(attribute.label)}: {strongest.value}"
    return [_suggestion(attribute, [strongest], "true" if strongest.key else "false", (), label)]


def criteria_suggest(discovery: Discovery, limit: int = LIMIT) -> list[Suggestion]:
    """Criteria from the significant traits known before the sale: what the best share first (positive points),
    then what they lack, each strongest first."""
    attributes: dict[str, Attribute] = {}
    values: dict[str, list[Trait]] = {}
    combined: dict[str, Trait] = {}
    for trait in discovery.significant:
        if trait.attribute.after_the_sale or not trait.is_data or trait.lift is None or trait.lift == 1:
            continue
        attributes[trait.attribute.field] = trait.attribute
        if trait.kind == "value":
            values.setdefault(trait.attribute.field, []).append(trait)
        elif trait.lift > 1:
            combined[trait.attribute.field] = trait
    makers = {"category": _category, "number": _number, "boolean": _boolean}
    suggestions = [
        suggestion
        for name, attribute in attributes.items()
        for suggestion in makers[attribute.kind](attribute, values.get(name, []), combined.get(name))
    ]
    return sorted(suggestions, key=lambda suggestion: (suggestion.points < 0, -lift_strength(suggestion.lift)))[:limit]
