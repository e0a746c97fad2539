"""Which customer a row of a file without CRM ids is (the customers import): the customer with its domain, else
the one with its name and country, else the one an earlier import of the same row created, else a new one.

A new customer gets an id of our own derived from what identifies the row (its domain, else its name and
country), so importing the same file again finds the same customers and creates none twice. Names and
countries are compared ignoring case and spacing (a country also by the spellings an admin merged). Two
customers that fit the same rule make the row ambiguous: it is refused with their ids, never guessed.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db.models.functions import Upper

from imports.cleaning import RowError

from .models import CategorySpelling, Customer
from .services.categories import category_key

BY_DOMAIN = "by domain"
BY_NAME_AND_COUNTRY = "by name and country"
BY_OUR_ID = "by the id an earlier import gave it"
NEW = "new"
RULES = (BY_DOMAIN, BY_NAME_AND_COUNTRY, BY_OUR_ID, NEW)


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def our_id(row: dict) -> str:
    """A stable id for a row without one: the same domain (else name and country) always gives the same id."""
    if row.get("domain"):
        basis = f"domain:{row['domain'].lower()}"
    else:
        basis = f"name:{name_key(row.get('name', ''))}|country:{category_key(row.get('country') or '')}"
    return "ICP-" + hashlib.sha256(basis.encode()).hexdigest()[:16].upper()


@dataclass(frozen=True)
class Match:
    external_id: str
    rule: str


def _ids(customers: list[tuple[str, str]]) -> str:
    shown = ", ".join(f"“{external_id}”" for external_id, _ in customers[:5])
    return shown + (" …" if len(customers) > 5 else "")


class RowMatcher:
    """Resolves a batch of cleaned rows (no external id) to the customers they are, in a few queries."""

    def __init__(self):
        self._countries: dict[str, str] = {}  # a country's key -> the spelling customers store

    def match(self, rows: list[dict]) -> list[Match | RowError]:
        by_domain = self._by_domain({row["domain"] for row in rows if row.get("domain")})
        named = [row for row in rows if row.get("name") and row.get("country")]
        by_name = self._by_name_and_country(named)
        ours = set(
            Customer.objects.filter(external_id__in=[our_id(row) for row in rows]).values_list("external_id", flat=True)
        )
        results: list[Match | RowError] = []
        for row in rows:
            if not row.get("domain") and not row.get("name"):
                results.append(RowError("no CRM id, domain or company name to tell which customer it is"))
                continue
            found = by_domain.get(row.get("domain", "").lower(), [])
            if not found and row.get("name") and row.get("country"):
                found = by_name.get((name_key(row["name"]), self._country_key(row["country"])), [])
                rule = BY_NAME_AND_COUNTRY
            else:
                rule = BY_DOMAIN
            if len(found) > 1:
                what = f"domain “{row['domain']}”" if rule == BY_DOMAIN else f"“{row['name']}” in {row['country']}"
                results.append(
                    RowError(f"{len(found)} customers match {what} ({_ids(found)}): add their CRM id to the file")
                )
            elif found:
                results.append(Match(found[0][0], rule))
            else:
                derived = our_id(row)
                results.append(Match(derived, BY_OUR_ID if derived in ours else NEW))
        return results

    def _by_domain(self, domains: set[str]) -> dict[str, list[tuple[str, str]]]:
        found = defaultdict(list)
        if domains:
            customers = (
                Customer.objects.annotate(domain_upper=Upper("domain"))
                .filter(domain_upper__in=[domain.upper() for domain in domains])
                .order_by("pk")
                .values_list("domain", "external_id", "name")
            )
            for domain, external_id, name in customers:
                found[domain.lower()].append((external_id, name))
        return found

    def _by_name_and_country(self, rows: list[dict]) -> dict[tuple[str, str], list[tuple[str, str]]]:
        found = defaultdict(list)
        if not rows:
            return found
        self._countries = dict(
            CategorySpelling.objects.filter(
                field="country", key__in={category_key(row["country"]) for row in rows}
            ).values_list("key", "spelling")
        )
        names = {" ".join(row["name"].split()).upper() for row in rows}
        customers = (
            Customer.objects.annotate(name_upper=Upper("name"))
            .filter(name_upper__in=names)
            .order_by("pk")
            .values_list("name", "country", "external_id")
        )
        for name, country, external_id in customers:
            found[(name_key(name), category_key(country))].append((external_id, name))
        return found

    def _country_key(self, country: str) -> str:
        """The key of the spelling customers store for ``country`` (an admin may have merged it into another)."""
        key = category_key(country)
        return category_key(self._countries.get(key, country))
