"""Everything leads writes, one module per concept:

- ``dispositions``: what a rep made of a lead (one or many at once), who owns it, when the rep last looked;
- ``saved_views``: a person's saved lead views (lead-list filters, or a search of similar accounts);
- ``digest``: a rep's lead digest, sent and recorded once per window.

Reads are in selectors.py and digest.py (what a digest lists).
"""
