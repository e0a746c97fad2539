"""What leads tells the apps above it, without knowing them.

``lead_owner_changed`` is sent inside the transaction of ``lead_owner_set`` (a claim, or an admin's choice) with
``customer_id``, ``previous_owner_id``, ``owner_id`` and ``user``: routing logs it in the lead's assignment history,
written with the change or not at all.
"""

from django.dispatch import Signal

lead_owner_changed = Signal()
