"""The layers of the code hold (pyproject.toml, [tool.importlinter]), and breaking them fails `make lint`."""

import shutil
import subprocess
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LINT_IMPORTS = ROOT / ".venv" / "bin" / "lint-imports"


def _packages() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return config["root_packages"]


def _copy(target: Path) -> None:
    """The project's Python packages and its pyproject.toml, nothing else (no virtualenv, no data)."""
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    for package in _packages():
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def _lint_imports(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=where, capture_output=True, text=True, check=False, timeout=120
    )


def test_the_code_keeps_its_layers():
    done = _lint_imports(ROOT)

    assert done.returncode == 0, done.stdout + done.stderr


def test_an_import_up_the_stack_breaks_the_layers(tmp_path):
    _copy(tmp_path)
    (tmp_path / "customers" / "planted.py").write_text("from rubrics.scoring import score  # up the stack\n")

    done = _lint_imports(tmp_path)

    assert done.returncode == 1
    assert "An app imports only the apps below it BROKEN" in done.stdout
    assert "customers.planted -> rubrics.scoring" in done.stdout


def test_two_modules_importing_each_other_break_the_no_loops_contract(tmp_path):
    _copy(tmp_path)
    (tmp_path / "rubrics" / "planted.py").write_text("from . import scoring\n")
    scoring = tmp_path / "rubrics" / "scoring.py"
    scoring.write_text(scoring.read_text() + "\n\ndef _loop():\n    from . import planted  # noqa\n")

    done = _lint_imports(tmp_path)

    assert done.returncode == 1
    assert "No two modules of an app import each other BROKEN" in done.stdout
