"""What engagement tells the apps above it, without knowing them.

``engagement_changed`` is sent, inside the transaction of an ingest, with the ids of the accounts that got new
events: rubrics re-scores them once it commits (their engagement criteria read the daily counts).
"""

from django.dispatch import Signal

engagement_changed = Signal()  # customer_ids: list[int]
