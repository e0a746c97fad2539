""".env.example lists every setting the code reads from the environment."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _listed() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_it_lists_every_variable_the_settings_read():
    settings = (ROOT / "icpsite" / "settings.py").read_text()
    read = set(re.findall(r"env\.\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", settings))

    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"} <= read
    assert read - _listed() == set()


def test_it_lists_the_variables_the_procfile_and_makefile_read():
    procfile = (ROOT / "Procfile").read_text()
    used = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", procfile)) | {"PORT"}

    assert used - _listed() == set()
