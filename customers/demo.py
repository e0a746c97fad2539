"""A deterministic, realistic demo customer base.

The same count and seed always give the same rows, so demos, tests and
benchmarks can be repeated. Rows are plain tuples in ``DEMO_COLUMNS`` order,
ready for a batched insert.
"""

import datetime
import random
from collections.abc import Iterator

DEMO_COLUMNS = (
    "external_id",
    "name",
    "domain",
    "industry",
    "country",
    "region",
    "city",
    "employees",
    "annual_revenue",
    "contact_titles",
    "lifecycle_stage",
    "owner_id",
    "crm_created_on",
    "closed_on",
    "deal_outcome",
    "sales_cycle_days",
    "clv",
    "tenure_months",
    "active_days_30d",
    "features_used",
    "website_visits_30d",
    "email_opens_30d",
    "email_clicks_30d",
    "social_engagements_30d",
    "referrals_made",
    "has_case_study",
    "has_public_review",
    "is_prominent_brand",
    "nps",
    "extra",
)

# Dates are counted back from a fixed day, so the same seed gives the same rows on any day.
REFERENCE_DAY = datetime.date(2026, 11, 1)

# (industry, relative weight, revenue per employee in thousands)
INDUSTRIES = [
    ("Software", 18, 260),
    ("Financial Services", 12, 420),
    ("Healthcare", 10, 180),
    ("Manufacturing", 12, 240),
    ("Retail", 9, 210),
    ("Professional Services", 9, 150),
    ("Education", 5, 90),
    ("Logistics", 6, 200),
    ("Media", 5, 170),
    ("Telecommunications", 4, 380),
    ("Energy", 4, 520),
    ("Government", 2, 120),
]

# (country, region, relative weight)
COUNTRIES = [
    ("United States", "North America", 34),
    ("Canada", "North America", 6),
    ("United Kingdom", "EMEA", 11),
    ("Germany", "EMEA", 9),
    ("France", "EMEA", 6),
    ("Netherlands", "EMEA", 4),
    ("Spain", "EMEA", 3),
    ("Sweden", "EMEA", 3),
    ("Australia", "APAC", 5),
    ("Japan", "APAC", 4),
    ("Singapore", "APAC", 2),
    ("India", "APAC", 5),
    ("Brazil", "LATAM", 5),
    ("Mexico", "LATAM", 3),
]

# (employee range, relative weight): most organisations are small.
SIZE_BANDS = [((5, 49), 38), ((50, 199), 30), ((200, 999), 20), ((1000, 4999), 9), ((5000, 50000), 3)]

# What one customer pays us a year, in whole currency units: CLV is this over its tenure.
MIN_ANNUAL_CONTRACT = 3_000
MAX_ANNUAL_CONTRACT = 600_000

CITIES = {
    "United States": ["New York", "San Francisco", "Chicago", "Austin", "Boston", "Seattle"],
    "Canada": ["Toronto", "Vancouver", "Montreal"],
    "United Kingdom": ["London", "Manchester", "Edinburgh"],
    "Germany": ["Berlin", "Munich", "Hamburg", "Frankfurt"],
    "France": ["Paris", "Lyon", "Toulouse"],
    "Netherlands": ["Amsterdam", "Rotterdam", "Utrecht"],
    "Spain": ["Madrid", "Barcelona", "Valencia"],
    "Sweden": ["Stockholm", "Gothenburg", "Malmö"],
    "Australia": ["Sydney", "Melbourne", "Brisbane"],
    "Japan": ["Tokyo", "Osaka", "Yokohama"],
    "Singapore": ["Singapore"],
    "India": ["Bengaluru", "Mumbai", "Pune", "Hyderabad"],
    "Brazil": ["São Paulo", "Rio de Janeiro", "Curitiba"],
    "Mexico": ["Mexico City", "Monterrey", "Guadalajara"],
}

CONTACT_TITLES = [
    "VP Marketing",
    "Head of Marketing Operations",
    "Chief Revenue Officer",
    "VP Sales",
    "Sales Operations Manager",
    "Head of Customer Success",
    "Chief Marketing Officer",
    "Demand Generation Manager",
    "IT Director",
    "Procurement Manager",
    "CFO",
    "Office Manager",
]

# The ICP planted in the demo base, so that its evidence, suggested weights and trait discovery have something
# true to find (it is what the demo workshop's profile agreed): companies in these industries, of this size, in
# these regions win more of their deals the more of the three they have, and churn less once customers.
FIT_INDUSTRIES = frozenset({"Software", "Financial Services", "Healthcare"})
FIT_EMPLOYEES = (200, 2_000)
FIT_REGIONS = frozenset({"North America", "EMEA"})
WIN_RATE_BY_FIT = (0.06, 0.14, 0.30, 0.55)  # by how many of the three an account has
CHURN_BY_FIT = (0.45, 0.35, 0.22, 0.12)
DECIDED_SHARE = 0.5  # accounts that had a deal won or lost; the others are still open, or never had one
OPEN_STAGES = [("prospect", 70), ("lead", 16), ("opportunity", 14)]

NAME_STARTS = [
    "North",
    "Blue",
    "Bright",
    "Silver",
    "Green",
    "Summit",
    "River",
    "Iron",
    "Clear",
    "Red",
    "Pine",
    "Stone",
    "Cloud",
    "Harbor",
    "Maple",
    "Nova",
    "Orbit",
    "Prime",
    "Quartz",
    "Solar",
]
NAME_ENDS = [
    "wind",
    "field",
    "gate",
    "bridge",
    "line",
    "path",
    "point",
    "stack",
    "works",
    "forge",
    "light",
    "peak",
    "wave",
    "ridge",
    "spring",
    "vale",
    "port",
    "mark",
    "craft",
    "loop",
]
# Words that make a company name sound like its industry.
NAME_KINDS = {
    "Software": ["Software", "Systems", "Labs", "Cloud", "Analytics"],
    "Financial Services": ["Capital", "Finance", "Partners", "Bank", "Insurance"],
    "Healthcare": ["Health", "Medical", "Care", "Clinics", "Biotech"],
    "Manufacturing": ["Industries", "Manufacturing", "Robotics", "Components", "Tools"],
    "Retail": ["Retail", "Stores", "Market", "Outfitters", "Foods"],
    "Professional Services": ["Consulting", "Advisory", "Partners", "Associates", "Group"],
    "Education": ["Learning", "Academy", "Education", "Institute", "Schools"],
    "Logistics": ["Logistics", "Freight", "Shipping", "Transport", "Supply"],
    "Media": ["Media", "Studios", "Publishing", "Broadcasting", "Digital"],
    "Telecommunications": ["Networks", "Telecom", "Communications", "Connect", "Mobile"],
    "Energy": ["Energy", "Power", "Renewables", "Utilities", "Solar"],
    "Government": ["Agency", "Authority", "Council", "Services", "Department"],
}
SUFFIXES = ["Inc", "Ltd", "GmbH", "LLC", "SA", "BV", "Group", "Co"]


def _weighted(options):
    return [value for value, _ in options], [weight for _, weight in options]


def demo_customer_rows(count: int, seed: int, owner_ids: list[int]) -> Iterator[tuple]:
    """Yield ``count`` customer rows, the same ones for the same seed and owners."""
    rng = random.Random(seed)
    industries = [(name, rate) for name, _, rate in INDUSTRIES]
    industry_weights = [weight for _, weight, _ in INDUSTRIES]
    countries = [(country, region) for country, region, _ in COUNTRIES]
    country_weights = [weight for _, _, weight in COUNTRIES]
    sizes, size_weights = _weighted(SIZE_BANDS)
    batch = 4096

    produced = 0
    while produced < count:
        take = min(batch, count - produced)
        industry_picks = rng.choices(industries, industry_weights, k=take)
        country_picks = rng.choices(countries, country_weights, k=take)
        size_picks = rng.choices(sizes, size_weights, k=take)
        for i in range(take):
            number = produced + i + 1
            industry, revenue_per_employee = industry_picks[i]
            country, region = country_picks[i]
            low, high = size_picks[i]
            row = _demo_customer(rng, number, industry, revenue_per_employee, country, region, low, high)
            row.update(_demo_pipeline(rng, demo_fit(row), row["employees"], owner_ids))
            yield tuple(row[column] for column in DEMO_COLUMNS)
        produced += take


def _demo_customer(rng, number, industry, revenue_per_employee, country, region, low, high) -> dict:
    """Who the organisation is: firmographics, geography, contacts."""
    employees = rng.randint(low, high)
    start, end, kind = rng.choice(NAME_STARTS), rng.choice(NAME_ENDS), rng.choice(NAME_KINDS[industry])
    return {
        "external_id": f"DEMO-{number:07d}",
        "name": f"{start}{end} {kind} {rng.choice(SUFFIXES)}",
        "domain": f"{start}{end}{kind}{number}.example".lower(),
        "industry": industry,
        "country": country,
        "region": region,
        "city": rng.choice(CITIES[country]),
        "employees": employees,
        "annual_revenue": int(employees * revenue_per_employee * 1000 * rng.uniform(0.6, 1.5)),
        "contact_titles": "; ".join(rng.sample(CONTACT_TITLES, rng.randint(1, 3))),
        "is_prominent_brand": employees >= 5000 and rng.random() < 0.5 or rng.random() < 0.01,
        "extra": "{}",
    }


def demo_fit(row: dict) -> int:
    """How many of the planted ICP's three traits an account has (0 to 3)."""
    low, high = FIT_EMPLOYEES
    return (row["industry"] in FIT_INDUSTRIES) + (low <= row["employees"] <= high) + (row["region"] in FIT_REGIONS)


def _demo_stage(rng: random.Random, fit: int) -> tuple[str, str]:
    """(lifecycle stage, deal outcome): a decided deal is won by the planted fit's odds; a won one churned or not."""
    if rng.random() < DECIDED_SHARE:
        if rng.random() < WIN_RATE_BY_FIT[fit]:
            return ("churned" if rng.random() < CHURN_BY_FIT[fit] else "customer"), "won"
        return rng.choice(("prospect", "lead")), "lost"
    stages, weights = _weighted(OPEN_STAGES)
    stage = rng.choices(stages, weights)[0]
    return stage, "open" if stage == "opportunity" else ""


def _demo_pipeline(rng: random.Random, fit: int, employees: int, owner_ids: list[int]) -> dict:
    """Where the organisation stands with us: stage, deal, engagement, usage, outcomes."""
    stage, outcome = _demo_stage(rng, fit)
    warm = stage in ("lead", "opportunity", "customer")
    is_client = stage in ("customer", "churned")
    opens = int(rng.expovariate(1 / (6 if warm else 2)))
    tenure = rng.randint(1, 96) if is_client else None
    if stage == "churned":
        tenure = min(tenure, rng.randint(1, 30))
    cycle = int(rng.uniform(14, 90) * (1 + employees / 2500)) if outcome in ("won", "lost") else None
    closed_on = REFERENCE_DAY - datetime.timedelta(days=round((tenure or rng.randint(1, 24)) * 30.4)) if cycle else None
    created_on = (
        (closed_on - datetime.timedelta(days=cycle))
        if cycle
        else REFERENCE_DAY - datetime.timedelta(days=rng.randint(1, 720))
    )
    return {
        "lifecycle_stage": stage,
        "owner_id": rng.choice(owner_ids) if owner_ids and rng.random() < 0.9 else None,
        "crm_created_on": created_on,
        "closed_on": closed_on,
        "deal_outcome": outcome,
        "sales_cycle_days": cycle,
        "clv": int(_annual_contract_value(rng, employees) * tenure / 12) if is_client else None,
        "tenure_months": tenure,
        "active_days_30d": (rng.randint(0, 30) if stage == "customer" else 0) if is_client else None,
        "features_used": rng.randint(1, 25) if is_client else None,
        "website_visits_30d": int(rng.expovariate(1 / (9 if warm else 3))),
        "email_opens_30d": opens,
        "email_clicks_30d": min(opens, int(rng.expovariate(1 / (2 if warm else 0.6)))),
        "social_engagements_30d": int(rng.expovariate(1 / (3 if warm else 1))),
        "referrals_made": int(rng.expovariate(1 / 0.6)) if is_client else None,
        "has_case_study": rng.random() < 0.05 if stage == "customer" else None,
        "has_public_review": rng.random() < 0.12 if is_client else None,
        "nps": _demo_nps(rng, stage) if is_client and rng.random() < 0.7 else None,
    }


def _annual_contract_value(rng: random.Random, employees: int) -> float:
    """What a customer pays us a year: per seat, for a share of its staff, within plan limits."""
    return min(MAX_ANNUAL_CONTRACT, max(MIN_ANNUAL_CONTRACT, employees * rng.uniform(20, 120)))


def _demo_nps(rng: random.Random, stage: str) -> int:
    if stage == "churned":
        return min(10, int(rng.triangular(0, 10, 3)))
    return min(10, int(rng.triangular(2, 11, 9)))
