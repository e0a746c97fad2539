"""What do our best customers share? The planted traits come first, with the shares, lift and p-value by hand."""

import pytest
from scipy import stats as scipy_stats

from analytics.suggestions import criteria_suggest
from analytics.traits import BASES, traits_discover
from customers.models import Customer
from customers.tests.factories import CustomerFactory
from outcomes.populations import AFTER_THE_SALE
from profiles.models import Exemplar
from rubrics.models import Rubric

from .factories import PLANTED_INDUSTRIES

pytestmark = pytest.mark.django_db

PLANTED = {
    ("industry", "Software"),
    ("industry", "Healthcare"),
    ("employees", 3),
    ("employees", 4),
}  # 200-999, 1000-1999


def test_it_ranks_the_planted_traits_of_won_deals_first(icp):
    discovery = traits_discover(rubric=icp.rubric, basis=BASES["won"])

    first = {(trait.attribute.field, trait.key) for trait in discovery.traits[:4]}
    assert first == PLANTED
    assert {trait.value for trait in discovery.traits[:4]} == {"Software", "Healthcare", "200 to 999", "1,000 to 1,999"}
    assert all(trait.significant and trait.lift > 1 for trait in discovery.traits[:4])
    # Nothing else is both significant and more common among the won deals.
    others = [trait for trait in discovery.traits[4:] if trait.significant and trait.lift > 1 and trait.is_data]
    assert others == []


def test_it_counts_shares_lift_and_significance_as_by_hand(icp):
    discovery = traits_discover(rubric=icp.rubric, basis=BASES["won"])

    software = next(t for t in discovery.traits if (t.attribute.field, t.key) == ("industry", "Software"))
    won = [c for c in icp.customers if c.deal_outcome == "won"]
    lost = [c for c in icp.customers if c.deal_outcome == "lost"]
    won_software = sum(c.industry == "Software" for c in won)
    lost_software = sum(c.industry == "Software" for c in lost)
    assert (software.best, software.best_total) == (won_software, len(won))
    assert (software.everyone, software.everyone_total) == (won_software + lost_software, len(icp.customers))
    share_best, share_all = won_software / len(won), (won_software + lost_software) / len(icp.customers)
    assert software.lift == pytest.approx(share_best / share_all)
    table = [[won_software, len(won) - won_software], [lost_software, len(lost) - lost_software]]
    assert software.p_value == pytest.approx(scipy_stats.chi2_contingency(table, correction=False).pvalue)
    assert software.q_value >= software.p_value


def test_it_suggests_criteria_from_the_planted_traits_first(icp):
    discovery = traits_discover(rubric=icp.rubric, basis=BASES["won"])

    suggestions = criteria_suggest(discovery)

    industry, employees = sorted(suggestions[:2], key=lambda s: s.field != "industry")
    assert (industry.field, industry.operator, set(industry.values)) == ("industry", "in", PLANTED_INDUSTRIES)
    # The band comes from the data: its edges are quantiles of the base (about 47 customers a bin), so they
    # fall within a bin of the planted 200 and 2,000, and its counts are exactly those between its edges.
    assert (employees.field, employees.operator) == ("employees", "between")
    low, high = employees.values
    assert abs(low - 200) <= 50
    assert abs(high - 2_000) <= 250
    won = [c for c in icp.customers if c.deal_outcome == "won"]
    assert employees.best == sum(low <= c.employees <= high for c in won)
    assert employees.everyone == sum(low <= c.employees <= high for c in icp.customers)
    assert all(1 <= s.points <= 3 for s in suggestions[:2])
    share_best = sum(c.industry in PLANTED_INDUSTRIES for c in won) / len(won)
    share_all = sum(c.industry in PLANTED_INDUSTRIES for c in icp.customers) / len(icp.customers)
    assert industry.lift == pytest.approx(share_best / share_all)


def test_it_takes_the_top_share_by_clv_with_ties_at_the_cut(db):
    rubric = Rubric.objects.create(profile_id=_profile().pk, name="Fit")
    for clv in [100, 200, 300, 400, 500, 600, 700, 800, 900, 900]:
        CustomerFactory(clv=clv, industry="Software" if clv >= 800 else "Retail")
    CustomerFactory(clv=None, industry="Software")  # no CLV: not looked at

    discovery = traits_discover(rubric=rubric, basis=BASES["clv"], top=10)

    assert discovery.cut == 900
    assert (discovery.best_total, discovery.everyone_total) == (2, 10)  # 10% of 10 is one, and its tie
    software = next(t for t in discovery.traits if t.attribute.field == "industry" and t.key == "Software")
    assert (software.best, software.everyone) == (2, 3)
    assert not any(t.attribute.field == "clv" for t in discovery.traits)


def test_it_takes_the_profiles_exemplars_as_the_best(db):
    profile = _profile()
    rubric = Rubric.objects.create(profile=profile, name="Fit")
    chosen = [CustomerFactory(industry="Healthcare") for _ in range(3)]
    rejected = CustomerFactory(industry="Retail")
    for _ in range(5):
        CustomerFactory(industry="Retail")
    for customer in chosen:
        Exemplar.objects.create(profile=profile, customer=customer, reason="clv", status="agreed")
    Exemplar.objects.create(profile=profile, customer=rejected, reason="clv", status="rejected")

    discovery = traits_discover(rubric=rubric, basis=BASES["exemplars"])

    assert (discovery.best_total, discovery.everyone_total) == (3, 9)
    healthcare = next(t for t in discovery.traits if t.attribute.field == "industry" and t.key == "Healthcare")
    assert (healthcare.best, healthcare.everyone, healthcare.lift) == (3, 3, 3.0)
    assert healthcare.p_value == pytest.approx(scipy_stats.fisher_exact([[3, 0], [0, 6]]).pvalue)


def test_it_finds_nothing_to_compare_without_best_customers(db):
    rubric = Rubric.objects.create(profile_id=_profile().pk, name="Fit")
    CustomerFactory(clv=None)

    discovery = traits_discover(rubric=rubric, basis=BASES["clv"])

    assert discovery.best_total == 0
    assert discovery.traits == []


def test_it_ranks_top_by_clv_among_customers_not_prospects_an_export_gave_zero(db):
    rubric = Rubric.objects.create(profile_id=_profile().pk, name="Fit")
    for clv in [100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000]:
        stage = "churned" if clv <= 300 else "customer"
        CustomerFactory(clv=clv, lifecycle_stage=stage, industry="Software" if clv >= 900 else "Retail")
    for _ in range(6):  # prospects: a CLV of 0 from the export, all in Retail
        CustomerFactory(clv=0, lifecycle_stage="prospect", industry="Retail", tenure_months=None, nps=None)
    CustomerFactory(clv=None, lifecycle_stage="customer", industry="Software")  # no CLV: not looked at

    discovery = traits_discover(rubric=rubric, basis=BASES["clv"], top=20)

    # Ten customers with a CLV: the top 20% is two (900 and 1,000); the prospects are not among the ten.
    assert (discovery.best_total, discovery.everyone_total, discovery.cut) == (2, 10, 900)
    assert discovery.basis.among == "customers (current and churned) with a CLV"
    retail = next(t for t in discovery.traits if t.attribute.field == "industry" and t.key == "Retail")
    assert (retail.best, retail.everyone) == (0, 8)
    stages = {t.key: (t.best, t.everyone) for t in discovery.after_the_sale if t.attribute.field == "lifecycle_stage"}
    assert stages == {"customer": (2, 7), "churned": (0, 3)}


def _after_the_sale_base(profile):
    """300 decided deals. The won ones (200) rank from 0 to 199, and with their rank everything known after the
    sale grows: CLV, tenure, NPS, usage, referrals, sentiment, case studies, reviews, staying a customer. Before
    the sale, only industry says something, and more weakly: most of the higher-ranked are in Software."""
    customers = []
    for rank in range(200):
        customers.append(
            Customer(
                external_id=f"AFTER-{rank:03d}",
                name=f"Won {rank}",
                industry="Software" if rank % 10 < (8 if rank >= 100 else 3) else "Retail",
                deal_outcome="won",
                lifecycle_stage="customer" if rank >= 40 else "churned",
                clv=1_000 * (rank + 1),
                tenure_months=rank // 4 + 1,
                nps=rank * 11 // 200,
                features_used=rank // 10,
                active_days_30d=rank * 30 // 200,
                referrals_made=rank // 50,
                sentiment=rank - 100,
                has_case_study=rank >= 150,
                has_public_review=rank >= 120,
            )
        )
    for number in range(100):
        customers.append(
            Customer(
                external_id=f"LOST-{number:03d}",
                name=f"Lost {number}",
                industry="Software" if number % 10 == 0 else "Retail",
                deal_outcome="lost",
                lifecycle_stage="prospect",
                clv=0,
            )
        )
    Customer.objects.bulk_create(customers)
    for customer in Customer.objects.filter(clv__gte=171_000):  # the top 30: the profile's exemplars
        Exemplar.objects.create(profile=profile, customer=customer, reason="clv", status="agreed")


@pytest.mark.parametrize("basis", list(BASES))
def test_it_never_suggests_what_is_known_only_after_the_sale(db, basis):
    profile = _profile()
    _after_the_sale_base(profile)
    rubric = Rubric.objects.create(profile=profile, name="Fit")

    discovery = traits_discover(rubric=rubric, basis=BASES[basis], top=20)
    suggestions = criteria_suggest(discovery)

    assert suggestions  # industry is suggested: the check below is not vacuous
    assert not {s.field for s in suggestions} & AFTER_THE_SALE
    assert not {t.attribute.field for t in (*discovery.traits, *discovery.combined)} & AFTER_THE_SALE
    assert not {t.attribute.field for pair in discovery.pairs for t in (pair.first, pair.second)} & AFTER_THE_SALE
    shown = {t.attribute.field for t in discovery.after_the_sale if t.significant and t.lift > 1}
    if basis == "won":
        assert discovery.after_the_sale == []  # for won deals they would only restate the outcome
    else:  # strongly tied to the best, and shown apart: what the best also show
        assert {"features_used", "has_case_study"} <= shown


def _profile():
    from profiles.models import Profile

    return Profile.objects.create(name=f"Profile {Profile.objects.count() + 1}")
