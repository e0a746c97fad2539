import datetime
import smtplib

import pytest
from celery.exceptions import Retry
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from leads import digest
from leads.digest import digest_through
from leads.models import DisqualificationReason, LeadDigest
from leads.services import digest as digest_sending
from leads.services.digest import lead_digest_send
from leads.services.dispositions import lead_disposition_set
from leads.tasks import lead_digest_send as lead_digest_send_task
from leads.tasks import lead_digests_send
from leads.tests.factories import customers_score, published_rubric
from rubrics.models import QualificationChange, Score
from teams.models import Role

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
UTC = datetime.UTC


@pytest.mark.parametrize(
    ("now", "through"),
    [
        (datetime.datetime(2026, 3, 10, 7, 0, tzinfo=UTC), datetime.datetime(2026, 3, 10, 7, 0, tzinfo=UTC)),
        (datetime.datetime(2026, 3, 10, 7, 42, tzinfo=UTC), datetime.datetime(2026, 3, 10, 7, 0, tzinfo=UTC)),
        (datetime.datetime(2026, 3, 10, 23, 59, tzinfo=UTC), datetime.datetime(2026, 3, 10, 7, 0, tzinfo=UTC)),
        (datetime.datetime(2026, 3, 10, 6, 59, 59, tzinfo=UTC), datetime.datetime(2026, 3, 9, 7, 0, tzinfo=UTC)),
        (
            datetime.datetime(2026, 3, 10, 8, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
            datetime.datetime(2026, 3, 9, 7, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_window_ends_at_the_days_digest_hour_in_utc(settings, now, through):
    settings.LEAD_DIGEST_HOUR = 7

    assert digest_through(now) == through


def test_the_digest_is_a_daily_periodic_job():
    jobs = {job["task"]: job["schedule"] for job in django_settings.CELERY_BEAT_SCHEDULE.values()}

    assert lead_digests_send.name in jobs
    assert jobs[lead_digests_send.name].hour == {django_settings.LEAD_DIGEST_HOUR}
    assert jobs[lead_digests_send.name].minute == {0}


@pytest.fixture
def through():
    return digest_through(timezone.now())


@pytest.fixture
def reps(make_person, settings):
    settings.SITE_URL = "https://icp.example.com"
    return make_person(Role.SALES_REP, username="riley"), make_person(Role.SALES_REP, username="rowan")


def _qualified(version, when, **fields):
    """A customer who qualifies by the version, as if at ``when``."""
    customer = CustomerFactory(**fields)
    customers_score(version, customer)
    QualificationChange.objects.filter(customer=customer).update(changed_at=when)
    return customer


@pytest.mark.django_db
def test_a_digest_holds_exactly_the_reps_own_leads_newly_qualified_in_its_window(reps, through):
    riley, rowan = reps
    version = published_rubric()
    fresh = _qualified(version, through - HOUR, owner=riley, name="Fresh")
    _qualified(version, through - 2 * DAY, owner=riley, name="Old news")
    _qualified(version, through + HOUR, owner=riley, name="Tomorrow's")
    _qualified(version, through - HOUR, owner=rowan, name="Rowan's")
    _qualified(version, through - HOUR, owner=None, name="Claimable")
    turned_down = _qualified(version, through - HOUR, owner=riley, name="Turned down")
    lead_disposition_set(
        customer=turned_down,
        rubric=version.rubric,
        status="disqualified",
        reason=DisqualificationReason.objects.get(label="Wrong size"),
        note="",
        user=riley,
    )
    lapsed = _qualified(version, through - HOUR, owner=riley, name="Lapsed")
    Score.objects.filter(customer=lapsed).update(qualified=False)

    recorded = lead_digest_send(user=riley, through=through)

    assert (recorded.user, recorded.through, recorded.lead_count) == (riley, through, 1)
    [email] = mail.outbox
    assert email.to == [riley.email]
    assert email.subject == "1 new lead for you"
    for name in ("Old news", "Tomorrow's", "Rowan's", "Claimable", "Turned down", "Lapsed"):
        assert f"- {name}:" not in email.body  # a lead's line (a made-up person's name may hold the word)
    lead_url = f"https://icp.example.com/leads/{version.rubric_id}/{fresh.pk}/"
    assert f"- Fresh: score 3, grade B\n  {lead_url}" in email.body
    assert "1 new unowned lead you could claim: https://icp.example.com/leads/?rubric=" in email.body
    [(html, kind)] = email.alternatives
    assert kind == "text/html"
    assert f'<a href="{lead_url}">Fresh</a>' in html
    assert "Claimable" not in html


@pytest.mark.django_db
def test_the_task_sends_each_window_once_and_nothing_to_reps_without_new_leads(reps, through, make_person):
    riley, rowan = reps
    make_person(Role.SALES_REP, username="no-email", email="")
    make_person(Role.SALES_REP, username="gone", is_active=False)
    make_person(Role.MEMBER, username="member")
    version = published_rubric()
    _qualified(version, through - HOUR, owner=riley, name="Fresh")

    lead_digests_send()
    lead_digests_send()

    assert [email.to for email in mail.outbox] == [[riley.email]]
    assert list(LeadDigest.objects.order_by("user__username").values_list("user__username", "lead_count")) == [
        ("riley", 1),
        ("rowan", 0),
    ], "one digest per rep and window; rowan's empty window is closed without an email"


@pytest.mark.django_db
def test_the_next_digest_starts_where_the_last_one_ended(reps, through):
    riley, _ = reps
    version = published_rubric()
    _qualified(version, through - HOUR, owner=riley, name="Monday's")
    lead_digest_send(user=riley, through=through)
    _qualified(version, through + HOUR, owner=riley, name="Tuesday's")

    lead_digest_send(user=riley, through=through + DAY)

    first, second = mail.outbox
    assert ("Monday's" in first.body, "Tuesday's" in first.body) == (True, False)
    assert ("Monday's" in second.body, "Tuesday's" in second.body) == (False, True)


@pytest.mark.django_db
def test_a_window_with_nothing_new_of_theirs_is_closed_without_an_email(reps, through):
    riley, _ = reps
    version = published_rubric()
    _qualified(version, through - HOUR, owner=riley, name="Monday's")
    lead_digest_send(user=riley, through=through)
    claimed = _qualified(version, through + HOUR, owner=None, name="Claimed later")
    lead_digest_send(user=riley, through=through + DAY)
    claimed.owner = riley  # claimed after the window it qualified in: not news the day after
    claimed.save()

    lead_digest_send(user=riley, through=through + 2 * DAY)

    [email] = mail.outbox
    assert "Monday's" in email.body
    assert list(LeadDigest.objects.filter(user=riley).values_list("lead_count", flat=True)) == [0, 0, 1]


@pytest.mark.django_db
def test_a_failed_send_records_nothing_so_the_retry_sends_it(reps, through, monkeypatch):
    riley, _ = reps
    _qualified(published_rubric(), through - HOUR, owner=riley, name="Fresh")
    original = mail.backends.locmem.EmailBackend.send_messages

    def mail_server_down(backend, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", mail_server_down)
    with pytest.raises(Retry):
        lead_digest_send_task.apply(args=[riley.pk, through.isoformat()])
    assert not LeadDigest.objects.exists()
    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", original)

    lead_digest_send_task.apply(args=[riley.pk, through.isoformat()])

    assert len(mail.outbox) == 1
    assert LeadDigest.objects.get(user=riley).lead_count == 1


@pytest.mark.django_db
def test_a_run_that_loses_the_race_to_record_the_digest_sends_nothing(reps, through, monkeypatch):
    riley, _ = reps
    _qualified(published_rubric(), through - HOUR, owner=riley, name="Fresh")
    collect = digest.digest_sections

    def meanwhile_another_run_records_it(**kwargs):
        LeadDigest.objects.create(user=riley, through=through, lead_count=1, sent_at=timezone.now())
        return collect(**kwargs)

    monkeypatch.setattr(digest_sending, "digest_sections", meanwhile_another_run_records_it)

    assert lead_digest_send(user=riley, through=through) is None
    assert mail.outbox == []
    assert LeadDigest.objects.filter(user=riley).count() == 1


@pytest.mark.django_db
def test_it_lists_the_best_leads_of_each_rubric_and_links_to_the_rest(reps, through, monkeypatch):
    riley, _ = reps
    monkeypatch.setattr(digest, "LISTED_PER_RUBRIC", 1)
    first, second = published_rubric(), published_rubric()
    best = _qualified(first, through - HOUR, owner=riley, name="Best")
    Score.objects.filter(customer=best, rubric=first.rubric).update(total=9)
    _qualified(first, through - HOUR, owner=riley, name="Good")
    _qualified(second, through - HOUR, owner=riley, name="Other profile's")

    lead_digest_send(user=riley, through=through)

    [email] = mail.outbox
    assert email.subject == "3 new leads for you"
    assert "- Best: score 9, grade A" in email.body
    assert "- Good:" not in email.body  # (its line; the rep's made-up name may hold the word, "Goodwin")
    assert f"And 1 more: https://icp.example.com/leads/?rubric={first.rubric_id}" in email.body
    assert "Other profile's" in email.body


@pytest.mark.django_db
def test_a_rubric_for_new_business_and_expansion_digests_each_tab_apart(reps, through):
    """Planted: of a rep's accounts newly qualified in the window, the prospects go under new business, the
    customers under expansion, the churned ones nowhere (the list hides them); counted by hand."""
    from rubrics.models import LeadAudience

    riley, _ = reps
    version = published_rubric(audience=LeadAudience.BOTH)
    _qualified(version, through - HOUR, owner=riley, name="Prospect", lifecycle_stage="prospect")
    _qualified(version, through - HOUR, owner=riley, name="Opportunity", lifecycle_stage="opportunity")
    _qualified(version, through - HOUR, owner=riley, name="Customer", lifecycle_stage="customer")
    _qualified(version, through - HOUR, owner=riley, name="Churned", lifecycle_stage="churned")
    _qualified(version, through - HOUR, owner=None, name="Unowned customer", lifecycle_stage="customer")

    sections = digest.digest_sections(user=riley, since=through - DAY, through=through)

    assert [(s.segment_label, s.lead_count, s.unowned_count) for s in sections] == [
        ("New business", 2, 0),
        ("Expansion", 1, 1),
    ]
    assert {lead.name for lead in sections[0].leads} == {"Prospect", "Opportunity"}
    assert [lead.name for lead in sections[1].leads] == ["Customer"]
    assert sections[1].list_url.endswith(f"?rubric={version.rubric_id}&segment=expansion")
    recorded = lead_digest_send(user=riley, through=through)
    assert recorded.lead_count == 3
    [email] = mail.outbox
    assert f"{version.rubric}, new business (2 new)" in email.body
    assert f"{version.rubric}, expansion (1 new)" in email.body
    assert "- Churned:" not in email.body
