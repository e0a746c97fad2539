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
    from workshops.services.closing import workshop_close
    from workshops.services.room import participants_invite, workshop_create

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


def test_an_admin_sees_what_waits_drafts_rescores_imports_and_reviews(client, make_person):
    import datetime

    from django.utils import timezone

    from imports.models import ImportJob, ImportStatus
    from profiles.models import Profile
    from rubrics.models import JobStatus, RescoreJob
    from rubrics.tests.factories import rubric_with_draft

    admin = make_person(Role.ADMIN)
    draft = rubric_with_draft()
    RescoreJob.objects.create(
        version=draft, rubric=draft.rubric, status=JobStatus.RUNNING, chunks_total=4, chunks_done=1
    )
    Profile.objects.create(name="Due one", review_on=timezone.localdate() - datetime.timedelta(days=2))
    Profile.objects.create(name="Later one", review_on=timezone.localdate() + datetime.timedelta(days=30))
    ImportJob.objects.create(kind="customers", original_name="hubspot.csv", status=ImportStatus.ANALYSED)
    ImportJob.objects.create(kind="customers", original_name="done.csv", status=ImportStatus.DONE)
    client.force_login(admin)

    waiting = (
        client.get(reverse("home")).content.decode().split('data-testid="admin-waiting"')[1].split("</section>")[0]
    )

    assert f"{draft.rubric.name} v{draft.number}" in waiting
    assert "1 of 4 chunks" in waiting
    assert "Due one" in waiting
    assert "Later one" not in waiting
    assert "hubspot.csv" in waiting
    assert "done.csv" not in waiting


def test_a_rep_sees_how_many_leads_are_new_since_the_last_visit(client, make_person):
    import datetime

    from django.utils import timezone

    from customers.tests.factories import CustomerFactory
    from leads.models import LeadListVisit
    from leads.tests.factories import customers_score, published_rubric
    from rubrics.models import QualificationChange

    rep = make_person(Role.SALES_REP)
    version = published_rubric(industries=("Software",), threshold=3)
    leads = [CustomerFactory(owner=rep, industry="Software") for _ in range(3)]
    CustomerFactory(owner=rep, industry="Retail")  # never qualifies
    customers_score(version, *leads)
    visit = timezone.now() - datetime.timedelta(days=1)
    LeadListVisit.objects.create(user=rep, rubric=version.rubric, seen_at=visit)
    QualificationChange.objects.filter(customer=leads[0]).update(changed_at=visit - datetime.timedelta(hours=1))
    client.force_login(rep)

    section = client.get(reverse("home")).content.decode().split('data-testid="new-leads"')[1].split("</section>")[0]

    assert 'data-testid="new-lead-count">2<' in section
    assert "since your last visit" in section


def test_a_facilitator_sees_what_each_workshop_waits_for(client, make_person):
    from profiles.models import Profile
    from workshops.services.room import step_open, workshop_create

    facilitator = make_person(Role.FACILITATOR)
    profile = Profile.objects.create(name="Core ICP")
    fresh = workshop_create(profile=profile, title="Fresh", facilitator=facilitator)
    running = workshop_create(profile=profile, title="Running", facilitator=facilitator)
    second = running.steps.get(position=1)
    step_open(step=second, user=facilitator)
    client.force_login(facilitator)

    page = client.get(reverse("home")).content.decode()

    waiting = [part.split("<")[0].strip() for part in page.split('data-testid="workshop-waiting">')[1:]]
    assert f"Step 2 is open: “{second.title}”" in waiting
    assert f"Not started: open “{fresh.steps.get(position=0).title}”" in waiting


def test_a_reps_new_leads_are_counted_per_tab_as_the_list_they_link_to_shows_them(client, make_person):
    """Planted: which of a rep's accounts count as new leads, worked out by hand, and each tab's link lists them."""
    import datetime
    import re

    from django.utils import timezone

    from leads.models import DisqualificationReason, LeadDisposition, LeadListVisit
    from leads.tests.factories import customers_score, published_rubric
    from rubrics.models import LeadAudience, QualificationChange

    riley, rowan = make_person(Role.SALES_REP, username="riley"), make_person(Role.SALES_REP, username="rowan")
    version = published_rubric(industries=("Software",), threshold=3, audience=LeadAudience.BOTH)
    planted = {  # name: stage, industry, owner
        "Own prospect": ("prospect", "Software", riley),  # new business
        "Unowned lead": ("lead", "Software", None),  # new business: riley may claim it
        "Rowan's prospect": ("prospect", "Software", rowan),  # not riley's
        "Seen before": ("prospect", "Software", riley),  # qualified before the last visit
        "Own customer": ("customer", "Software", riley),  # expansion
        "Churned": ("churned", "Software", riley),  # hidden, as on the list
        "Disqualified": ("prospect", "Software", riley),  # set aside by riley
        "Retail": ("prospect", "Retail", riley),  # never qualifies
    }
    customers = {
        name: CustomerFactory(name=name, lifecycle_stage=stage, industry=industry, owner=owner)
        for name, (stage, industry, owner) in planted.items()
    }
    customers_score(version, *customers.values())
    visit = timezone.now() - datetime.timedelta(days=1)
    LeadListVisit.objects.create(user=riley, rubric=version.rubric, seen_at=visit)
    QualificationChange.objects.filter(customer=customers["Seen before"]).update(
        changed_at=visit - datetime.timedelta(hours=1)
    )
    LeadDisposition.objects.create(
        customer=customers["Disqualified"],
        rubric=version.rubric,
        status="disqualified",
        reason=DisqualificationReason.objects.create(label="Too small"),
        changed_at=timezone.now(),
    )
    client.force_login(riley)

    html = client.get(reverse("home")).content.decode()

    counts = dict(
        re.findall(
            r'data-testid="new-leads-(new_business|expansion)".*?data-testid="new-lead-count">([^<]+)<', html, re.S
        )
    )
    assert counts == {"new_business": "2", "expansion": "1"}
    listed = {}
    for segment in counts:
        link = re.search(rf'href="([^"]+)"\s+data-testid="new-leads-{segment}"', html).group(1).replace("&amp;", "&")
        page = client.get(link).content.decode()
        listed[segment] = set(re.findall(r'aria-label="Select ([^"]+)"', page))
    assert listed == {"new_business": {"Own prospect", "Unowned lead"}, "expansion": {"Own customer"}}
