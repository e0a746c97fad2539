import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from leads.models import DisqualificationReason, LeadDisposition, LeadDispositionChange
from leads.selectors import LeadFilters, disqualification_report, lead_list
from leads.services.dispositions import lead_disposition_set
from rubrics.models import LeadAudience, RubricVersion
from rubrics.selectors import version_spec
from rubrics.services.scores import scores_write
from rubrics.tests.factories import gated_rubric, rubric_with_draft
from teams.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(make_person):
    """A published rubric (Software +3, threshold 3) for expansion (the accounts are customers); two reps with
    qualified leads; one lead not qualified."""
    version = rubric_with_draft(industries=("Software",), threshold=3)
    RubricVersion.objects.filter(pk=version.pk).update(status="published")
    version.rubric.audience = LeadAudience.EXPANSION
    version.rubric.save(update_fields=["audience"])
    riley = make_person(Role.SALES_REP, username="riley")
    rowan = make_person(Role.SALES_REP, username="rowan")
    leads = {
        "riley_big": CustomerFactory(owner=riley, industry="Software", name="Big"),
        "riley_small": CustomerFactory(owner=riley, industry="Software", name="Small"),
        "riley_retail": CustomerFactory(owner=riley, industry="Retail", name="Shop"),
        "rowan_one": CustomerFactory(owner=rowan, industry="Software", name="Rowan's"),
    }
    ids = sorted(customer.pk for customer in leads.values())
    scores_write(version=version, spec=version_spec(version), low_id=ids[0], high_id=ids[-1])
    return version.rubric, riley, rowan, leads


def _names(scores):
    return [score.customer.name for score in scores]


def test_a_rep_sees_only_their_own_qualified_leads_and_an_admin_sees_all(base, make_person):
    rubric, riley, rowan, _ = base

    assert sorted(_names(lead_list(user=riley, rubric=rubric, filters=LeadFilters()))) == ["Big", "Small"]
    assert _names(lead_list(user=rowan, rubric=rubric, filters=LeadFilters())) == ["Rowan's"]
    everyone = lead_list(user=make_person(Role.ADMIN), rubric=rubric, filters=LeadFilters())
    assert sorted(_names(everyone)) == ["Big", "Rowan's", "Small"]
    assert list(lead_list(user=make_person(Role.MEMBER), rubric=rubric, filters=LeadFilters())) == []


def test_leads_come_best_first(base, make_person):
    rubric, riley, _, leads = base
    from rubrics.models import Score

    Score.objects.filter(customer=leads["riley_small"]).update(total=9)

    assert _names(lead_list(user=riley, rubric=rubric, filters=LeadFilters())) == ["Small", "Big"]


def test_a_disqualified_lead_leaves_the_list_and_is_counted_with_what_it_matched(base, make_person):
    rubric, riley, _, leads = base
    wrong_size = DisqualificationReason.objects.get(label="Wrong size")

    lead_disposition_set(
        customer=leads["riley_big"], rubric=rubric, status="disqualified", reason=wrong_size, note="", user=riley
    )

    assert _names(lead_list(user=riley, rubric=rubric, filters=LeadFilters())) == ["Small"]
    assert _names(lead_list(user=riley, rubric=rubric, filters=LeadFilters(disposition="disqualified"))) == ["Big"]
    report = disqualification_report(rubric=rubric)
    assert (report.total, report.by_reason) == (1, [("Wrong size", 1)])
    assert report.by_criterion == [("industry", 1)]
    change = LeadDispositionChange.objects.get()
    assert (change.changed_by, change.total, change.reason) == (riley, 3, wrong_size)


@pytest.mark.parametrize(
    ("reason", "note", "field", "message"),
    [
        (None, "", "reason", "Say why the lead is disqualified."),
        ("Other", "  ", "note", "“Other” needs a few words of explanation."),
    ],
)
def test_it_refuses_a_disqualification_without_its_reason_or_note(base, reason, note, field, message):
    rubric, riley, _, leads = base
    reason = DisqualificationReason.objects.get(label=reason) if reason else None

    with pytest.raises(ValidationError) as refused:
        lead_disposition_set(
            customer=leads["riley_big"], rubric=rubric, status="disqualified", reason=reason, note=note, user=riley
        )

    assert refused.value.message_dict == {field: [message]}
    assert not LeadDisposition.objects.exists()


def test_a_rep_cannot_change_another_reps_lead(base):
    rubric, riley, _, leads = base

    with pytest.raises(PermissionDenied):
        lead_disposition_set(
            customer=leads["rowan_one"], rubric=rubric, status="accepted", reason=None, note="", user=riley
        )

    assert not LeadDisposition.objects.exists()


def test_the_pages_hide_other_reps_leads_and_refuse_their_changes(base, client):
    rubric, riley, _, leads = base
    client.force_login(riley)
    other = leads["rowan_one"]

    listing = client.get(reverse("leads:list"), {"rubric": rubric.pk})
    page = client.get(reverse("leads:detail", args=[rubric.pk, other.pk]))
    change = client.post(reverse("leads:disposition", args=[rubric.pk, other.pk]), {"status": "accepted"})

    assert "Rowan&#x27;s" not in listing.content.decode()
    assert "Big" in listing.content.decode()
    assert (page.status_code, change.status_code) == (404, 404)
    assert not LeadDisposition.objects.exists()


def test_a_rep_disqualifies_a_lead_on_its_page_and_sees_why_it_scored(base, client):
    rubric, riley, _, leads = base
    client.force_login(riley)
    lead = leads["riley_big"]

    page = client.get(reverse("leads:detail", args=[rubric.pk, lead.pk]))
    assert page.status_code == 200
    assert 'data-testid="lead-total">3<' in page.content.decode()
    reason = DisqualificationReason.objects.get(label="Competitor")
    response = client.post(
        reverse("leads:disposition", args=[rubric.pk, lead.pk]), {"status": "disqualified", "reason": reason.pk}
    )

    assert response.status_code == 302
    assert LeadDisposition.objects.get().reason == reason
    listing = client.get(response.url).content.decode()
    assert reverse("leads:detail", args=[rubric.pk, lead.pk]) not in listing
    assert reverse("leads:detail", args=[rubric.pk, leads["riley_small"].pk]) in listing


def test_a_bad_disposition_gets_a_400_with_the_field_message(base, client):
    rubric, riley, _, leads = base
    client.force_login(riley)

    response = client.post(
        reverse("leads:disposition", args=[rubric.pk, leads["riley_big"].pk]), {"status": "disqualified"}
    )

    assert response.status_code == 400
    assert "Say why the lead is disqualified." in response.content.decode()
    assert not LeadDisposition.objects.exists()


def test_the_lead_page_says_why_a_gated_lead_is_out_and_what_a_cap_took(client_as):
    version = gated_rubric()
    customers = {
        "rival": CustomerFactory(
            industry="Software", email_clicks_30d=3, website_visits_30d=30, extra={"competitor": True}
        ),
        "gap": CustomerFactory(industry="", email_clicks_30d=0, website_visits_30d=30),
        "fits": CustomerFactory(industry="Software", email_clicks_30d=3, website_visits_30d=30),
    }
    scores_write(version=version, spec=version_spec(version), low_id=0, high_id=2**62)
    client = client_as(Role.ADMIN)

    pages = {
        name: client.get(reverse("leads:detail", args=[version.rubric_id, customer.pk])).content.decode()
        for name, customer in customers.items()
    }

    assert "Not qualified: disqualified by Competitor" in pages["rival"]
    assert "Engagement 6 points, capped at 4" in pages["rival"]
    assert 'data-testid="lead-total">4<' in pages["rival"]
    assert "Needs data: Industry (must-have)" in pages["gap"]
    assert "must-have: needs data" in pages["gap"]
    assert "Not qualified" not in pages["fits"]
    assert ">qualified<" in pages["fits"]
