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


def test_it_lists_the_workshops_a_facilitator_runs_and_a_participant_is_invited_to(client, make_person):
    from profiles.models import Profile
    from workshops.closing import workshop_close
    from workshops.services import participants_invite, workshop_create

    facilitator = make_person(Role.FACILITATOR)
    member = make_person(Role.MEMBER)
    outsider = make_person(Role.MEMBER)
    profile = Profile.objects.create(name="Core ICP")
    running = workshop_create(profile=profile, title="Q1 alignment", facilitator=facilitator)
    participants_invite(workshop=running, users=[member], user=facilitator)
    done = workshop_create(profile=profile, title="Last year's", facilitator=facilitator)
    workshop_close(workshop=done, user=facilitator)

    for person, sees in ((facilitator, True), (member, True), (outsider, False)):
        client.force_login(person)
        page = client.get(reverse("home")).content.decode()
        assert ("Q1 alignment" in page) is sees
        assert reverse("workshops:detail", args=[running.pk]) in page or not sees
        assert "Last year" not in page  # a closed workshop is history
