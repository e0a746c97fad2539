"""What customers tells the apps above it, without knowing them.

``customers_changed`` is sent, inside the transaction, with the ids of customers just created or changed through
the services (forms, API, imports): rubrics brings its scores' copies of their fields up to date in that same
transaction and re-scores them once it commits.
"""

from django.dispatch import Signal

customers_changed = Signal()  # customer_ids: list[int]
