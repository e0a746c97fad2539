"""Reads of the customer base: the filtered list, its pages, one customer's fields and history.

The list must stay fast on a million rows, so:
- every order ends with the id and matches an index: (name, id), (updated_at, id), and on
  PostgreSQL (employees DESC NULLS LAST, id) and (annual_revenue DESC NULLS LAST, id) (migration 0004);
- a page is read with one row more than it shows (that row says whether there is a next page):
  no COUNT(*); the "about N" line is the planner's estimate on PostgreSQL;
- a search of three characters or more looks inside names and domains (a trigram index on
  PostgreSQL, migration 0004 too); a shorter one matches a whole name, domain or external id.
"""

import datetime
import json
from dataclasses import dataclass, field

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.formats import date_format

from teams.models import Role, User

from .models import CATEGORY_FIELDS, CategorySpelling, Customer, CustomerChange

PER_PAGE_CHOICES = (25, 50, 100)
DEFAULT_PER_PAGE = 50
# Deeper pages cost an OFFSET that grows with them: past this, narrow the filters or export.
MAX_BROWSABLE_ROWS = 10_000
MIN_CONTAINS_SEARCH = 3
NO_OWNER = "none"

# sort key: (label, order_by)
SORTS = {
    "name": ("Name, A to Z", ("name", "id")),
    "-name": ("Name, Z to A", ("-name", "-id")),
    "-employees": ("Employees, most first", (F("employees").desc(nulls_last=True), "id")),
    "-annual_revenue": ("Annual revenue, highest first", (F("annual_revenue").desc(nulls_last=True), "id")),
    "-updated_at": ("Last updated, newest first", ("-updated_at", "-id")),
    "updated_at": ("Last updated, oldest first", ("updated_at", "id")),
}
DEFAULT_SORT = "name"
# Filter fields whose values are offered in a list (read with a loose index scan: cheap on 1M rows).
LISTED_FILTERS = ("industry", "country", "region")

# How a customer's fields are grouped on its page and in its form.
FIELD_GROUPS = [
    (
        "Firmographics",
        [
            "external_id",
            "domain",
            "industry",
            "country",
            "region",
            "city",
            "employees",
            "annual_revenue",
            "contact_titles",
        ],
    ),
    (
        "Pipeline",
        [
            "lifecycle_stage",
            "owner",
            "crm_created_on",
            "closed_on",
            "deal_outcome",
            "sales_cycle_days",
            "clv",
            "tenure_months",
        ],
    ),
    (
        "Engagement (last 30 days)",
        ["website_visits_30d", "email_opens_30d", "email_clicks_30d", "social_engagements_30d"],
    ),
    ("Product usage", ["active_days_30d", "features_used"]),
    (
        "Advocacy and feedback",
        ["referrals_made", "has_case_study", "has_public_review", "is_prominent_brand", "nps", "sentiment"],
    ),
]
MONEY_FIELDS = {"annual_revenue", "clv"}


@dataclass(frozen=True)
class CustomerFilters:
    q: str = ""
    industry: str = ""
    country: str = ""
    region: str = ""
    stage: str = ""
    owner: str = ""  # a user id, NO_OWNER, or "" for anyone
    sort: str = DEFAULT_SORT


@dataclass
class CustomerPage:
    customers: list
    number: int
    per_page: int
    has_next: bool
    capped: bool = False  # the page asked for was past MAX_BROWSABLE_ROWS
    more_hidden: bool = False  # more rows match than a person may page through
    exact_total: int | None = None
    estimated_total: int | None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.customers) - 1


def customer_list(*, filters: CustomerFilters) -> QuerySet[Customer]:
    """The customers matching ``filters``, in their order, with the owner joined."""
    customers = Customer.objects.select_related("owner")
    for name in LISTED_FILTERS:
        if value := getattr(filters, name):
            customers = customers.filter(**{name: value})
    if filters.stage:
        customers = customers.filter(lifecycle_stage=filters.stage)
    if filters.owner == NO_OWNER:
        customers = customers.filter(owner__isnull=True)
    elif filters.owner:
        customers = customers.filter(owner_id=filters.owner)
    customers = customers.filter(_search(filters.q))
    _, order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    if filters.q and len(filters.q) >= MIN_CONTAINS_SEARCH and filters.sort in ("name", "-name"):
        # Walking the (name, id) index until a page of matches turns up takes seconds when the
        # matches sit late in the alphabet; sorting the (trigram-found) matches is bounded.
        order = (Upper("name").desc(), "-id") if filters.sort.startswith("-") else (Upper("name"), "id")
    return customers.order_by(*order)


def _search(q: str) -> Q:
    q = q.strip()
    if not q:
        return Q()
    if len(q) < MIN_CONTAINS_SEARCH:
        return Q(name__iexact=q) | Q(domain__iexact=q) | Q(external_id=q)
    return Q(name__icontains=q) | Q(domain__icontains=q) | Q(external_id=q)


def customer_page(
    *,
    customers: QuerySet[Customer],
    number: int,
    per_page: int,
    key: str = "",
    rows: QuerySet | None = None,
    estimate: bool = True,
) -> CustomerPage:
    """One page of ``customers``, read with one row more to know whether a next page exists.

    With ``key`` (a unique column the ordering's index holds), the page's keys are read
    first and only those rows in full: the rows an OFFSET skips are then walked in the
    index alone, never joined or annotated. The full rows come from ``rows`` (in the same
    order) when given, else from ``customers``. Without ``estimate``, a page that is not
    the last one says nothing of the total (the planner's estimate costs a query).
    """
    last_page = max(1, MAX_BROWSABLE_ROWS // per_page)
    capped = number > last_page
    number = min(max(1, number), last_page)
    offset = (number - 1) * per_page
    if key:
        keys = list(customers.values_list(key, flat=True)[offset : offset + per_page + 1])
        found = len(keys)
        wanted = keys[:per_page]
        page_rows = list((customers if rows is None else rows).filter(**{f"{key}__in": wanted})) if wanted else []
    else:
        page_rows = list(customers[offset : offset + per_page + 1])
        found = len(page_rows)
    page = CustomerPage(
        customers=page_rows[:per_page],
        number=number,
        per_page=per_page,
        has_next=found > per_page and number < last_page,
        capped=capped,
        more_hidden=found > per_page and number == last_page,
    )
    if found <= per_page and (found or number == 1):
        page.exact_total = offset + found
    elif estimate:
        page.estimated_total = customer_count_estimate(customers)
    return page


def customer_count_estimate(customers: QuerySet[Customer]) -> int | None:
    """The planner's estimate of how many rows ``customers`` has (PostgreSQL), never a COUNT(*)."""
    if connection.vendor != "postgresql":
        return None
    plan = json.loads(customers.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def filter_choices() -> dict[str, list[str]]:
    """The values the list's filters offer: each distinct industry, country and region."""
    return {name: distinct_values(name) for name in LISTED_FILTERS}


def distinct_values(column: str) -> list[str]:
    """Distinct non-blank values of an indexed column.

    On PostgreSQL a recursive query jumps from one value to the next through the
    index ((industry, name, id) and the like): a few milliseconds on 1M rows,
    where SELECT DISTINCT reads them all.
    """
    if column not in LISTED_FILTERS + CATEGORY_FIELDS:
        raise ValueError(column)
    if connection.vendor != "postgresql":
        return list(Customer.objects.exclude(**{column: ""}).order_by(column).values_list(column, flat=True).distinct())
    table = connection.ops.quote_name(Customer._meta.db_table)
    col = connection.ops.quote_name(column)
    sql = f"""
        WITH RECURSIVE found(value) AS (
            (SELECT {col} FROM {table} WHERE {col} > '' ORDER BY {col} LIMIT 1)
            UNION ALL
            SELECT (SELECT {col} FROM {table} WHERE {col} > found.value ORDER BY {col} LIMIT 1)
            FROM found WHERE found.value IS NOT NULL
        )
        SELECT value FROM found WHERE value IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [value for (value,) in cursor.fetchall()]


def owner_choices() -> QuerySet[User]:
    """Who may own customers: the sales reps, active ones first."""
    return User.objects.filter(role=Role.SALES_REP).order_by("-is_active", "first_name", "last_name", "username")


# The customer page ----------------------------------------------------------------------------


@dataclass
class Section:
    title: str
    rows: list = field(default_factory=list)  # (label, shown value or None for "no data")


def customer_sections(customer: Customer) -> list[Section]:
    """Every field of ``customer`` in its group, formatted; None stands for "no data"."""
    sections = [
        Section(title, [(_label(name), _shown(customer, name)) for name in names]) for title, names in FIELD_GROUPS
    ]
    extra = Section("Extra attributes", [(key, _plain(value)) for key, value in sorted(customer.extra.items())])
    return [*sections, extra]


def _label(name: str) -> str:
    verbose = str(Customer._meta.get_field(name).verbose_name)
    return verbose[:1].upper() + verbose[1:]


def _shown(customer: Customer, name: str) -> str | None:
    model_field = Customer._meta.get_field(name)
    value = getattr(customer, name)
    if value is None or value == "":
        return None
    if model_field.choices:
        return getattr(customer, f"get_{name}_display")()
    if name == "owner":
        return value.display_name
    if name == "contact_titles":
        return "; ".join(customer.contact_title_list) or None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return intcomma(value)
    if hasattr(value, "isoformat"):
        return date_format(value, "DATETIME_FORMAT" if hasattr(value, "hour") else "DATE_FORMAT")
    return str(value)


def _plain(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@dataclass
class HistoryEntry:
    change: CustomerChange
    fields: list  # (label, old, new) with None for "no data"


def customer_history(*, customer: Customer, limit: int = 50) -> list[HistoryEntry]:
    """The latest changes of ``customer``, newest first, each field old → new."""
    changes = CustomerChange.objects.filter(customer=customer).select_related("changed_by")[:limit]
    return [
        HistoryEntry(
            change,
            [
                (_change_label(name), _history_value(name, old), _history_value(name, new))
                for name, (old, new) in sorted(change.changes.items())
            ],
        )
        for change in changes
    ]


def _history_value(name: str, value) -> str | None:
    """A value as the history stores it (JSON: a date as ISO 8601), shown as the pages show it."""
    try:
        model_field = Customer._meta.get_field(name)
    except FieldDoesNotExist:
        model_field = None
    if isinstance(value, str) and isinstance(model_field, models.DateField):
        try:
            if isinstance(model_field, models.DateTimeField):
                return date_format(timezone.localtime(datetime.datetime.fromisoformat(value)), "DATETIME_FORMAT")
            return date_format(datetime.date.fromisoformat(value))
        except ValueError:
            pass
    return _plain(value)


def _change_label(name: str) -> str:
    try:
        return _label(name)
    except FieldDoesNotExist:  # a field that no longer exists keeps its stored name
        return name


@dataclass(frozen=True)
class Spelling:
    """A spelling customers store for a category field, how many store it, and the other spellings (their
    keys) stored as it."""

    spelling: str
    customers: int
    also: list[str]


def category_spellings(field: str) -> list[Spelling]:
    """What the category merge page lists for ``field``, by spelling."""
    if field not in CATEGORY_FIELDS:
        raise ValueError(field)
    counts = dict(Customer.objects.exclude(**{field: ""}).order_by().values_list(field).annotate(customers=Count("id")))
    also: dict[str, list[str]] = {}
    for key, spelling in CategorySpelling.objects.filter(field=field).values_list("key", "spelling"):
        if key != "".join(spelling.split()).casefold():
            also.setdefault(spelling, []).append(key)
    return [Spelling(spelling, counts[spelling], sorted(also.get(spelling, []))) for spelling in sorted(counts)]
