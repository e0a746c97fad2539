"""Feedback for tests: a survey with one customer's invitation and its link, and a published rubric."""

import datetime
import itertools
import time

from django.conf import settings
from django.core import signing

from customers.tests.factories import CustomerFactory
from feedback.links import SALT, invitation_token
from feedback.models import Survey, SurveyInvitation
from profiles.models import Profile
from rubrics.models import Criterion, Rubric, RubricVersion

_numbers = itertools.count(1)


def invitation_for(customer=None, *, survey=None, email="buyer@customer.example") -> SurveyInvitation:
    survey = survey or Survey.objects.create(name=f"NPS {next(_numbers)}")
    customer = customer or CustomerFactory(nps=None)
    return SurveyInvitation.objects.create(survey=survey, customer=customer, email=email)


def survey_path(invitation: SurveyInvitation) -> str:
    return f"/s/{invitation_token(invitation)}/"


def token_made_days_ago(invitation: SurveyInvitation, days: int) -> str:
    """The invitation's token as it was signed ``days`` ago, the invitation sent then (a genuine link, only old)."""
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        sent_at=datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(days=days)
    )

    class SignerOfThePast(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - days * 86_400)

    return SignerOfThePast(key=settings.SECRET_KEY, salt=SALT).sign_object(invitation.pk)


def published_nps_rubric(*, threshold: int = 3) -> RubricVersion:
    """A published rubric: 3 points for a Software company, 3 more for a promoter (NPS 9 or more)."""
    profile = Profile.objects.create(name=f"Profile {next(_numbers)}")
    rubric = Rubric.objects.create(profile=profile, name="Fit")
    version = RubricVersion.objects.create(rubric=rubric, number=1, threshold=threshold, status="published")
    Criterion.objects.create(version=version, field="industry", operator="in", values=["Software"], points=3)
    Criterion.objects.create(
        version=version, field="nps", operator="gte", values=[9], points=3, group="qualitative", position=1
    )
    return version
