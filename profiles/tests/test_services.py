import datetime

import pytest
from django.utils import timezone

from profiles.models import ItemStatus, Profile, ProfileItem
from profiles.services.exemplars import exemplar_add
from profiles.services.items import ItemChangedMeanwhile, profile_item_propose, profile_item_update
from profiles.services.profiles import profile_review_set
from profiles.tests.factories import make_item, make_profile

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
A_YEAR_ON = TODAY + datetime.timedelta(days=365)


def test_it_sets_the_review_a_year_after_the_first_agreement():
    item = make_item()

    profile_item_update(item=item, user=None, status=ItemStatus.AGREED)

    profile = Profile.objects.get(pk=item.profile_id)
    assert profile.agreed_at is not None
    assert profile.review_on == A_YEAR_ON


def test_it_keeps_a_review_date_still_ahead():
    later = TODAY + datetime.timedelta(days=30)
    item = make_item(make_profile(review_on=later))

    profile_item_update(item=item, user=None, status=ItemStatus.AGREED)

    assert Profile.objects.get(pk=item.profile_id).review_on == later


def test_it_moves_a_past_review_date_and_arms_the_reminder_again():
    past = TODAY - datetime.timedelta(days=3)
    item = make_item(make_profile(review_on=past, review_reminded_on=past))

    profile_item_update(item=item, user=None, status=ItemStatus.AGREED)

    profile = Profile.objects.get(pk=item.profile_id)
    assert (profile.review_on, profile.review_reminded_on) == (A_YEAR_ON, None)


def test_it_records_agreement_when_an_item_is_added_agreed():
    profile = make_profile()

    make_item(profile, status=ItemStatus.AGREED)

    assert Profile.objects.get(pk=profile.pk).review_on == A_YEAR_ON


def test_it_does_not_record_agreement_for_a_rejection():
    item = make_item()

    profile_item_update(item=item, user=None, status=ItemStatus.REJECTED)

    assert Profile.objects.get(pk=item.profile_id).agreed_at is None


def test_it_records_agreement_for_an_agreed_exemplar():
    from customers.tests.factories import CustomerFactory

    profile = make_profile()

    exemplar_add(profile=profile, customer=CustomerFactory(), reason="clv", user=None, status=ItemStatus.AGREED)

    assert Profile.objects.get(pk=profile.pk).agreed_at is not None


def test_it_refuses_a_stale_edit_and_keeps_the_other_text():
    item = make_item(text="Slow onboarding")
    profile_item_update(item=item, user=None, revision=1, text="Onboarding takes months")

    with pytest.raises(ItemChangedMeanwhile):
        profile_item_update(item=item, user=None, revision=1, text="Mine")

    assert ProfileItem.objects.get(pk=item.pk).text == "Onboarding takes months"


def test_it_adds_the_same_text_in_a_section_once():
    profile = make_profile()

    first, created = profile_item_propose(profile=profile, section="needs", text="Audit trail", author=None)
    again, created_again = profile_item_propose(profile=profile, section="needs", text=" audit trail ", author=None)

    assert (created, created_again) == (True, False)
    assert again == first
    assert profile.items.count() == 1


def test_it_arms_the_reminder_again_when_the_review_date_moves():
    past = TODAY - datetime.timedelta(days=1)
    profile = make_profile(review_on=past, review_reminded_on=past)

    profile_review_set(profile=profile, review_on=TODAY + datetime.timedelta(days=90))

    assert Profile.objects.get(pk=profile.pk).review_reminded_on is None
