"""The production settings (DEBUG off), with static files left uncollected: for tests that start gunicorn for its
pages rather than its static files. Collecting and compressing those takes most of a minute."""

from icpsite.settings import *  # noqa: F403
from icpsite.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
