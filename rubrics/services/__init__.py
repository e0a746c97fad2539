"""Everything rubrics writes, one module per concept:

- ``drafts``: rubrics and their drafts (criteria, settings), with revision-checked claims;
- ``publishing``: publishing a draft, after its backtest against the published version;
- ``rescoring``: re-score jobs (their chunks, the nightly run) and re-scoring changed customers;
- ``scores``: writing scores and the copies of customers' fields they keep;
- ``documents``: a rubric as a JSON document, loaded into a draft (and dumped);
- ``audience``: whom a rubric's leads are for (new business, expansion or both).

Reads are in selectors.py and in the modules named for what they compute (evidence, backtest, preview, ...).
"""
