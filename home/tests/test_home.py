import pytest
from django.urls import reverse

from customers.models import LifecycleStage
from customers.tests.factories import CustomerFactory
from teams.models import Role

HEADINGS = {
    Role.ADMIN: "Admin home",
    Role.FACILITATOR: "Facilitator home",
    Role.MEMBER: "Your workshop home",
    Role.SALES_REP: "Your accounts",
}


@pytest.mark.parametrize("role", list(HEADINGS))
def test_it_shows_each_role_its_own_home(client_as, role):
    response = client_as(role).get(reverse("home"))

    assert response.status_code == 200
    assert f"home/home_{role}.html" in [template.name for template in response.templates]
    assert HEADINGS[role] in response.content.decode()


@pytest.mark.parametrize(("role", "sees_people_link"), [(Role.ADMIN, True), (Role.MEMBER, False)])
def test_it_shows_people_in_the_navigation_only_to_admins(client_as, role, sees_people_link):
    response = client_as(role).get(reverse("home"))

    labels = [item["label"] for item in response.context["navigation"]]
    assert ("People" in labels) is sees_people_link


def test_it_shows_a_rep_their_own_accounts_most_valuable_first(client_as, make_person):
    client = client_as(Role.SALES_REP)
    other_rep = make_person(Role.SALES_REP)
    CustomerFactory(owner=client.person, name="Small Co", clv=1_000)
    CustomerFactory(owner=client.person, name="Big Co", clv=90_000)
    CustomerFactory(owner=client.person, name="Gone Co", clv=500_000, lifecycle_stage=LifecycleStage.CHURNED)
    CustomerFactory(owner=other_rep, name="Not Yours Co", clv=1_000_000)

    response = client.get(reverse("home"))

    assert [account.name for account in response.context["top_accounts"]] == ["Big Co", "Small Co"]
    counts = {row["stage"]: row["count"] for row in response.context["customers_by_stage"]}
    assert counts["Customer"] == 2
    assert counts["Churned"] == 1


def test_it_counts_active_people_per_team_for_admins(client_as, make_person):
    client = client_as(Role.ADMIN)
    make_person(Role.SALES_REP)
    make_person(Role.SALES_REP, is_active=False)

    response = client.get(reverse("home"))

    counts = {str(row["team"]): row["count"] for row in response.context["people_by_team"]}
    assert counts["Sales"] == 2  # the admin and the active rep
