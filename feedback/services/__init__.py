"""Everything feedback writes, one module per concept:

- ``answers``: surveys, survey answers, their comments' sentiment, and the customer's feedback fields they feed;
- ``referrals``: referrals and advocacy, with their audit trail;
- ``sending``: a survey sent: its invitations created and emailed;
- ``risk_digest``: the weekly at-risk digest, sent and recorded once per person and week.

Reads are in selectors.py and risk.py (who is at risk, what the digest lists).
"""
