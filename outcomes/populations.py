"""Who each outcome figure is about, and which customer fields are known only after the sale.

A figure is only honest about the customers for whom it means something: a prospect has no CLV (an
export may say 0), a deal still open has no outcome. Every figure names its population and its n.
"""

from django.db.models import Q

from customers.models import DealOutcome, LifecycleStage

CLIENT_STAGES = (LifecycleStage.CUSTOMER, LifecycleStage.CHURNED)
PROMOTER_FROM, DETRACTOR_UP_TO = 9, 6

WON = Q(deal_outcome=DealOutcome.WON)
LOST = Q(deal_outcome=DealOutcome.LOST)
DECIDED = Q(deal_outcome__in=(DealOutcome.WON, DealOutcome.LOST))
CLIENTS = Q(lifecycle_stage__in=CLIENT_STAGES)

# In words, for the pages and the API: who a figure counts.
POPULATIONS = {
    "decided": "decided deals (won or lost)",
    "clients": "customers (current and churned)",
    "won": "won deals",
    "respondents": "customers who answered a survey",
    "with_sentiment": "customers with a sentiment",
    "everyone": "every customer scored",
}

# Fields a customer has only once it has bought (or that are about how the relationship went): they
# cannot tell a deal that will be won from one that will be lost, so they never predict the sale. A
# criterion may still read them (to rank existing customers for expansion), but no suggestion proposes
# them, no fitted weight is learned for them, and the backtest says when a rubric reads them.
AFTER_THE_SALE = frozenset(
    {
        "lifecycle_stage",
        "deal_outcome",
        "closed_on",
        "sales_cycle_days",
        "clv",
        "tenure_months",
        "active_days_30d",
        "features_used",
        "referrals_made",
        "nps",
        "sentiment",
        "has_case_study",
        "has_public_review",
    }
)


def known_after_the_sale(field: str) -> bool:
    return field in AFTER_THE_SALE
