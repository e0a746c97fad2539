"""Engagement events: what an account did (a website visit, an email click...), counted per day for scoring.

``Event`` is the raw log. On PostgreSQL its table is partitioned by month of ``occurred_at`` (the migration
creates it with SQL; ``partitions.py`` adds next months' partitions and drops those past the retention), so
it stays fast at 100M rows and old months go with a DROP, not a DELETE. An event is the same event when its
account, the sender's id and its time are the same (the unique key must hold the partition key): a resent
event counts once. ``DailyCount`` is the rollup that scoring reads: per account, type and day (UTC), how many
new events; ingest adds to it in the same statement that inserts the events.
"""

from django.core.validators import RegexValidator
from django.db import models

from customers.models import Customer

KEY_VALIDATOR = RegexValidator(r"^[a-z0-9][a-z0-9_-]{0,49}$", "Lower-case letters, digits, - and _, at most 50.")


class EventType(models.Model):
    """A kind of event that admins keep; ``key`` is what senders and rubric criteria name it by."""

    key = models.CharField(max_length=50, unique=True, validators=[KEY_VALIDATOR])
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Event(models.Model):
    """One event as received. The migration makes its table itself (partitioned on PostgreSQL, its one index the
    unique key below, no foreign keys: events of a deleted account stay in the log, unread, until their month is
    dropped). ``services.events_ingest`` writes it with set-based SQL."""

    id = models.BigAutoField(primary_key=True)
    # DO_NOTHING: deleting a customer never loads its events (its daily counts go, and scoring reads only those).
    customer = models.ForeignKey(Customer, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    event_type = models.ForeignKey(EventType, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    occurred_at = models.DateTimeField()
    contact = models.CharField(max_length=200, blank=True)
    source_id = models.CharField(max_length=100, help_text="The sender's own id of the event.")
    received_at = models.DateTimeField()

    class Meta:
        db_table = "engagement_event"
        constraints = [
            models.UniqueConstraint(fields=["customer", "source_id", "occurred_at"], name="engagement_event_once")
        ]

    def __str__(self):
        return f"{self.event_type_id} of {self.customer_id} at {self.occurred_at}"


class DailyCount(models.Model):
    """How many (new) events of a type an account had on a day (UTC): what decay reads."""

    # Deleted with their customer or type by Django (CASCADE), without a database constraint: its checks would
    # cost every ingest's upsert a lookup per row, and ingest takes ids it has just read.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    event_type = models.ForeignKey(
        EventType, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    day = models.DateField()
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "event_type", "day"], name="engagement_daily_count_unique")
        ]

    def __str__(self):
        return f"{self.customer_id} {self.event_type_id} {self.day}: {self.count}"
