"""The rules pages (admins), the away page (reps for themselves, admins for anyone) and a lead's assignments."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from routing.models import AssignmentLog, AssignmentRule, AssignmentWhy, RepAway
from routing.tests.factories import prospects, published_rubric, qualify, rep, rule
from teams.models import Role

pytestmark = pytest.mark.django_db


def _rule_post(**changes):
    data = {
        "name": "Germany",
        "position": "10",
        "country": "Germany",
        "region": "",
        "industry": "",
        "min_employees": "",
        "max_employees": "",
        "weekly_cap": "5",
        "sla_hours": "",
        "is_active": "on",
        "reps": [],
    }
    data.update(changes)
    return data


def test_an_admin_adds_a_rule_with_its_reps(client_as):
    client = client_as(Role.ADMIN)
    ann, bob = rep("ann"), rep("bob")

    response = client.post(reverse("routing:rule_create"), _rule_post(name=" Germany ", reps=[ann.pk, bob.pk]))

    made = AssignmentRule.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("routing:rule_detail", kwargs={"rule_id": made.pk})
    assert (made.name, made.position, made.country, made.weekly_cap, made.sla_hours) == (
        "Germany",
        10,
        "Germany",
        5,
        None,
    )
    assert set(made.reps.all()) == {ann, bob}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reps": []}, "reps", "This field is required."),
        ({"name": ""}, "name", "This field is required."),
        ({"min_employees": "500", "max_employees": "100"}, "max_employees", "at least the smallest"),
        ({"weekly_cap": "0"}, "weekly_cap", "above 0"),
        ({"sla_hours": "0"}, "sla_hours", "above 0"),
        ({"weekly_cap": "many"}, "weekly_cap", "Enter a whole number."),
        ({"min_employees": "-5"}, "min_employees", "greater than or equal to 0"),
        ({"position": ""}, "position", "This field is required."),
    ],
)
def test_bad_rule_input_is_refused_with_a_message_and_nothing_written(client_as, changes, field, message):
    client = client_as(Role.ADMIN)
    ann = rep("ann")

    response = client.post(reverse("routing:rule_create"), _rule_post(**{"reps": [ann.pk], **changes}))

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not AssignmentRule.objects.exists()


def test_a_rule_takes_only_active_sales_reps(client_as, make_person):
    client = client_as(Role.ADMIN)
    facilitator, gone = make_person(Role.FACILITATOR), rep("gone", is_active=False)

    for someone in (facilitator, gone):
        response = client.post(reverse("routing:rule_create"), _rule_post(reps=[someone.pk]))
        assert response.status_code == 400
        assert "Select a valid choice" in " ".join(response.context["form"].errors["reps"])
    assert not AssignmentRule.objects.exists()


def test_a_double_submit_makes_one_rule(client_as):
    client = client_as(Role.ADMIN)
    data = _rule_post(reps=[rep("ann").pk])

    first = client.post(reverse("routing:rule_create"), data)
    second = client.post(reverse("routing:rule_create"), data)

    assert (first.status_code, second.status_code) == (302, 400)
    assert "already exists" in " ".join(second.context["form"].errors["name"])
    assert AssignmentRule.objects.count() == 1


def test_an_admin_changes_a_rule_and_its_pointer_stays(client_as):
    client = client_as(Role.ADMIN)
    ann, bob = rep("ann"), rep("bob")
    made = rule("Germany", [ann], country="Germany", last_rep=ann)

    response = client.post(
        reverse("routing:rule_update", kwargs={"rule_id": made.pk}),
        _rule_post(country="Austria", reps=[ann.pk, bob.pk], sla_hours="8"),
    )

    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.country, made.sla_hours, made.last_rep) == ("Austria", 8, ann)
    assert set(made.reps.all()) == {ann, bob}


def test_a_bad_change_leaves_the_rule_as_it_was(client_as):
    client = client_as(Role.ADMIN)
    ann = rep("ann")
    made = rule("Germany", [ann], country="Germany")

    response = client.post(
        reverse("routing:rule_update", kwargs={"rule_id": made.pk}),
        _rule_post(country="Austria", reps=[ann.pk], min_employees="10", max_employees="5"),
    )

    assert response.status_code == 400
    made.refresh_from_db()
    assert made.country == "Germany"


def test_deleting_twice_is_safe(client_as):
    client = client_as(Role.ADMIN)
    made = rule("Germany", [rep("ann")])
    url = reverse("routing:rule_delete", kwargs={"rule_id": made.pk})

    assert client.post(url).status_code == 302
    second = client.post(url, follow=True)

    assert second.status_code == 200
    assert "deleted already" in second.content.decode()
    assert not AssignmentRule.objects.exists()


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.MEMBER, Role.FACILITATOR])
def test_only_admins_change_rules(client_as, role):
    client = client_as(role)
    ann = rep("ann")
    made = rule("Germany", [ann], country="Germany")

    responses = [
        client.post(reverse("routing:rule_create"), _rule_post(name="Mine", reps=[ann.pk])),
        client.post(reverse("routing:rule_update", kwargs={"rule_id": made.pk}), _rule_post(reps=[ann.pk])),
        client.post(reverse("routing:rule_delete", kwargs={"rule_id": made.pk})),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    assert list(AssignmentRule.objects.values_list("name", "country")) == [("Germany", "Germany")]


def test_the_rule_page_previews_todays_leads_per_rep_and_shows_its_log(client_as):
    client = client_as(Role.ADMIN)
    ann, bob = rep("ann"), rep("bob")
    made = rule("Everyone", [ann, bob])
    version = published_rubric()
    qualify(version, *prospects(3))

    page = client.get(reverse("routing:rule_detail", kwargs={"rule_id": made.pk})).content.decode()

    assert 'data-rep="ann">2</td>' in page
    assert 'data-rep="bob">1</td>' in page
    assert not AssignmentLog.objects.exists()


def test_the_rules_page_lists_rules_and_the_latest_assignments(client_as):
    client = client_as(Role.ADMIN)
    ann = rep("ann")
    made = rule("Germany", [ann], country="Germany", min_employees=100)
    lead = prospects(1, name="Acme Robotics")[0]
    AssignmentLog.objects.create(customer=lead, to_user=ann, rule=made, why=AssignmentWhy.ASSIGNED)

    page = client.get(reverse("routing:rules")).content.decode()

    assert "Germany, 100–… employees" in page
    assert "Acme Robotics" in page
    assert "Assigned by a rule" in page


class TestAway:
    def test_a_rep_marks_themselves_away_and_back(self, client_as):
        client = client_as(Role.SALES_REP)
        until = timezone.localdate() + datetime.timedelta(days=7)

        response = client.post(reverse("routing:away_set"), {"until": until.isoformat()})
        again = client.post(reverse("routing:away_set"), {"until": until.isoformat()})  # double submit

        assert (response.status_code, again.status_code) == (302, 302)
        assert list(RepAway.objects.values_list("user", "until")) == [(client.person.pk, until)]
        assert client.post(reverse("routing:away_clear", kwargs={"user_id": client.person.pk})).status_code == 302
        assert not RepAway.objects.exists()

    def test_a_rep_may_not_mark_someone_else(self, client_as):
        client = client_as(Role.SALES_REP)
        other = rep("other")
        RepAway.objects.create(user=other)

        # The form has no rep field for a rep: a rep given anyway is ignored, the rep marks themselves.
        client.post(reverse("routing:away_set"), {"rep": other.pk, "until": ""})
        refused = client.post(reverse("routing:away_clear", kwargs={"user_id": other.pk}))

        assert refused.status_code == 403
        assert set(RepAway.objects.values_list("user", flat=True)) == {client.person.pk, other.pk}

    def test_an_admin_marks_any_rep(self, client_as):
        client = client_as(Role.ADMIN)
        ann = rep("ann")

        response = client.post(reverse("routing:away_set"), {"rep": ann.pk, "until": ""})

        assert response.status_code == 302
        assert RepAway.objects.get().user == ann

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"until": "soon"}, "until", "Enter a valid date."),
            ({"until": "2020-01-01"}, "until", "The date is in the past"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_written(self, client_as, data, field, message):
        client = client_as(Role.SALES_REP)

        response = client.post(reverse("routing:away_set"), data)

        assert response.status_code == 400
        assert message in " ".join(response.context["form"].errors[field])
        assert not RepAway.objects.exists()

    def test_an_admin_must_say_which_rep(self, client_as):
        client = client_as(Role.ADMIN)

        response = client.post(reverse("routing:away_set"), {"until": ""})

        assert response.status_code == 400
        assert response.context["form"].errors["rep"]
        assert not RepAway.objects.exists()


def test_the_lead_page_shows_its_assignments(client_as):
    client = client_as(Role.ADMIN)
    ann, bob = rep("ann"), rep("bob")
    version = published_rubric()
    lead = prospects(1)[0]
    qualify(version, lead)
    AssignmentLog.objects.create(customer=lead, to_user=ann, why=AssignmentWhy.ASSIGNED)
    AssignmentLog.objects.create(
        customer=lead, from_user=ann, to_user=bob, why=AssignmentWhy.REASSIGNED, detail="Untouched for 4 h by Ann."
    )

    page = client.get(reverse("leads:detail", kwargs={"rubric_id": version.rubric_id, "customer_id": lead.pk}))
    panel = client.get(reverse("routing:lead_panel", kwargs={"customer_id": lead.pk})).content.decode()

    assert reverse("routing:lead_panel", kwargs={"customer_id": lead.pk}) in page.content.decode()
    assert "Reassigned: nobody touched it in time" in panel
    assert "Untouched for 4 h by Ann." in panel


def test_a_rep_sees_no_assignments_of_another_reps_lead(client_as):
    client = client_as(Role.SALES_REP)
    lead = prospects(1, owner=rep("other"))[0]

    assert client.get(reverse("routing:lead_panel", kwargs={"customer_id": lead.pk})).status_code == 404
