"""Operations: request ids, structured logs, and the request id carried into Celery tasks.

Not an app (no models, no views): the middleware is in MIDDLEWARE, the filter and formatters in LOGGING,
and ``ops.celery`` is imported by the Celery app (icpsite/celery.py).
"""
