import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icpsite.settings")

application = get_asgi_application()

# The apps' tasks modules, imported now rather than by the first request that sends a task (as in wsgi.py).
from icpsite.celery import app as celery_app  # noqa: E402

celery_app.loader.import_default_modules()
