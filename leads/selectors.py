"""Reads about leads: the qualified customers of a rubric, as a rep or an admin may see them."""

import contextlib
import dataclasses
import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.http import Http404

from customers.models import Customer, LifecycleStage
from customers.selectors import CustomerPage, customer_page
from ops.planner import planner_method_off
from rubrics import scoring
from rubrics.grading import ENGAGEMENT_LEVELS, HIGH, LOW, MEDIUM, NO_GRADE, RubricScale, rubric_scale
from rubrics.models import LeadAudience, QualificationChange, Rubric, Score
from rubrics.selectors import published_rubrics, version_spec, with_published_version
from teams.models import Role, User

from .models import DispositionStatus, LeadDisposition, LeadDispositionChange, LeadListVisit

OPEN = "open"  # every lead but the disqualified ones
NONE = "none"  # leads nobody has dispositioned yet
MINE = "mine"  # owner filter: the person's own accounts
UNOWNED = "unowned"  # owner filter: accounts nobody owns yet, for a rep to claim
ANY = "any"  # owner filter: every lead the person may see


# The lead list's tabs: prospects to win (new business) and existing customers to grow (expansion). A churned
# account is a former customer: it belongs to expansion (a win-back), hidden unless asked for.
NEW_BUSINESS = LeadAudience.NEW_BUSINESS.value
EXPANSION = LeadAudience.EXPANSION.value
SEGMENTS = {NEW_BUSINESS: "New business", EXPANSION: "Expansion"}
CHURNED = LifecycleStage.CHURNED.value
SEGMENT_STAGES = {
    NEW_BUSINESS: tuple(stage for stage in LifecycleStage.values if stage not in (LifecycleStage.CUSTOMER, CHURNED)),
    EXPANSION: (LifecycleStage.CUSTOMER.value,),
}
# A tab's count stops here ("1,000+"): each reads at most this many entries of score_lead_stage_idx.
SEGMENT_COUNT_CAP = 1_000
# Under a search, a tab's count stops here ("100+"). The index cannot answer a common word (in one name in
# twenty): each lead's customer is looked up for its name and domain, twenty for each match, so three counts to
# a thousand looked up 60,000 customers (200 to 250 ms of a 270 ms page on the 1M base). A search is answered by
# its first page; the tabs say where else it found leads, and roughly how many.
SEARCH_COUNT_CAP = 100


# Sort orders: each ends on the customer id, so pages never overlap or skip.
SORTS = {
    "best": ("Best first", ("-total", "customer_id")),
    "fit": ("Best fit", ("-fit", "-total", "customer_id")),
    "engagement": ("Most engaged", ("-engagement", "-total", "customer_id")),
    "name": ("Name", ("name", "customer_id")),
}
DEFAULT_SORT = "best"


@dataclass(frozen=True)
class CustomersMatched:
    """The customers a filter matched, read before the page: their ids when few (the leads are filtered by them),
    else None (the filter is joined: see _leads_searched and _leads_handled)."""

    ids: tuple[int, ...] | None


@dataclass(frozen=True)
class LeadFilters:
    q: str = ""
    industry: str = ""
    country: str = ""
    region: str = ""
    stage: str = ""
    disposition: str = OPEN
    min_score: int | None = None
    max_score: int | None = None
    grade: str = ""
    engagement: str = ""
    # "" means the default: a rep's own leads, or every lead for an admin.
    owner: str = ""
    # Only leads that (re)qualified after this moment: "new since your last visit".
    qualified_since: datetime.datetime | None = None
    sort: str = DEFAULT_SORT
    # "" means the rubric's first tab (see lead_segment); churned accounts only when asked for.
    segment: str = ""
    churned: bool = False
    # What the search matched, once read (lead_filters_read): a page and its tab counts then share it rather
    # than each sampling the customers and reading the matches again. None: read it when needed.
    matches: CustomersMatched | None = None
    # The leads with the chosen disposition (accepted, contacted, disqualified), once read (lead_filters_read).
    # None: not read (the filter is joined).
    handled: CustomersMatched | None = None


def lead_rubrics() -> QuerySet[Rubric]:
    """Rubrics that score leads: those with a published version, which each carries (for its scale)."""
    return with_published_version(published_rubrics())


def lead_segments(rubric: Rubric) -> tuple[str, ...]:
    """The tabs of the rubric's lead list, the default first: what the rubric is marked for (Rubric.audience)."""
    if rubric.audience == LeadAudience.NEW_BUSINESS:
        return (NEW_BUSINESS,)
    if rubric.audience == LeadAudience.EXPANSION:
        return (EXPANSION,)
    return (NEW_BUSINESS, EXPANSION)


def lead_segment(rubric: Rubric, asked: str, stage: str = "") -> str:
    """The tab shown: the one that lists the lifecycle stage asked for, when the rubric has it (a stage belongs
    to one tab: "Customer" asked for on the new business tab opens expansion, rather than an empty list); else
    the one asked for if the rubric has it, else its first (new business for "both")."""
    segments = lead_segments(rubric)
    for segment in segments:
        if stage and stage in segment_stages(segment, churned=True):
            return segment
    return asked if asked in segments else segments[0]


def segment_stages(segment: str, *, churned: bool) -> tuple[str, ...]:
    """The lifecycle stages a tab lists; churned accounts in expansion only, and only when asked for."""
    stages = SEGMENT_STAGES[segment]
    return (*stages, CHURNED) if churned and segment == EXPANSION else stages


def lead_scope(user: User, *, owner: str = "customer__owner") -> Q:
    """The leads a person may see, on any page, export or API.

    Admins see every lead. A rep sees the leads of the accounts they own and of
    unowned ones (to claim them), and every rep's when an admin allowed it
    (``sees_team_leads``). Nobody else sees leads.

    ``owner`` is read on the customer; the lead list first finds its candidates
    by the score's copy (``owner="owner"``), then checks them with this.
    """
    if user.role == Role.ADMIN:
        return Q()
    if user.role == Role.SALES_REP:
        if user.sees_team_leads:
            return Q()
        return Q(**{owner: user}) | Q(**{f"{owner}__isnull": True})
    return Q(pk__in=[])


def _range(leads: QuerySet, field: str, bounds) -> QuerySet:
    if bounds is None:
        return leads.none()
    low, high = bounds
    if low is not None:
        leads = leads.filter(**{f"{field}__gte": low})
    if high is not None:
        leads = leads.filter(**{f"{field}__lte": high})
    return leads


def lead_owner_scope(user: User, owner: str) -> Q | None:
    """The owner filter: "mine", "unowned", "any", or a person's id (admins, or reps who see the team).

    It reads the score's copy of the owner (see ``_leads_filtered``)."""
    if owner == MINE or (owner == "" and user.role == Role.SALES_REP):
        return Q(owner=user)
    if owner == UNOWNED:
        return Q(owner__isnull=True)
    if owner in ("", ANY):
        return Q()
    if owner.isdigit():
        return Q(owner_id=int(owner))
    return None


def _leads_filtered(
    *, user: User, rubric: Rubric, filters: LeadFilters, scale: RubricScale | None = None
) -> QuerySet[Score]:
    """The rubric's qualified customers the user may see, filtered; not yet sorted or annotated.

    The filters read the score's copies of the customer's fields (Score.owner, industry, stage, ...),
    which the lead list's indexes hold: no customer is joined but to search by name or domain.
    The copies follow a customer's change when it is re-scored (within a second, by the
    worker), so ``lead_list`` checks who may see each lead on the customer itself.
    """
    leads = _leads_in_any_segment(user=user, rubric=rubric, filters=filters, scale=scale)
    churned = filters.churned or filters.stage == CHURNED
    return leads.filter(stage__in=segment_stages(lead_segment(rubric, filters.segment, filters.stage), churned=churned))


def _leads_in_any_segment(
    *, user: User, rubric: Rubric, filters: LeadFilters, scale: RubricScale | None = None
) -> QuerySet[Score]:
    """``_leads_filtered`` but for the tab (new business or expansion) and the churned accounts."""
    leads = Score.objects.filter(lead_scope(user, owner="owner"), rubric=rubric, qualified=True)
    owner = lead_owner_scope(user, filters.owner)
    if owner is None:
        return leads.none()
    leads = leads.filter(owner)
    if filters.q:
        leads = _leads_searched(leads, filters.q, filters.matches or search_matches(filters.q))
    for name in ("industry", "country", "region", "stage"):
        if getattr(filters, name):
            leads = leads.filter(**{name: getattr(filters, name)})
    if filters.min_score is not None:
        leads = leads.filter(total__gte=filters.min_score)
    if filters.max_score is not None:
        leads = leads.filter(total__lte=filters.max_score)
    if filters.grade or filters.engagement:
        scale = scale or rubric_scale(rubric)
        if scale is None:
            return leads.none()
        if filters.grade:
            leads = _range(leads, "total", scale.grade_range(filters.grade))
        if filters.engagement:
            leads = _range(leads, "engagement", scale.engagement_range(filters.engagement))
    if filters.qualified_since is not None:
        leads = leads.filter(Exists(_qualified_changes(rubric).filter(changed_at__gt=filters.qualified_since)))
    dispositions = _dispositions(rubric)
    if filters.disposition == OPEN:
        leads = leads.exclude(Exists(dispositions.filter(status=DispositionStatus.DISQUALIFIED)))
    elif filters.disposition == NONE:
        leads = leads.exclude(Exists(dispositions))
    elif filters.disposition in DispositionStatus.values:
        leads = _leads_handled(leads, dispositions.filter(status=filters.disposition), filters.handled)
    return leads


# A search that matches at most this many customers filters the leads by their ids; a commoner one joins the
# customers (see _leads_searched). A sample of this share of the customers' pages tells which it is.
SEARCH_FEW = 5_000
SEARCH_SAMPLE_PERCENT = 0.2  # 2,000 customers of a million: 2 ms; a rare word is 10 of them or fewer


# A disposition shared by at most this many of a rubric's leads filters the list by their ids (see _leads_handled).
HANDLED_FEW = 5_000


def lead_filters_read(filters: LeadFilters, *, rubric: Rubric) -> LeadFilters:
    """``filters`` with what its search and its disposition matched, read now (in the transaction of the page
    that uses them), once for the page and its tabs' counts."""
    if filters.q and filters.matches is None:
        filters = dataclasses.replace(filters, matches=search_matches(filters.q))
    if filters.disposition in DispositionStatus.values and filters.handled is None:
        filters = dataclasses.replace(filters, handled=handled_leads(rubric, filters.disposition))
    return filters


def handled_leads(rubric: Rubric, status: str) -> CustomersMatched:
    """The customers whose lead by ``rubric`` has the disposition ``status``, if HANDLED_FEW or fewer."""
    if connection.vendor != "postgresql":
        return CustomersMatched(None)
    found = LeadDisposition.objects.filter(rubric=rubric, status=status).values_list("customer_id", flat=True)
    ids = list(found[: HANDLED_FEW + 1])  # from lead_disposition_report_idx (rubric, status, ...)
    return CustomersMatched(tuple(ids) if len(ids) <= HANDLED_FEW else None)


def _leads_handled(
    leads: QuerySet[Score], dispositions: QuerySet[LeadDisposition], handled: CustomersMatched | None
) -> QuerySet[Score]:
    """``leads`` with one of ``dispositions``.

    Few leads carry a given disposition (a rep handles a few of the best leads, out of hundreds of thousands).
    Checked lead by lead, the planner walks the sorted index and looks each lead's disposition up until a
    page of them turns up: 15,000 look-ups for a disposition one lead in 300 has (13 to 25 ms a page, as much
    again for the tabs' counts, on the 1M base). Read first, the few leads are looked up by their ids (about
    1,500: 4 to 9 ms). Many, or not read (an export, the API): each lead's disposition is looked up."""
    if handled is not None and handled.ids is not None:
        return _leads_with_ids(leads, handled.ids)
    return leads.filter(Exists(dispositions))


def _leads_with_ids(leads: QuerySet[Score], ids: tuple[int, ...]) -> QuerySet[Score]:
    if connection.vendor == "postgresql":
        # One array parameter rather than one per id.
        return leads.filter(customer_id__in=RawSQL("SELECT unnest(%s::bigint[])", (list(ids),)))
    return leads.filter(customer_id__in=ids)


def _leads_searched(leads: QuerySet[Score], q: str, matches: CustomersMatched) -> QuerySet[Score]:
    """``leads`` whose customer's name or domain contains ``q`` (any case).

    Joined to the customers, the planner walks the sorted index and looks up each lead's customer
    until a page of matches turns up: quick for a word in one name in fifty, but for a word in a few
    thousand names of a million it looked up tens of thousands of customers (up to 200 ms). Reading
    the matching customers first from the trigram indexes is quick for such a word, and slow for a
    common one (every match is read). So:

    1. a sample of the customers says whether the word is rare (SEARCH_FEW matches or fewer);
    2. if so, the matching customers' ids are read from the trigram indexes, and the leads filtered
       by them, which the lead-list indexes hold: no customer is joined;
    3. if not (or if more match than the sample said), the leads are joined to the customers.

    Steps 1 and 2 are ``search_matches``, read once for a page and its counts (``lead_filters_read``).
    """
    if matches.ids is not None:
        return _leads_with_ids(leads, matches.ids)
    return leads.filter(Q(customer__name__icontains=q) | Q(customer__domain__icontains=q))


def search_matches(q: str) -> CustomersMatched:
    """The ids of the customers whose name or domain contains ``q``, if the word is rare (see _leads_searched)."""
    if _search_is_rare(q):
        matching = Customer.objects.filter(Q(name__icontains=q) | Q(domain__icontains=q))
        ids = _indexed_ids(matching.values_list("pk", flat=True)[: 2 * SEARCH_FEW + 1])
        if len(ids) <= 2 * SEARCH_FEW:
            return CustomersMatched(tuple(ids))
    return CustomersMatched(None)


def _search_is_rare(q: str) -> bool:
    """Whether SEARCH_FEW customers or fewer have ``q`` in their name or domain, by a sample of their pages
    (PostgreSQL; on SQLite, a small base, every search joins the customers)."""
    if connection.vendor != "postgresql":
        return False
    pattern = f"%{connection.ops.prep_for_like_query(q)}%"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {connection.ops.quote_name(Customer._meta.db_table)}"
            " TABLESAMPLE SYSTEM (%s) REPEATABLE (0)"
            " WHERE UPPER(name) LIKE UPPER(%s) OR UPPER(domain) LIKE UPPER(%s)",
            (SEARCH_SAMPLE_PERCENT, pattern, pattern),
        )
        (found,) = cursor.fetchone()
    return found * 100 / SEARCH_SAMPLE_PERCENT <= SEARCH_FEW


def _indexed_ids(ids: QuerySet) -> list[int]:
    """``ids`` read through their indexes: with a LIMIT and many matches, PostgreSQL would rather read
    the table in order (400 ms for a million customers) than the trigram indexes (a few ms)."""
    with planner_method_off("seqscan"):
        return list(ids)


def _dispositions(rubric: Rubric) -> QuerySet[LeadDisposition]:
    return LeadDisposition.objects.filter(customer=OuterRef("customer_id"), rubric=rubric)


def _qualified_changes(rubric: Rubric) -> QuerySet[QualificationChange]:
    return QualificationChange.objects.filter(customer=OuterRef("customer_id"), rubric=rubric, qualified=True)


def lead_list(*, user: User, rubric: Rubric, filters: LeadFilters, scale: RubricScale | None = None) -> QuerySet[Score]:
    """The rubric's qualified customers the user may see, filtered and sorted, with their disposition
    and when they last qualified (``qualified_at``)."""
    leads = _leads_filtered(user=user, rubric=rubric, filters=filters, scale=scale)
    return _lead_rows(leads, user=user, rubric=rubric).select_related("version").order_by(*lead_order(filters))


def lead_order(filters: LeadFilters) -> tuple[str, ...]:
    return SORTS.get(filters.sort, SORTS[DEFAULT_SORT])[1]


def _lead_rows(leads: QuerySet[Score], *, user: User, rubric: Rubric) -> QuerySet[Score]:
    """``leads`` checked against who may see them now (on the customer), with the customer, its
    owner, the disposition and the last qualification."""
    return (
        leads.filter(lead_scope(user))
        .select_related("customer", "customer__owner")
        .annotate(
            disposition=Subquery(_dispositions(rubric).values("status")[:1]),
            qualified_at=Subquery(_qualified_changes(rubric).order_by("-changed_at").values("changed_at")[:1]),
        )
    )


def lead_page(
    *, user: User, rubric: Rubric, filters: LeadFilters, scale: RubricScale, number: int, per_page: int
) -> CustomerPage:
    """One page of the lead list.

    The page's customer ids come from the lead list's indexes alone (the filters on the
    score's copies, sorted, skipping the earlier pages); then only those leads are read in
    full, checked against who may see them now. A lead whose owner just changed and whose
    copy is not re-scored yet drops out of the page rather than show to the wrong rep. Each lead
    on the page is a dict of PAGE_FIELDS, its ``disposition`` and ``qualified_at``.
    """
    candidates = _leads_filtered(user=user, rubric=rubric, filters=filters, scale=scale).order_by(*lead_order(filters))
    # Plain values, not three model instances per lead: the page only shows them.
    rows = _lead_rows(Score.objects.filter(rubric=rubric), user=user, rubric=rubric)
    rows = rows.order_by(*lead_order(filters)).values(*PAGE_FIELDS, "disposition", "qualified_at")
    return customer_page(
        customers=candidates, number=number, per_page=per_page, key="customer_id", rows=rows, estimate=False
    )


@dataclass(frozen=True)
class SegmentTab:
    segment: str
    label: str
    count: int
    capped: bool  # more than the cap (SEGMENT_COUNT_CAP, or SEARCH_COUNT_CAP under a search): count is the cap


@dataclass(frozen=True)
class LeadSegments:
    """The lead list's tabs with their counts under the list's other filters, and the churned leads the
    expansion tab hides (None where the rubric has no expansion tab)."""

    chosen: str
    tabs: list[SegmentTab]
    churned: SegmentTab | None
    churned_shown: bool


def lead_segment_counts(
    *, user: User, rubric: Rubric, filters: LeadFilters, scale: RubricScale | None = None
) -> LeadSegments:
    """How many leads each tab lists under the other filters, and how many churned ones expansion hides.

    One statement: a COUNT of each, each reading no further than SEGMENT_COUNT_CAP + 1 leads (SEARCH_COUNT_CAP + 1
    under a search; a LIMITed subquery), from score_lead_stage_idx alone (rubric, stage, owner, and the filtered
    columns it carries)."""
    leads = _leads_in_any_segment(user=user, rubric=rubric, filters=filters, scale=scale)
    segments = lead_segments(rubric)
    chosen = lead_segment(rubric, filters.segment, filters.stage)
    # A stage belongs to one tab: the other counts its leads without it, as its link lists them (the stage left).
    elsewhere = (
        _leads_in_any_segment(user=user, rubric=rubric, filters=dataclasses.replace(filters, stage=""), scale=scale)
        if filters.stage
        else leads
    )
    churned_shown = filters.churned or filters.stage == CHURNED
    counted = {
        segment: (leads if segment == chosen else elsewhere).filter(
            stage__in=segment_stages(segment, churned=churned_shown)
        )
        for segment in segments
    }
    if EXPANSION in segments:
        counted[CHURNED] = (leads if chosen == EXPANSION else elsewhere).filter(stage=CHURNED)
    new = filters.qualified_since is not None
    cap = SEARCH_COUNT_CAP if filters.q else SEGMENT_COUNT_CAP
    counts = dict(zip(counted, _counts_capped(list(counted.values()), cap=cap, new=new), strict=True))
    return LeadSegments(
        chosen=chosen,
        tabs=[_tab(segment, SEGMENTS[segment], counts[segment], cap) for segment in segments],
        churned=_tab(EXPANSION, "Churned", counts[CHURNED], cap) if CHURNED in counts else None,
        churned_shown=churned_shown,
    )


def _counts_capped(querysets: list[QuerySet[Score]], *, cap: int, new: bool = False) -> list[int]:
    """The count of each queryset, up to ``cap`` + 1, in one round trip.

    ``new``: the leads are those that qualified lately. The planner would then merge the tab's leads with the
    new qualifications in customer order, expecting the cap's worth of new ones early on; but the latest
    qualifications are the latest customers (a re-score goes in customer order, and new accounts come last),
    at the end of that order: an admin's count read 340,000 leads of a million (400 ms) where hashing the new
    qualifications and reading the tab's leads until the cap is reached takes 10 to 25 ms. So no merge join."""
    parts, params = [], []
    for leads in querysets:
        # Only the customer id, which the indexes hold: an index-only scan (the score's id is in none of them).
        try:
            sql, sql_params = leads.order_by().values("customer_id")[: cap + 1].query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing (a grade the rubric does not have): no SQL
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")
        params.extend(sql_params)
    with planner_method_off("mergejoin") if new else contextlib.nullcontext(), connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())


def _tab(segment: str, label: str, count: int, cap: int) -> SegmentTab:
    return SegmentTab(segment, label, min(count, cap), count > cap)


# What a page of the lead list shows of each lead.
PAGE_FIELDS = (
    "customer_id",
    "total",
    "fit",
    "engagement",
    "customer__name",
    "customer__domain",
    "customer__industry",
    "customer__country",
    "customer__lifecycle_stage",
    "customer__owner__username",
    "customer__owner__first_name",
    "customer__owner__last_name",
)


@dataclass(frozen=True)
class LeadMatrix:
    """Qualified leads counted by grade (rows, best first) and engagement level (columns)."""

    grades: list[str]
    levels: tuple[tuple[str, str], ...]
    counts: dict[tuple[str, str], int]

    @property
    def rows(self) -> list[tuple[str, list[tuple[str, int]]]]:
        return [
            (grade, [(level, self.counts.get((grade, level), 0)) for level, _ in self.levels]) for grade in self.grades
        ]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def lead_matrix(*, user: User, rubric: Rubric, filters: LeadFilters, scale: RubricScale) -> LeadMatrix:
    """The fit × engagement overview of the leads the list shows (its grade and engagement filters aside)."""
    overview = dataclasses.replace(filters, grade="", engagement="")
    grade = Case(
        *(When(total__gte=g.min, then=Value(g.label)) for g in scale.grades),
        default=Value(NO_GRADE),
        output_field=CharField(),
    )
    lower, upper = scale.engagement_cuts
    level = Case(
        When(engagement__gte=upper, then=Value(HIGH)),
        When(engagement__gte=lower, then=Value(MEDIUM)),
        default=Value(LOW),
        output_field=CharField(),
    )
    rows = (
        _leads_filtered(user=user, rubric=rubric, filters=overview, scale=scale)
        .order_by()
        .values(grade_label=grade, level=level)
        .annotate(count=Count("customer_id"))
    )
    counts = {(row["grade_label"], row["level"]): row["count"] for row in rows}
    return LeadMatrix(grades=scale.grade_labels(), levels=ENGAGEMENT_LEVELS, counts=counts)


def lead_get(*, user: User, rubric: Rubric, customer_id: int) -> Score:
    """One lead the user may see (qualified or not any more), or 404: no guessing at other reps' leads."""
    score = (
        Score.objects.filter(lead_scope(user), rubric=rubric, customer_id=customer_id)
        .select_related("customer", "customer__owner", "version", "rubric__profile")
        .first()
    )
    if score is None:
        raise Http404("No such lead of yours.")
    return score


def lead_disposition_history(*, customer: Customer, rubric: Rubric) -> QuerySet[LeadDispositionChange]:
    return LeadDispositionChange.objects.filter(customer=customer, rubric=rubric).select_related("reason", "changed_by")


@dataclass(frozen=True)
class DisqualificationReport:
    by_reason: list[tuple[str, int]]
    by_criterion: list[tuple[str, int]]
    total: int


def disqualification_report(*, rubric: Rubric) -> DisqualificationReport:
    """Disqualified leads counted per reason, and per criterion they had matched when turned down.

    The criteria come from the score stored with each disqualification, decoded
    by the version that produced it: where the rubric lets the wrong accounts in.
    """
    current = LeadDisposition.objects.filter(rubric=rubric, status=DispositionStatus.DISQUALIFIED)
    by_reason = Counter(current.values_list("reason__label", flat=True))
    latest = {}
    changes = LeadDispositionChange.objects.filter(
        rubric=rubric, status=DispositionStatus.DISQUALIFIED, customer_id__in=current.values("customer_id")
    ).order_by("customer_id", "-changed_at", "-id")
    for change in changes.select_related("version"):
        latest.setdefault(change.customer_id, change)
    by_criterion: Counter = Counter()
    specs: dict[int, scoring.Rubric] = {}
    for change in latest.values():
        if change.version is None or change.matched is None:
            continue
        spec = specs.setdefault(change.version_id, version_spec(change.version))
        for outcome in scoring.explain(spec, change.matched):
            if outcome.status == scoring.MATCHED:
                by_criterion[outcome.criterion.label or outcome.criterion.field] += 1
    return DisqualificationReport(
        by_reason=by_reason.most_common(), by_criterion=by_criterion.most_common(), total=current.count()
    )


def lead_counts_new(*, user: User) -> list[dict]:
    """Per rubric with leads: the person's leads that qualified since their last look at them (all of them on a
    first visit), and since when, counted per tab of the lead list as the list counts them when the link is
    followed: "new since my last visit" on, every lead the person may work (theirs and the unowned ones), open
    ones only (not disqualified), churned accounts hidden."""
    visits = dict(LeadListVisit.objects.filter(user=user).values_list("rubric_id", "seen_at"))
    rows = []
    for rubric in lead_rubrics():
        since = visits.get(rubric.pk)
        filters = LeadFilters(owner=ANY, qualified_since=since)
        tabs = lead_segment_counts(user=user, rubric=rubric, filters=filters).tabs
        rows.append({"rubric": rubric, "since": since, "tabs": tabs, "owner": ANY})
    return rows
