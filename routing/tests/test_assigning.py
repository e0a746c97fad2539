"""Giving leads an owner in the database: new qualifications, the pointer, caps by the log, away and inactive reps,
leads with an owner left alone, claims logged, and leads reassigned after their hours under a given clock."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from customers.models import ChangeSource, CustomerChange
from leads.services.dispositions import lead_disposition_set, lead_owner_set
from routing.models import AssignmentLog, AssignmentRule, AssignmentWhy, RepAway, RoutingCursor, RoutingPending
from routing.selectors import rule_preview, week_start
from routing.services.assigning import lead_route, leads_reassign_stale, leads_route_new
from routing.tests.factories import prospects, published_rubric, qualify, rep, rule
from rubrics.models import QualificationChange
from teams.models import Role
from webhooks.models import Delivery
from webhooks.services.webhooks import webhook_save

pytestmark = pytest.mark.django_db


def _owners(customers) -> list[str | None]:
    for customer in customers:
        customer.refresh_from_db()
    return [customer.owner.username if customer.owner else None for customer in customers]


def test_new_qualifications_go_round_robin_and_the_pointer_is_stored():
    ann, bob, cem = rep("ann"), rep("bob"), rep("cem")
    everyone = rule("Everyone", [cem, ann, bob])
    version = published_rubric()
    leads = prospects(5)
    qualify(version, *leads)

    assert leads_route_new() == 5

    # In user id order (ann, bob, cem were made in that order), whatever order they were added to the rule.
    assert _owners(leads) == ["ann", "bob", "cem", "ann", "bob"]
    everyone.refresh_from_db()
    assert everyone.last_rep == bob
    logs = AssignmentLog.objects.filter(why=AssignmentWhy.ASSIGNED, rule=everyone)
    assert logs.count() == 5
    assert set(logs.values_list("rubric_id", flat=True)) == {version.rubric_id}
    # The owner goes through the customer's change log, as the system's change.
    assert CustomerChange.objects.filter(customer=leads[0], source=ChangeSource.SYSTEM).exists()


def test_a_second_run_routes_nothing_again_and_the_next_lead_continues_the_turns():
    ann, bob = rep("ann"), rep("bob")
    rule("Everyone", [ann, bob])
    version = published_rubric()
    first = prospects(3)
    qualify(version, *first)
    leads_route_new()

    assert leads_route_new() == 0
    assert AssignmentLog.objects.count() == 3

    later = prospects(1)
    qualify(version, *later)
    leads_route_new()
    assert _owners(first + later) == ["ann", "bob", "ann", "bob"]


def test_with_no_active_rule_the_cursor_moves_past_every_change_and_nothing_is_written():
    version = published_rubric()
    leads = prospects(4)
    qualify(version, *leads)

    assert leads_route_new() == 0

    assert _owners(leads) == [None] * 4
    assert not AssignmentLog.objects.exists()
    assert not RoutingPending.objects.exists()
    newest = QualificationChange.objects.filter(rubric_id=version.rubric_id).latest("id").id
    assert RoutingCursor.objects.get(rubric_id=version.rubric_id).cursor == newest
    # A rule made later routes only what qualifies after it.
    rule("Everyone", [rep("ann")])
    assert leads_route_new() == 0


def test_leads_a_dead_worker_left_pending_are_routed_by_the_next_run():
    ann = rep("ann")
    rule("Everyone", [ann])
    version = published_rubric()
    leads = prospects(2)
    qualify(version, *leads)
    # As if a worker took the batch past the cursor and died before routing it.
    RoutingCursor.objects.create(
        rubric_id=version.rubric_id,
        cursor=QualificationChange.objects.filter(rubric_id=version.rubric_id).latest("id").id,
    )
    RoutingPending.objects.bulk_create([RoutingPending(customer=lead, rubric_id=version.rubric_id) for lead in leads])

    assert leads_route_new() == 2

    assert _owners(leads) == ["ann", "ann"]
    assert not RoutingPending.objects.exists()


def test_the_first_matching_rule_by_position_wins_by_territory():
    ann, bob, cem = rep("ann"), rep("bob"), rep("cem")
    rule("Anywhere", [cem], position=30)
    rule("France", [bob], position=20, country="France")
    rule("German enterprise", [ann], position=10, country="Germany", min_employees=1000)
    version = published_rubric()
    german_big = prospects(1, country="Germany", employees=5000)
    german_small = prospects(1, country="Germany", employees=50)
    french = prospects(1, country="France", employees=5000)
    qualify(version, *german_big, *german_small, *french)

    leads_route_new()

    assert _owners(german_big + german_small + french) == ["ann", "cem", "bob"]


def test_the_weekly_cap_counts_this_iso_weeks_assignments_only():
    ann, bob = rep("ann"), rep("bob")
    capped = rule("Capped", [ann, bob], weekly_cap=1)
    version = published_rubric()
    old = prospects(1)
    # Ann got one last week (not counted) and Bob one this week (counted).
    monday = week_start(timezone.now())
    AssignmentLog.objects.create(
        customer=old[0], to_user=ann, why=AssignmentWhy.ASSIGNED, at=monday - datetime.timedelta(seconds=1)
    )
    AssignmentLog.objects.create(customer=old[0], to_user=bob, why=AssignmentWhy.ASSIGNED, at=monday)
    leads = prospects(2)
    qualify(version, *leads)

    leads_route_new()

    assert _owners(leads) == ["ann", None]
    unowned = AssignmentLog.objects.get(customer=leads[1])
    assert unowned.why == AssignmentWhy.UNASSIGNED
    assert "weekly cap" in unowned.detail
    assert capped.logs.count() == 1


def test_away_and_inactive_reps_get_nothing():
    ann, bob, cem, dan = rep("ann"), rep("bob"), rep("cem", is_active=False), rep("dan")
    today = timezone.localdate()
    RepAway.objects.create(user=ann, until=today)  # away today, included
    RepAway.objects.create(user=bob, until=today - datetime.timedelta(days=1))  # back since yesterday
    RepAway.objects.create(user=dan, until=None)  # away until marked back
    rule("Everyone", [ann, bob, cem, dan])
    version = published_rubric()
    leads = prospects(3)
    qualify(version, *leads)

    leads_route_new()

    assert _owners(leads) == ["bob", "bob", "bob"]


def test_a_lead_no_rule_matches_stays_unowned_and_that_is_logged():
    rule("France", [rep("ann")], country="France")
    version = published_rubric()
    leads = prospects(1, country="Germany")
    qualify(version, *leads)

    assert leads_route_new() == 0

    assert _owners(leads) == [None]
    log = AssignmentLog.objects.get(customer=leads[0])
    assert (log.why, log.to_user, log.detail) == (AssignmentWhy.UNASSIGNED, None, "No rule matched.")


def test_a_lead_with_an_owner_is_not_routed():
    ann, bob = rep("ann"), rep("bob")
    rule("Everyone", [ann])
    version = published_rubric()
    owned = prospects(1, owner=bob)
    qualify(version, *owned)

    leads_route_new()

    assert _owners(owned) == ["bob"]
    assert not AssignmentLog.objects.exists()
    assert lead_route(customer_id=owned[0].pk, rubric_id=version.rubric_id) is None


def test_leads_that_do_not_qualify_are_not_routed():
    rule("Everyone", [rep("ann")])
    version = published_rubric()
    retail = prospects(2, industry="Retail")
    qualify(version, *retail)

    leads_route_new()

    assert _owners(retail) == [None, None]
    assert not AssignmentLog.objects.exists()


def test_a_rubric_routed_for_the_first_time_skips_qualifications_older_than_an_hour():
    rule("Everyone", [rep("ann")])
    version = published_rubric()
    old, new = prospects(1), prospects(1)
    qualify(version, *old)
    version.rubric.qualification_changes.filter(customer=old[0]).update(
        changed_at=timezone.now() - datetime.timedelta(hours=2)
    )
    qualify(version, *new)

    leads_route_new()

    assert _owners(old + new) == [None, "ann"]
    assert RoutingCursor.objects.get(rubric=version.rubric).cursor == (
        version.rubric.qualification_changes.get(customer=new[0]).pk
    )


def test_the_rep_is_told_by_webhook_and_email(django_capture_on_commit_callbacks):
    ann = rep("ann", email="ann@example.com")
    rule("Everyone", [ann])
    version = published_rubric()
    # Nothing leaves the machine: the address does not resolve, the delivery's attempt fails and waits.
    webhook = webhook_save(rubric=version.rubric, url="https://crm.invalid/hooks", is_active=True, user=None)
    leads = prospects(1)
    qualify(version, *leads)

    with django_capture_on_commit_callbacks(execute=True):
        leads_route_new()

    delivery = Delivery.objects.get(webhook=webhook, event="lead.assigned")
    payload = delivery.payload
    assert payload["event"] == "lead.assigned"
    assert payload["id"] == str(delivery.event_id)
    assert payload["assigned_to"]["username"] == "ann"
    assert payload["why"] == "assigned"
    assert [lead["customer_id"] for lead in payload["leads"]] == [leads[0].pk]
    assert payload["leads"][0]["owner"] == "ann"
    assert payload["leads"][0]["url"].endswith(f"/leads/{version.rubric_id}/{leads[0].pk}/")
    assert [message.to for message in mail.outbox] == [["ann@example.com"]]
    assert leads[0].name in mail.outbox[0].subject


def test_claiming_by_hand_still_works_and_is_logged_as_claimed(make_person):
    version = published_rubric()
    leads = prospects(1)
    qualify(version, *leads)
    ann = rep("ann")

    lead_owner_set(customer=leads[0], owner=ann, user=ann)
    lead_owner_set(customer=leads[0], owner=ann, user=ann)  # a double submit changes nothing

    assert _owners(leads) == ["ann"]
    log = AssignmentLog.objects.get(customer=leads[0])
    assert (log.why, log.from_user, log.to_user) == (AssignmentWhy.CLAIMED, None, ann)

    admin, bob = make_person(Role.ADMIN), rep("bob")
    lead_owner_set(customer=leads[0], owner=bob, user=admin)
    given = AssignmentLog.objects.filter(customer=leads[0]).first()
    assert (given.why, given.from_user, given.to_user) == (AssignmentWhy.GIVEN, ann, bob)


class TestReassignment:
    """Under a given clock (``now`` passed in): the rule's hours, or ROUTING_SLA_HOURS when it has none."""

    def _assigned(self, *, sla_hours=None, reps=("ann", "bob")):
        people = [rep(name) for name in reps]
        made = rule("Everyone", people, sla_hours=sla_hours)
        version = published_rubric()
        leads = prospects(1)
        qualify(version, *leads)
        leads_route_new()
        assigned = AssignmentLog.objects.get(customer=leads[0])
        self.start = assigned.at
        leads[0].refresh_from_db()
        return made, version, leads[0], people

    def test_an_untouched_lead_goes_to_the_next_rep_after_the_rules_hours(self):
        made, version, lead, (ann, bob) = self._assigned(sla_hours=4)

        assert leads_reassign_stale(now=self.start + datetime.timedelta(hours=4) - datetime.timedelta(seconds=1)) == 0
        assert _owners([lead]) == ["ann"]

        assert leads_reassign_stale(now=self.start + datetime.timedelta(hours=4, seconds=1)) == 1
        assert _owners([lead]) == ["bob"]
        log = AssignmentLog.objects.filter(customer=lead).first()
        assert (log.why, log.from_user, log.to_user, log.rule) == (AssignmentWhy.REASSIGNED, ann, bob, made)
        assert log.rubric_id == version.rubric_id
        assert "Untouched for 4 h" in log.detail

        # Then Bob's own hours run from his assignment, back to Ann after them.
        assert leads_reassign_stale(now=log.at + datetime.timedelta(hours=3)) == 0
        assert leads_reassign_stale(now=log.at + datetime.timedelta(hours=5)) == 1
        assert _owners([lead]) == ["ann"]

    def test_without_rule_hours_the_site_default_counts(self, settings):
        settings.ROUTING_SLA_HOURS = 24
        _, _, lead, _ = self._assigned()

        assert leads_reassign_stale(now=self.start + datetime.timedelta(hours=23)) == 0
        assert leads_reassign_stale(now=self.start + datetime.timedelta(hours=25)) == 1
        assert _owners([lead]) == ["bob"]

    def test_a_disposition_or_a_note_counts_as_touched(self):
        _, version, lead, (ann, _) = self._assigned(sla_hours=1)
        lead_disposition_set(
            customer=lead, rubric=version.rubric, status="contacted", reason=None, note="Called", user=ann
        )

        assert leads_reassign_stale(now=self.start + datetime.timedelta(days=3)) == 0
        assert _owners([lead]) == ["ann"]

    def test_a_claim_or_an_owner_given_by_hand_stops_the_clock(self, make_person):
        _, _, lead, (ann, bob) = self._assigned(sla_hours=1)
        lead_owner_set(customer=lead, owner=bob, user=make_person(Role.ADMIN))

        assert leads_reassign_stale(now=self.start + datetime.timedelta(days=3)) == 0
        assert _owners([lead]) == ["bob"]

    def test_with_no_other_rep_it_stays_and_is_logged_once(self):
        _, _, lead, _ = self._assigned(sla_hours=1, reps=("ann",))

        assert leads_reassign_stale(now=self.start + datetime.timedelta(hours=2)) == 0
        assert leads_reassign_stale(now=self.start + datetime.timedelta(hours=3)) == 0

        assert _owners([lead]) == ["ann"]
        logs = list(AssignmentLog.objects.filter(customer=lead).values_list("why", flat=True))
        assert logs == [AssignmentWhy.UNASSIGNED, AssignmentWhy.ASSIGNED]

    def test_the_owner_it_is_taken_from_and_a_rep_away_are_left_out(self):
        _, _, lead, (ann, bob, cem) = self._assigned(sla_hours=1, reps=("ann", "bob", "cem"))
        RepAway.objects.create(user=bob)

        leads_reassign_stale(now=self.start + datetime.timedelta(hours=2))

        assert _owners([lead]) == ["cem"]


def test_the_preview_counts_todays_unowned_leads_per_rep_and_writes_nothing():
    ann, bob, cem = rep("ann"), rep("bob"), rep("cem")
    germany = rule("Germany", [ann, bob], position=1, country="Germany", weekly_cap=2)
    rest = rule("Rest", [cem], position=2)
    version = published_rubric()
    qualify(version, *prospects(5, country="Germany"), *prospects(1, country="France"))
    qualify(version, *prospects(2, owner=rep("dan")))  # owned: not counted
    old = prospects(1)
    qualify(version, *old)
    version.rubric.qualification_changes.filter(customer=old[0]).update(
        changed_at=timezone.now() - datetime.timedelta(days=1, hours=1)
    )  # qualified before today: not counted

    # Germany: ann, bob, ann, bob (cap 2 each), the fifth goes on to Rest with the French one.
    assert [(person.username, leads) for person, leads in rule_preview(germany)] == [("ann", 2), ("bob", 2)]
    assert [(person.username, leads) for person, leads in rule_preview(rest)] == [("cem", 2)]
    assert not AssignmentLog.objects.exists()
    assert AssignmentRule.objects.filter(last_rep__isnull=False).count() == 0


@pytest.mark.parametrize(
    ("now", "monday"),
    [
        (datetime.datetime(2026, 12, 7, 0, 0), datetime.datetime(2026, 12, 7)),  # a Monday, at midnight
        (datetime.datetime(2026, 12, 13, 23, 59), datetime.datetime(2026, 12, 7)),  # the Sunday after
        (datetime.datetime(2026, 12, 6, 23, 59), datetime.datetime(2026, 11, 30)),  # the Sunday before
        (datetime.datetime(2027, 1, 1, 12, 0), datetime.datetime(2026, 12, 28)),  # ISO week 53 spans the new year
    ],
)
def test_the_week_of_the_cap_starts_on_monday(now, monday):
    assert week_start(timezone.make_aware(now)) == timezone.make_aware(monday)
