"""The customer import's cleaning of CRM wording: table-driven, no database."""

import pytest

from customers.cleaning import STAGE_WORDS
from imports.cleaning import RowError, parse_category


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Customer", "customer"),
        ("CUSTOMER", "customer"),
        ("marketingqualifiedlead", "lead"),
        ("Sales Qualified Lead", "lead"),
        ("Customer - Direct", "customer"),
        ("Former Customer", "churned"),
        ("subscriber", "prospect"),
        ("  opportunity ", "opportunity"),
        ("N/A", None),
    ],
)
def test_it_reads_lifecycle_stages_in_any_case_and_crm_wording(text, expected):
    assert parse_category(text, STAGE_WORDS) == expected


def test_it_names_the_accepted_stages_when_it_rejects_one():
    with pytest.raises(RowError, match="“Partner” is not one of churned, customer, lead, opportunity, prospect"):
        parse_category("Partner", STAGE_WORDS)
