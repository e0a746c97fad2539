"""Demo feedback: one answered survey, a few referrals and advocacy entries, on a bounded set of customers.

Whatever the size of the demo base, it touches at most DEMO_CUSTOMERS current
customers (the first ones the demo rubric qualifies, then any), so seeding a
million customers is not slowed down. It is loaded once: a base that already
has answers is left alone.
"""

import datetime
import random

from django.db import transaction
from django.db.models import Exists, OuterRef

from customers.models import ChangeSource, Customer, LifecycleStage
from rubrics.models import Score
from rubrics.services.rescoring import customers_rescore

from .models import Advocacy, AdvocacyKind, Referral, ReferralStatus, Response, ResponseSource, Survey, SurveyInvitation
from .sentiment import comment_sentiment
from .services.answers import customer_feedback_refresh

DEMO_CUSTOMERS = 40
SURVEY = "NPS, autumn 2026"
ANSWERED_ON = datetime.datetime(2026, 10, 12, 9, 0, tzinfo=datetime.UTC)
# (score, comment): promoters, passives and detractors, as customers write them.
ANSWERS = [
    (10, "Great product, the scoring saved our sales team hours every week."),
    (9, "Very helpful support and a clear roadmap. Love the lead list."),
    (9, ""),
    (8, "Good overall, but the import was confusing at first."),
    (7, "It does the job. Reports could be faster."),
    (10, "Excellent. Our reps finally trust the lead scores."),
    (6, "Onboarding was slow and we still miss a Salesforce sync."),
    (3, "Terrible experience with billing, and nobody answered our tickets."),
    (5, "Too expensive for what we use, and the dashboards are hard to read."),
    (9, "Works well, happy with it."),
    (2, "We barely use it anymore; the workshop tool was disappointing."),
    (8, ""),
]
REFERRED = ["Lumen Analytics", "Harbor Freight Systems", "Kite Health", "Orbit Retail", "Pine Labs", "Northwind Care"]


@transaction.atomic
def demo_feedback_ensure() -> int:
    """Load the demo feedback unless answers exist; return how many answers were added."""
    if Response.objects.exists():
        return 0
    qualified = Score.objects.filter(customer=OuterRef("pk"), qualified=True)
    current = Customer.objects.filter(lifecycle_stage=LifecycleStage.CUSTOMER)
    customers = list(current.filter(Exists(qualified)).order_by("pk")[:DEMO_CUSTOMERS])
    if len(customers) < DEMO_CUSTOMERS:
        customers += list(
            current.exclude(pk__in=[c.pk for c in customers]).order_by("pk")[: DEMO_CUSTOMERS - len(customers)]
        )
    if not customers:
        return 0
    rng = random.Random(2026)
    survey, _ = Survey.objects.get_or_create(name=SURVEY)
    responses = []
    for number, customer in enumerate(customers[: len(customers) * 3 // 4]):
        invitation, _ = SurveyInvitation.objects.get_or_create(
            survey=survey, customer=customer, defaults={"sent_at": ANSWERED_ON}
        )
        score, comment = ANSWERS[number % len(ANSWERS)]
        answered_at = ANSWERED_ON + datetime.timedelta(hours=rng.randint(1, 300))
        responses.append(
            Response(
                customer=customer,
                survey=survey,
                invitation=invitation,
                score=score,
                comment=comment,
                sentiment=comment_sentiment(comment),
                source=ResponseSource.WEB,
                answered_at=answered_at,
            )
        )
    Response.objects.bulk_create(responses)
    for number, customer in enumerate(customers[::5]):
        Referral.objects.create(
            referrer=customer,
            referred_name=REFERRED[number % len(REFERRED)],
            referred_on=ANSWERED_ON.date() - datetime.timedelta(days=20 * number),
            status=[ReferralStatus.WON, ReferralStatus.OPEN, ReferralStatus.LOST][number % 3],
        )
    kinds = [AdvocacyKind.CASE_STUDY, AdvocacyKind.PUBLIC_REVIEW, AdvocacyKind.REFERENCE_CALL]
    for number, customer in enumerate(customers[1::7]):
        Advocacy.objects.create(
            customer=customer, kind=kinds[number % 3], happened_on=ANSWERED_ON.date() - datetime.timedelta(days=9)
        )
    for customer in customers:
        customer_feedback_refresh(customer=customer, source=ChangeSource.SYSTEM, source_ref="demo feedback")
    # Their scores now, not once this commits: the demo base is consistent when the seed returns.
    customers_rescore(customer_ids=[customer.pk for customer in customers])
    return len(responses)
