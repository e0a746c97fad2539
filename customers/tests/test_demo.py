from itertools import islice

from customers.demo import (
    CITIES,
    CONTACT_TITLES,
    COUNTRIES,
    DEMO_COLUMNS,
    INDUSTRIES,
    MAX_ANNUAL_CONTRACT,
    MIN_ANNUAL_CONTRACT,
    NAME_KINDS,
    REFERENCE_DAY,
    demo_customer_rows,
)


def _rows(count=2000, seed=7, owners=(11, 12)):
    return [dict(zip(DEMO_COLUMNS, row, strict=True)) for row in demo_customer_rows(count, seed, list(owners))]


def test_it_gives_the_same_rows_for_the_same_seed():
    assert _rows(seed=7) == _rows(seed=7)


def test_it_gives_other_rows_for_another_seed():
    assert _rows(seed=7) != _rows(seed=8)


def test_it_makes_exactly_the_rows_asked_for_with_unique_ids_and_domains():
    rows = _rows(count=9000)

    assert len(rows) == 9000
    assert len({row["external_id"] for row in rows}) == 9000
    assert len({row["domain"] for row in rows}) == 9000


def test_it_keeps_firmographics_realistic():
    rows = _rows()
    regions = {country: region for country, region, _ in COUNTRIES}

    assert {row["industry"] for row in rows} == {name for name, _, _ in INDUSTRIES}
    assert all(regions[row["country"]] == row["region"] for row in rows)
    assert all(5 <= row["employees"] <= 50_000 for row in rows)
    assert all(row["annual_revenue"] > 0 for row in rows)
    assert all(row["email_clicks_30d"] <= row["email_opens_30d"] for row in rows)
    assert all(row["name"].split()[1] in NAME_KINDS[row["industry"]] for row in rows)


def test_it_leaves_customer_only_facts_unknown_for_prospects():
    prospects = [row for row in _rows() if row["lifecycle_stage"] == "prospect"]

    assert prospects
    assert all(row["tenure_months"] is None and row["clv"] is None and row["nps"] is None for row in prospects)


def test_it_gives_customers_tenure_clv_and_mostly_an_nps():
    customers = [row for row in _rows() if row["lifecycle_stage"] == "customer"]

    assert all(1 <= row["tenure_months"] <= 96 and row["clv"] >= 0 for row in customers)
    with_nps = [row["nps"] for row in customers if row["nps"] is not None]
    assert 0.5 < len(with_nps) / len(customers) < 0.9
    assert all(0 <= nps <= 10 for nps in with_nps)


def test_it_keeps_clv_to_what_a_customer_pays_us_over_its_tenure():
    clients = [row for row in _rows(count=5000) if row["lifecycle_stage"] in ("customer", "churned")]

    for row in clients:
        years = row["tenure_months"] / 12
        assert int(MIN_ANNUAL_CONTRACT * years) <= row["clv"] <= MAX_ANNUAL_CONTRACT * years
    large = [row["clv"] / row["tenure_months"] for row in clients if row["employees"] >= 1000]
    small = [row["clv"] / row["tenure_months"] for row in clients if row["employees"] < 50]
    assert sum(large) / len(large) > 5 * sum(small) / len(small)


def test_it_assigns_most_accounts_to_the_given_owners():
    owners = [row["owner_id"] for row in _rows(owners=(11, 12))]

    assert set(owners) == {11, 12, None}
    assert 0.8 < sum(owner is not None for owner in owners) / len(owners) < 0.97


def test_it_streams_rows_lazily():
    first = next(islice(demo_customer_rows(10**9, 1, []), 1))

    assert first[0] == "DEMO-0000001"


def test_it_fills_the_pipeline_facts_that_fit_the_stage():
    rows = _rows(count=3000)
    won = [row for row in rows if row["deal_outcome"] == "won"]

    assert {row["lifecycle_stage"] for row in won} == {"customer", "churned"}
    assert all(row["crm_created_on"] < row["closed_on"] <= REFERENCE_DAY for row in won)
    assert all((row["closed_on"] - row["crm_created_on"]).days == row["sales_cycle_days"] for row in won)
    assert all(row["deal_outcome"] == "open" for row in rows if row["lifecycle_stage"] == "opportunity")
    churned = [row for row in rows if row["lifecycle_stage"] == "churned"]
    assert all(row["active_days_30d"] == 0 for row in churned)
    assert all(row["has_case_study"] is None and row["referrals_made"] is None for row in rows if row["clv"] is None)


def test_it_gives_contacts_titles_and_cities_of_the_country():
    rows = _rows()

    assert all(row["city"] in CITIES[row["country"]] for row in rows)
    assert all(1 <= len(row["contact_titles"].split("; ")) <= 3 for row in rows)
    assert all(set(row["contact_titles"].split("; ")) <= set(CONTACT_TITLES) for row in rows)


def test_it_plants_an_icp_whose_accounts_win_more_of_their_deals_and_churn_less():
    from customers.demo import demo_fit

    rows = _rows(count=20_000)
    by_fit = {fit: [row for row in rows if demo_fit(row) == fit] for fit in range(4)}

    def win_rate(group):
        decided = [row for row in group if row["deal_outcome"] in ("won", "lost")]
        return sum(row["deal_outcome"] == "won" for row in decided) / len(decided)

    def churn(group):
        won = [row for row in group if row["deal_outcome"] == "won"]
        return sum(row["lifecycle_stage"] == "churned" for row in won) / len(won)

    rates = [win_rate(by_fit[fit]) for fit in range(4)]
    assert rates == sorted(rates)
    assert rates[3] > 5 * rates[0]
    assert churn(by_fit[3]) < churn(by_fit[0]) / 2
    decided = [row for row in rows if row["deal_outcome"] in ("won", "lost")]
    assert 0.4 < len(decided) / len(rows) < 0.6
    assert all((row["deal_outcome"] == "won") == (row["lifecycle_stage"] in ("customer", "churned")) for row in rows)
