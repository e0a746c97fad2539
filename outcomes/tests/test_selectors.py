"""Outcomes grouped in the database, each figure over the customers it means something for."""

import pytest

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from outcomes.selectors import outcomes_by

pytestmark = pytest.mark.django_db


def _everyone() -> dict:
    (only,) = outcomes_by(Customer.objects.all()).values()
    return only


def test_it_averages_clv_and_tenure_among_customers_only_not_prospects_an_export_gave_zero():
    CustomerFactory(lifecycle_stage="customer", deal_outcome="won", clv=300_000, tenure_months=30)
    CustomerFactory(lifecycle_stage="churned", deal_outcome="won", clv=100_000, tenure_months=10)
    # A CRM export fills the prospects' CLV and tenure with 0: they mean "none yet", not "worth nothing".
    for _ in range(3):
        CustomerFactory(lifecycle_stage="prospect", deal_outcome="", clv=0, tenure_months=0)

    outcomes = _everyone()

    assert outcomes.customers == 5
    assert outcomes.average_clv.value == pytest.approx(200_000)
    assert outcomes.average_clv.n == 2
    assert outcomes.average_tenure.value == pytest.approx(20)
    assert outcomes.average_tenure.n == 2


def test_it_averages_the_sales_cycle_among_won_deals_only():
    CustomerFactory(deal_outcome="won", sales_cycle_days=30)
    CustomerFactory(deal_outcome="won", sales_cycle_days=50)
    CustomerFactory(lifecycle_stage="prospect", deal_outcome="lost", sales_cycle_days=400)
    CustomerFactory(lifecycle_stage="opportunity", deal_outcome="open", sales_cycle_days=900)

    outcomes = _everyone()

    assert outcomes.average_sales_cycle.value == pytest.approx(40)
    assert outcomes.average_sales_cycle.n == 2
    assert outcomes.conversion.value == pytest.approx(2 / 3)
    assert outcomes.conversion.n == 3


def test_it_groups_by_a_key_and_counts_each_group_apart():
    CustomerFactory(industry="Software", deal_outcome="won", lifecycle_stage="customer")
    CustomerFactory(industry="Software", deal_outcome="lost", lifecycle_stage="prospect")
    CustomerFactory(industry="Retail", deal_outcome="lost", lifecycle_stage="prospect")

    from django.db.models import F

    grouped = outcomes_by(Customer.objects.all(), sector=F("industry"))

    assert {key: (o.won, o.lost) for key, o in grouped.items()} == {("Software",): (1, 1), ("Retail",): (0, 1)}
