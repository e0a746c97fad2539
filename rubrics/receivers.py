"""What rubrics does when the apps below it say something happened (connected in apps.py)."""

from .score_tables import score_partition_drop, score_partition_ensure
from .selectors import customer_scores
from .services.rescoring import customers_rescore_later
from .services.scores import score_copies_refresh


def customers_changed_rescore(sender=None, customer_ids: list[int] = (), **kwargs) -> None:
    """The scores' copies of the customers' fields (owner, industry, ...) now, in the transaction of the change;
    their re-score once it commits."""
    score_copies_refresh(customer_ids=list(customer_ids))
    customers_rescore_later(customer_ids=customer_ids)


def engagement_changed_rescore(sender=None, customer_ids: list[int] = (), **kwargs) -> None:
    """New events change no copied field: only the re-score, once the ingest commits."""
    customers_rescore_later(customer_ids=customer_ids)


def customer_scores_panel(customer) -> tuple[str, dict]:
    """The customer page's scores: each rubric's total, grade and breakdown, by the version that scored it."""
    return "rubrics/customer_scores_panel.html", {"scores": customer_scores(customer=customer)}


def rubric_saved(sender=None, instance=None, created=False, **kwargs) -> None:
    """A new rubric gets its score partition (PostgreSQL), in the transaction that creates it."""
    if created:
        score_partition_ensure(instance.pk)


def rubric_deleted(sender=None, instance=None, **kwargs) -> None:
    """A deleted rubric's partition goes with it (its scores were deleted first)."""
    score_partition_drop(instance.pk)
