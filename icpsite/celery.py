import os

from celery import Celery

import ops.celery  # noqa: F401  (the request id in task headers; workers log through Django's LOGGING)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icpsite.settings")

app = Celery("icpsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
