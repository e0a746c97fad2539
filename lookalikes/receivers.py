"""What lookalikes does when the apps below it say something happened (connected in apps.py)."""

from .services import vectors_refresh_later


def customers_changed_vectors(sender=None, customer_ids: list[int] = (), **kwargs) -> None:
    """The changed customers' vectors, in the worker once the change commits (as their re-score)."""
    vectors_refresh_later(customer_ids=customer_ids)


def customer_similar_panel(customer) -> tuple[str, dict]:
    """The customer page's "Similar accounts": a frame the page fills from this app's URL with htmx."""
    return "lookalikes/customer_panel.html", {"customer": customer}
