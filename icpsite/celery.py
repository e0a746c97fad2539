import os

from celery import Celery

import ops.celery  # noqa: F401  (the request id in task headers; workers log through Django's LOGGING)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icpsite.settings")
# Celery's Django fixup runs Django's system checks in any process the first time it imports the tasks modules: a
# web process's first request that sent a task took 1.2 s more for them. They run where Django runs them
# (manage.py check, runserver, and home/tests/test_errors.py in CI), not in every web and worker process.
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")

app = Celery("icpsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
