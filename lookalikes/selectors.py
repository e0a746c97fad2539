"""Reads of the lookalikes app: which accounts a seed names, and the base ranked by similarity to it."""

from dataclasses import dataclass, field

import numpy as np
from django.db.models import Exists, OuterRef, QuerySet
from django.http import QueryDict

from customers.models import Customer, DealOutcome, LifecycleStage
from leads.forms import LeadFilterForm
from leads.models import SavedLeadView, SavedViewKind
from leads.selectors import lead_list
from profiles.models import Exemplar, ItemStatus, Profile
from rubrics.models import Score
from rubrics.selectors import published_rubrics
from teams.models import User

from .features import (
    BY_NAME,
    COLUMNS,
    FEATURE_NAMES,
    FEATURES,
    FIELDS,
    NUMBER,
    OUTCOME,
    OUTCOMES,
    OWNED,
    STAGE,
    STAGES,
    TITLES,
    UNKNOWN,
    Encoding,
    category_key,
    encode_many,
)
from .matrix import Matrix, matrix_current, matrix_qualified
from .models import ModelStatus, SimilarityModel
from .similarity import OUT, Seed, Trait, because, best, seed_of, seed_value, similarity, traits_many, unlike

MAX_SEEDS = 5_000  # accounts named by a seed (a saved view's leads, a profile's exemplars); won deals are all read
MAX_RANK = 1_000  # how deep the results go, in rank
# What a result reads of its customer (the pages, the export, the API): a row of the customer table is wide.
SHOWN_FIELDS = ("external_id", "name", *FEATURE_NAMES, "owner__username", "owner__first_name", "owner__last_name")
SPARE = 10  # rows read beyond those wanted, for the few that may have changed since the matrix read them
WON = "won"


class NotReady(Exception):
    """No similarity model is ready yet."""


class BadSeed(ValueError):
    """The seed names nothing usable; the message says what."""


@dataclass(frozen=True)
class SeedAccounts:
    """What a search starts from: named customers, or every won deal."""

    label: str
    customer_ids: tuple[int, ...] = ()
    won: bool = False
    query: dict = field(default_factory=dict)  # how to ask for it again (query string parameters)


@dataclass(frozen=True)
class LookalikeFilters:
    prospects: bool = False
    unowned: bool = False
    region: str = ""
    industry: str = ""
    unqualified: bool = False


@dataclass(frozen=True)
class TraitText:
    feature: str
    label: str
    value: str | None  # None: no data
    seed_value: str | None

    @property
    def text(self) -> str:
        return f"{self.label}: {self.value if self.value is not None else 'no data'}"

    @property
    def against(self) -> str:
        return f"{self.text} (seed: {self.seed_value or 'no data'})"


@dataclass(frozen=True)
class Lookalike:
    customer: Customer  # with SHOWN_FIELDS only: reading another field costs a query per account
    similarity: int
    because: list[TraitText]
    unlike: TraitText | None


@dataclass(frozen=True)
class LookalikePage:
    seed: SeedAccounts
    results: list[Lookalike]
    number: int
    per_page: int
    has_next: bool
    model: SimilarityModel
    seed_accounts: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start(self) -> int:
        return (self.number - 1) * self.per_page + 1


def similarity_model_ready() -> SimilarityModel | None:
    return SimilarityModel.objects.filter(status=ModelStatus.READY).order_by("-id").first()


def similarity_model_latest() -> SimilarityModel | None:
    return SimilarityModel.objects.order_by("-id").first()


def seed_accounts(external_ids: list[str]) -> SeedAccounts:
    """Accounts named by their CRM ids (every one must exist)."""
    ids = dict(Customer.objects.filter(external_id__in=external_ids).values_list("external_id", "pk"))
    missing = [external_id for external_id in external_ids if external_id not in ids]
    if missing:
        raise BadSeed(f"No customer has the id {', '.join(missing[:5])}.")
    names = list(Customer.objects.filter(pk__in=ids.values()).values_list("name", flat=True)[:3])
    label = names[0] if len(ids) == 1 else f"{len(ids)} accounts ({', '.join(names)}…)"
    return SeedAccounts(label=label, customer_ids=tuple(ids.values()), query={"seed": list(external_ids)})


def seed_won() -> SeedAccounts:
    return SeedAccounts(label="every won deal", won=True, query={"seed": [WON]})


def seed_exemplars(profile: Profile) -> SeedAccounts:
    """A profile's best customers (its exemplars, but those rejected)."""
    ids = list(
        Exemplar.objects.filter(profile=profile)
        .exclude(status=ItemStatus.REJECTED)
        .values_list("customer_id", flat=True)[:MAX_SEEDS]
    )
    if not ids:
        raise BadSeed(f"The profile “{profile.name}” has no best customers yet: add exemplars first.")
    return SeedAccounts(
        label=f"the best customers of “{profile.name}”", customer_ids=tuple(ids), query={"profile": [profile.pk]}
    )


def seed_saved_view(*, view: SavedLeadView, user: User) -> SeedAccounts:
    """The leads a person's saved lead view lists (as the lead list shows them to that person)."""
    if view.kind == SavedViewKind.LOOKALIKES:
        raise BadSeed(f"The view “{view.name}” is a search of similar accounts, not a list of leads: open it instead.")
    form = LeadFilterForm(QueryDict(view.query), user=user)
    rubric = form.chosen_rubric()
    if rubric is None:
        raise BadSeed("No rubric is published: a saved lead view lists no leads yet.")
    leads = lead_list(user=user, rubric=rubric, filters=form.filters())
    ids = list(leads.values_list("customer_id", flat=True)[:MAX_SEEDS])
    if not ids:
        raise BadSeed(f"The view “{view.name}” lists no leads now.")
    return SeedAccounts(label=f"the leads of “{view.name}”", customer_ids=tuple(ids), query={"seed_view": [view.pk]})


def lookalikes_find(
    *, seed: SeedAccounts, filters: LookalikeFilters, number: int = 1, per_page: int = 25
) -> LookalikePage:
    """One page of the base ranked by similarity to the seed (the seed's own accounts left out), filtered.

    1. The seed's table per feature: from its accounts read now (so a just-changed seed counts as it is), or, for
       every won deal, from the matrix's outcome column.
    2. Every customer scored in numpy; the filters are masks over the matrix (stage, owner, region, industry,
       qualified), so only accounts that pass are ranked.
    3. The rows of the best are read in one query that applies the filters again (a customer changed or deleted
       since the matrix read it drops out there), reading deeper only when some of the best dropped out.
    """
    ready = SimilarityModel.objects.filter(status=ModelStatus.READY).order_by("-id").values_list("pk", "created_at")
    model_key = ready.first()
    if model_key is None:
        raise NotReady("The similarity model is not built yet.")
    matrix = matrix_current(*model_key)
    model, encoding = matrix.model, matrix.encoding
    weights = {weight["feature"]: weight["weight"] for weight in model.weights}
    if seed.won:
        positions, profile = _won_seed(matrix, weights)
    else:
        rows = list(Customer.objects.filter(pk__in=seed.customer_ids).order_by("pk").values("pk", *FIELDS))
        positions = matrix.positions(seed.customer_ids)
        profile = seed_of(encode_many(rows, encoding).T, np.arange(len(rows)), encoding=encoding, weights=weights)
    if profile.accounts == 0:
        raise BadSeed("No account is in the seed.")
    kept = _kept(matrix, filters)
    scores = similarity(matrix.columns, profile, groups=matrix.groups, joint=matrix.joint, kept=kept)
    scores[positions] = OUT
    wanted = min(number * per_page + 1, MAX_RANK + 1)
    chosen, customers = _fetched(scores, matrix.ids, filters, wanted)
    page = chosen[(number - 1) * per_page : number * per_page]
    seed_values = {name: seed_value(profile, encoding, name) for name in profile.weights}
    results = []
    for at, found in zip(page, traits_many(matrix.columns[:, page], profile), strict=True):
        customer = customers[at]
        results.append(
            Lookalike(
                customer=customer,
                similarity=int(round(float(scores[at]))),
                because=[_text(trait, customer, seed_values, encoding) for trait in because(found)],
                unlike=_maybe_text(unlike(found, profile), customer, seed_values, encoding),
            )
        )
    return LookalikePage(
        seed=seed,
        results=results,
        number=number,
        per_page=per_page,
        has_next=len(chosen) > number * per_page and number * per_page < MAX_RANK,
        model=model,
        seed_accounts=profile.accounts,
    )


def _won_seed(matrix: Matrix, weights: dict[str, float]) -> tuple[np.ndarray, Seed]:
    """Every won deal's positions and the seed they make, kept with the matrix until a vector changes."""
    if matrix.won is None or matrix.won[0] != matrix.seen:
        positions = np.flatnonzero(matrix.columns[OUTCOME] == OUTCOMES.index(DealOutcome.WON) + 1)
        seed = seed_of(matrix.columns, positions, encoding=matrix.encoding, weights=weights)
        matrix.won = (matrix.seen, positions, seed)
    return matrix.won[1], matrix.won[2]


def _kept(matrix: Matrix, filters: LookalikeFilters) -> np.ndarray | None:
    """Which positions pass the filters, as far as the matrix knows (None: no filter)."""
    columns = matrix.columns
    masks = []
    if filters.prospects:
        masks.append(columns[STAGE] == STAGES.index(LifecycleStage.PROSPECT) + 1)
    if filters.unowned:
        masks.append(columns[OWNED] == 0)
    for name in ("region", "industry"):
        value = getattr(filters, name)
        if value:
            code = matrix.encoding.code_of(name, value)
            masks.append(columns[COLUMNS[name][0]] == code)  # a value the model does not know: checked by the query
    if filters.unqualified:
        masks.append(~matrix_qualified(matrix))
    if not masks:
        return None
    kept = masks[0]
    for mask in masks[1:]:
        kept &= mask
    return kept


def _fetched(
    scores: np.ndarray, ids: np.ndarray, filters: LookalikeFilters, wanted: int
) -> tuple[list[int], dict[int, Customer]]:
    """Positions of the best ``wanted`` customers that pass the filters in the database too, best first, with
    their rows (by position): one query, unless some of the best drop out there."""
    passed: list[int] = []
    rows: dict[int, Customer] = {}
    looked = 0
    depth = wanted + SPARE
    while len(passed) < wanted:
        ranked = best(scores, depth)
        fresh = ranked[looked:]
        if len(fresh) == 0:
            break
        customers = Customer.objects.select_related("owner").only(*SHOWN_FIELDS)
        found = _filtered(customers, filters).in_bulk(ids[fresh].tolist())
        for at in fresh.tolist():
            customer = found.get(int(ids[at]))
            if customer is not None:
                passed.append(at)
                rows[at] = customer
        looked = len(ranked)
        if depth >= len(scores):
            break
        depth *= 4
    return passed[:wanted], rows


def _filtered(customers: QuerySet[Customer], filters: LookalikeFilters) -> QuerySet[Customer]:
    if filters.prospects:
        customers = customers.filter(lifecycle_stage=LifecycleStage.PROSPECT)
    if filters.unowned:
        customers = customers.filter(owner__isnull=True)
    if filters.region:
        customers = customers.filter(region__iexact=filters.region)
    if filters.industry:
        customers = customers.filter(industry__iexact=filters.industry)
    if filters.unqualified:
        qualified = Score.objects.filter(customer=OuterRef("pk"), qualified=True, rubric__in=published_rubrics())
        customers = customers.exclude(Exists(qualified))
    return customers


def _text(trait: Trait, customer: Customer, seed_values: dict[str, str | None], encoding: Encoding) -> TraitText:
    feature = BY_NAME[trait.feature]
    value = getattr(customer, feature.name)
    if feature.kind == TITLES:
        titles = customer.contact_title_list
        value = encoding.value_of(feature.name, trait.code) if trait.code > UNKNOWN else None
        if value is not None:
            value = next((title for title in titles if category_key(title) == category_key(value)), value)
        elif titles:
            value = "; ".join(titles)
    elif feature.kind == NUMBER and value is not None:
        value = f"{value:,}"
    shown = None if value in (None, "") else str(value)
    return TraitText(trait.feature, feature.label, shown, seed_values[trait.feature])


def _maybe_text(
    trait: Trait | None, customer: Customer, seed_values: dict[str, str | None], encoding: Encoding
) -> TraitText | None:
    return None if trait is None else _text(trait, customer, seed_values, encoding)


@dataclass(frozen=True)
class WeightRow:
    feature: str
    label: str
    group: str
    weight: float
    learned: bool
    deals: int
    win_rate: float
    best_value: str | None
    best_win_rate: float


def weight_rows(model: SimilarityModel) -> list[WeightRow]:
    """The model's weights as the weights page shows them, biggest first."""
    encoding = Encoding.from_json(model.encoding)
    rows = []
    for weight in model.weights:
        feature = BY_NAME.get(weight["feature"])
        if feature is None:
            continue
        rows.append(
            WeightRow(
                feature=feature.name,
                label=feature.label,
                group=feature.group,
                weight=weight["weight"],
                learned=weight["learned"],
                deals=weight["deals"],
                win_rate=weight["win_rate"],
                best_value=encoding.value_of(feature.name, weight["best_code"]),
                best_win_rate=weight["best_win_rate"],
            )
        )
    return sorted(rows, key=lambda row: (-row.weight, [f.name for f in FEATURES].index(row.feature)))
