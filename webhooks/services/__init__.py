"""Everything webhooks writes, one module per concept:

- ``webhooks``: a rubric's webhook set up (URL, on or off, secret), a test event, a failed delivery retried;
- ``dispatch``: new qualifications turned into deliveries, once each;
- ``delivering``: deliveries claimed, sent, and their attempts recorded (with the retry schedule).

Reads are in selectors.py; the HTTP call is in sending.py and the signature in signing.py.
"""
