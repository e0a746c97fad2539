"""A customer base with planted differences, and a rubric with two versions that score it.

Software and Healthcare companies of 200 to 1,999 employees convert at three times the rate of the
others; the rest is noise. Everything is drawn from a seeded RNG, so the base is the same on every
run and on both databases.
"""

import random
from dataclasses import dataclass

from customers.models import Customer
from profiles.models import Profile
from rubrics import scoring
from rubrics.models import Criterion, Rubric, RubricVersion, VersionStatus
from rubrics.selectors import customer_attributes, version_spec
from rubrics.services.scores import scores_write

INDUSTRIES = ["Software", "Healthcare", "Retail", "Manufacturing", "Education", "Logistics"]
PLANTED_INDUSTRIES = {"Software", "Healthcare"}
SIZES = [(10, 49), (50, 199), (200, 999), (1_000, 1_999), (2_000, 4_999)]
COUNTRIES = [("Germany", "EMEA"), ("France", "EMEA"), ("United States", "North America"), ("Japan", "APAC")]
BASE_RATE, PLANTED_RATE = 0.2, 0.6  # three times


def planted(customer: Customer) -> bool:
    return customer.industry in PLANTED_INDUSTRIES and 200 <= customer.employees < 2_000


def planted_customers(count: int = 3000, seed: int = 7) -> list[Customer]:
    """``count`` customers, each with a decided deal (won or lost); the won ones became customers."""
    rng = random.Random(seed)
    customers = []
    for number in range(count):
        country, region = rng.choice(COUNTRIES)
        low, high = rng.choice(SIZES)
        customer = Customer(
            external_id=f"PLANT-{number:05d}",
            name=f"Planted {number}",
            industry=rng.choice(INDUSTRIES),
            country=country,
            region=region,
            employees=rng.randint(low, high),
            annual_revenue=rng.randint(1, 500) * 1_000_000,
            website_visits_30d=rng.randint(0, 40),
            has_public_review=rng.random() < 0.2,
        )
        won = rng.random() < (PLANTED_RATE if planted(customer) else BASE_RATE)
        customer.deal_outcome = "won" if won else "lost"
        customer.sales_cycle_days = rng.randint(20, 120)
        if won:
            churned = rng.random() < 0.2
            customer.lifecycle_stage = "churned" if churned else "customer"
            customer.tenure_months = rng.randint(1, 60)
            customer.clv = rng.randint(10, 400) * 1_000
            customer.nps = rng.randint(0, 10) if rng.random() < 0.8 else None
            customer.sentiment = rng.randint(-100, 100) if rng.random() < 0.6 else None
        else:
            customer.lifecycle_stage = rng.choice(["prospect", "lead"])
        customers.append(customer)
    return Customer.objects.bulk_create(customers)


@dataclass
class PlantedIcp:
    rubric: Rubric
    retired: RubricVersion  # v1: industry only
    published: RubricVersion  # v2: industry and size, grades A/B/C
    customers: list[Customer]


def _version(rubric, number, status, threshold, grades, criteria) -> RubricVersion:
    version = RubricVersion.objects.create(
        rubric=rubric, number=number, status=status, threshold=threshold, grades=grades
    )
    for position, (field, operator, values, points) in enumerate(criteria):
        Criterion.objects.create(
            version=version, position=position, field=field, operator=operator, values=values, points=points
        )
    return version


def planted_icp(count: int = 3000, seed: int = 7) -> PlantedIcp:
    """The planted base, scored by the published v2 of a rubric whose v1 (retired) looked at industry only."""
    planted_customers(count, seed)
    rubric = Rubric.objects.create(profile=Profile.objects.create(name="Planted ICP"), name="Fit")
    retired = _version(rubric, 1, VersionStatus.RETIRED, 3, [], [("industry", "in", ["Software"], 3)])
    published = _version(
        rubric,
        2,
        VersionStatus.PUBLISHED,
        4,
        [{"label": "A", "min": 5}, {"label": "B", "min": 3}, {"label": "C", "min": 0}],
        [
            ("industry", "in", ["Software", "Healthcare"], 3),
            ("employees", "between", [200, 1_999], 2),
            ("region", "in", ["EMEA"], 1),
            ("has_public_review", "true", [], -1),
        ],
    )
    scores_write(version=published, spec=version_spec(published), low_id=0, high_id=2**62)
    return PlantedIcp(rubric, retired, published, list(Customer.objects.order_by("pk")))


def total_by_hand(version: RubricVersion, customer: Customer) -> int:
    """The customer's total by the pure engine, for expectations computed apart from the database."""
    return scoring.score(version_spec(version), customer_attributes(customer)).total


def gated_icp(count: int = 1500, seed: int = 11) -> PlantedIcp:
    """The planted base scored by a published v2 with gates and a cap: employees of 50 or more are a must-have,
    Japan a disqualifier (with a point, that it never earns a qualification), and fit counts 4 at most."""
    planted_customers(count, seed)
    rubric = Rubric.objects.create(profile=Profile.objects.create(name="Gated ICP"), name="Fit")
    retired = _version(rubric, 1, VersionStatus.RETIRED, 3, [], [("industry", "in", ["Software"], 3)])
    published = _version(
        rubric,
        2,
        VersionStatus.PUBLISHED,
        3,
        [{"label": "A", "min": 4}, {"label": "B", "min": 2}],
        [
            ("industry", "in", ["Software", "Healthcare"], 3),
            ("employees", "between", [200, 1_999], 2),
            ("region", "in", ["EMEA"], 1),
            ("has_public_review", "true", [], -1),
            ("employees", "gte", [50], 0),
            ("country", "in", ["Japan"], 1),
        ],
    )
    published.criteria.filter(field="employees", operator="gte").update(gate="must")
    published.criteria.filter(field="country").update(gate="never")
    RubricVersion.objects.filter(pk=published.pk).update(caps={"fit": 4})
    published.refresh_from_db()
    scores_write(version=published, spec=version_spec(published), low_id=0, high_id=2**62)
    return PlantedIcp(rubric, retired, published, list(Customer.objects.order_by("pk")))


def result_by_hand(version: RubricVersion, customer: Customer) -> scoring.ScoreResult:
    """The customer's whole score by the pure engine (total, qualified, rank), apart from the database."""
    return scoring.score(version_spec(version), customer_attributes(customer))


# A planted ICP with exact counts: fit = one of two industries AND 200 to 2,000 employees AND one of four countries.
FIT_INDUSTRIES = ("Software", "Healthcare")
FIT_COUNTRIES = ("Germany", "France", "Spain", "Italy")
FIT_EMPLOYEES = (200, 2_000)
GRID_INDUSTRIES = (*FIT_INDUSTRIES, "Retail", "Manufacturing", "Education")
GRID_COUNTRIES = (*FIT_COUNTRIES, "United States", "Canada", "Japan", "Brazil", "India", "Australia")
GRID_EMPLOYEES = (50, 120, 199, 200, 800, 2_000, 2_001, 3_500)  # values on both sides of each edge
GRID_DEALS, WON_IF_FIT, WON_OTHERWISE = 10, 6, 2  # per combination: 60% won where it fits, 20% elsewhere


def fits(industry: str, country: str, employees: int) -> bool:
    low, high = FIT_EMPLOYEES
    return industry in FIT_INDUSTRIES and country in FIT_COUNTRIES and low <= employees <= high


def planted_grid() -> list[Customer]:
    """Every combination of 5 industries, 10 countries and 8 sizes, with 10 decided deals each (4,000): 6 won
    where the planted ICP fits, 2 elsewhere. Counts, not chance: every expected figure is exact.

    Each fitting country holds only a tenth of the deals and a fifth of its deals fit, so alone it stands
    out too little to pass the page's correction; the four together do."""
    customers = []
    for industry in GRID_INDUSTRIES:
        for country in GRID_COUNTRIES:
            for employees in GRID_EMPLOYEES:
                won = WON_IF_FIT if fits(industry, country, employees) else WON_OTHERWISE
                for deal in range(GRID_DEALS):
                    customers.append(
                        Customer(
                            external_id=f"GRID-{len(customers):05d}",
                            name=f"Grid {len(customers)}",
                            industry=industry,
                            country=country,
                            employees=employees,
                            deal_outcome="won" if deal < won else "lost",
                            lifecycle_stage="customer" if deal < won else "prospect",
                        )
                    )
    return Customer.objects.bulk_create(customers)
