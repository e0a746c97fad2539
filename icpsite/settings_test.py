"""Settings for the test suite: the normal settings with development defaults."""

import os

os.environ.setdefault("DEBUG", "true")

from .settings import *  # noqa: E402,F403

# Hashing passwords the slow, safe way only makes tests slow.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
