"""Everything profiles writes, one module per concept:

- ``profiles``: a profile itself: created, its agreement and review dates, its checklist;
- ``items``: its items, added, edited with their history, proposed;
- ``exemplars``: its exemplar customers;
- ``reviews``: the reminder that a profile is due for review, sent once.

Reads are in selectors.py.
"""
