"""From the cells of a CRM export to clean customer values, or a plain reason why not (the customers import).

Column names are matched to fields through ``COLUMN_ALIASES`` (our names and those of HubSpot and Salesforce
exports). Each cell is parsed by the kind of its field (imports.cleaning): text, whole number, money, date,
yes/no, category, owner, domain, titles.
"""

from django.core.exceptions import ValidationError

from imports.cleaning import (
    RowError,
    column_key,
    is_unknown,
    parse_bool,
    parse_category,
    parse_date,
    parse_domain,
    parse_extra,
    parse_titles,
    parse_whole,
)

from .models import Customer, DealOutcome, LifecycleStage
from .regions import region_of

EXTRA_PREFIX = "extra:"

# Normalised column name -> field (or extra attribute) it fills.
COLUMN_ALIASES = {
    # Our own names (the field names and their labels) come first.
    **{column_key(field.attname): field.attname for field in Customer._meta.concrete_fields},
    **{column_key(field.verbose_name): field.attname for field in Customer._meta.concrete_fields},
    "owner": "owner_id",
    # HubSpot companies export.
    "record id": "external_id",
    "company name": "name",
    "company domain name": "domain",
    "website url": "domain",
    "country region": "country",
    "state region": "extra:state",
    "number of employees": "employees",
    "annual revenue": "annual_revenue",
    "lifecycle stage": "lifecycle_stage",
    "company owner": "owner_id",
    "create date": "crm_created_on",
    "close date": "closed_on",
    # Salesforce accounts export.
    "account id": "external_id",
    "account name": "name",
    "website": "domain",
    "billing country": "country",
    "billing state province": "extra:state",
    "billing city": "city",
    "employees": "employees",
    "type": "lifecycle_stage",
    "account owner": "owner_id",
    "created date": "crm_created_on",
    # Other common spellings.
    "external id": "external_id",
    "crm id": "external_id",
    "company": "name",
    "organisation": "name",
    "organization": "name",
    "employee count": "employees",
    "headcount": "employees",
    "revenue": "annual_revenue",
    "job titles": "contact_titles",
    "job title": "contact_titles",
    "contact titles": "contact_titles",
    "contact title": "contact_titles",
    "stage": "lifecycle_stage",
    "owner email": "owner_id",
    "sales rep": "owner_id",
    "outcome": "deal_outcome",
    "sales cycle": "sales_cycle_days",
    "lifetime value": "clv",
    "customer lifetime value": "clv",
    "tenure": "tenure_months",
    "active days": "active_days_30d",
    "website visits": "website_visits_30d",
    "email opens": "email_opens_30d",
    "email clicks": "email_clicks_30d",
    "social engagements": "social_engagements_30d",
    "referrals": "referrals_made",
    "case study": "has_case_study",
    "public review": "has_public_review",
    "prominent brand": "is_prominent_brand",
    "nps score": "nps",
    "net promoter score": "nps",
}
COLUMN_ALIASES.pop("id", None)
COLUMN_ALIASES.pop(column_key("extra attributes"), None)
COLUMN_ALIASES.pop("extra", None)
for _timestamp in ("created at", "updated at"):
    COLUMN_ALIASES.pop(_timestamp, None)

STAGE_WORDS = {
    **{value: value for value in LifecycleStage.values},
    "subscriber": LifecycleStage.PROSPECT,
    "marketing qualified lead": LifecycleStage.LEAD,
    "marketingqualifiedlead": LifecycleStage.LEAD,
    "mql": LifecycleStage.LEAD,
    "sales qualified lead": LifecycleStage.LEAD,
    "salesqualifiedlead": LifecycleStage.LEAD,
    "sql": LifecycleStage.LEAD,
    "evangelist": LifecycleStage.CUSTOMER,
    "customer direct": LifecycleStage.CUSTOMER,
    "customer channel": LifecycleStage.CUSTOMER,
    "former customer": LifecycleStage.CHURNED,
    "churned customer": LifecycleStage.CHURNED,
}
OUTCOME_WORDS = {
    **{value: value for value in DealOutcome.values},
    "closed won": DealOutcome.WON,
    "closed lost": DealOutcome.LOST,
    "in progress": DealOutcome.OPEN,
}
MONEY_FIELDS = {"annual_revenue", "clv"}
DATE_FIELDS = {"crm_created_on", "closed_on"}
CATEGORY_WORDS = {"lifecycle_stage": STAGE_WORDS, "deal_outcome": OUTCOME_WORDS}


def target_field(target: str):
    """The model field a target attname fills ("owner_id" fills "owner")."""
    return Customer._meta.get_field("owner" if target == "owner_id" else target)


def target_label(target: str) -> str:
    if target.startswith(EXTRA_PREFIX):
        return f"extra attribute “{target.removeprefix(EXTRA_PREFIX)}”"
    return str(target_field(target).verbose_name)


def is_number_field(target: str) -> bool:
    if target.startswith(EXTRA_PREFIX) or target == "owner_id":
        return False
    return target_field(target).get_internal_type().endswith("IntegerField")


# --- Rows ------------------------------------------------------------------------------


class RowCleaner:
    """Turns the cells of one row into customer values, given the file's column mapping.

    ``mapping`` maps column positions to targets; ``owners`` maps a lower-cased
    email, username or full name to a user; ``date_orders`` maps a date field to
    "dmy" or "mdy" for that file; ``number_style`` is the file's "us" or "eu".
    """

    def __init__(
        self,
        mapping: dict[int, str],
        owners: dict[str, object],
        date_orders: dict[str, str],
        number_style: str = "us",
    ):
        self.mapping = mapping
        self.owners = owners
        self.date_orders = date_orders
        self.number_style = number_style
        self.fields = {
            target: target_field(target) for target in mapping.values() if not target.startswith(EXTRA_PREFIX)
        }

    def clean(self, cells: list[str]) -> dict:
        values: dict = {}
        extra: dict = {}
        for position, target in self.mapping.items():
            text = cells[position] if position < len(cells) else ""
            if target.startswith(EXTRA_PREFIX):
                extra[target.removeprefix(EXTRA_PREFIX)] = parse_extra(text)
                continue
            try:
                value = self._parse(target, text)
            except RowError as error:
                raise RowError(f"{target_label(target)}: {error}") from None
            if value is not None or self.fields[target].null:
                values[target] = value
        if extra:
            values["extra"] = extra
        if "external_id" in self.fields and not values.get("external_id"):
            raise RowError("no external id (the CRM's record id is empty)")
        if "name" in values and not values["name"]:
            raise RowError("no company name")
        self._validate(values)
        if "region" not in self.fields and values.get("country") and (region := region_of(values["country"])):
            values["region"] = region  # the file has no region: the country's, so region criteria see the customer
        return values

    def _parse(self, target: str, text: str):
        if target == "owner_id":
            return self._owner(text)
        if target in CATEGORY_WORDS:
            return parse_category(text, CATEGORY_WORDS[target])
        if target in DATE_FIELDS:
            return parse_date(text, self.date_orders.get(target, "mdy"))
        if target == "domain":
            return parse_domain(text)
        if target == "contact_titles":
            return parse_titles(text)
        internal_type = self.fields[target].get_internal_type()
        if internal_type == "BooleanField":
            return parse_bool(text)
        if internal_type.endswith("IntegerField"):
            return parse_whole(text, money=target in MONEY_FIELDS, style=self.number_style)
        return "" if is_unknown(text) else " ".join(text.split())

    def _owner(self, text: str):
        if is_unknown(text):
            return None
        owner = self.owners.get(" ".join(text.split()).lower())
        if owner is None:
            raise RowError(f"“{text.strip()}” is not a sales rep in ICP Workshop (give their email or username)")
        return owner.pk

    def _validate(self, values: dict) -> None:
        """Lengths and ranges, by the model's own field rules (categories are parsed to valid choices)."""
        for target, value in values.items():
            if target == "extra" or value is None or target == "owner_id":
                continue
            field = self.fields[target]
            try:
                field.run_validators(value)
            except ValidationError as error:
                raise RowError(f"{target_label(target)}: {' '.join(error.messages)}") from None
