"""Writes to the customer base, one module per concept:

- ``records``: one customer at a time (create, update, delete);
- ``upserts``: many customers by external id, in set-based batches (the API's bulk endpoint, imports);
- ``column_mappings``: the column choices a person made in an import, remembered for the next file;
- ``seeding``: the base filled or cleared wholesale (demo data, benchmarks), with no change history;
- ``changes``: what they share: the writable fields, validation, the change record, the announcement that
  customers changed (customers.signals), which the apps above follow to re-score.
"""
