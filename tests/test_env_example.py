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


def test_a_copy_of_the_example_with_its_empty_values_starts_on_the_defaults(tmp_path):
    import os
    import subprocess
    import sys

    env_file = tmp_path / ".env"
    example = (ROOT / ".env.example").read_text()
    env_file.write_text(example.replace("DEBUG=false", "DEBUG=true").replace("DATABASE_URL=postgres", "#"))
    env = {key: value for key, value in os.environ.items() if key not in _listed() and key != "DJANGO_SETTINGS_MODULE"}
    env.update(ENV_FILE=str(env_file), DATABASE_URL="")
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.MEDIA_ROOT)"

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='icpsite.settings'; django.setup(); {code}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    engine, media_root = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert media_root == str(ROOT / "media")
