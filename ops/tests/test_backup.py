"""scripts/backup and scripts/restore on the real PostgreSQL: a backup restores into an empty database whole."""

import os
import secrets
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from customers.tests.factories import CustomerFactory
from rubrics.services.publishing import rubric_publish
from rubrics.tests.factories import rubric_with_draft
from teams.models import Role
from workshops.services.room import comment_add, proposal_add, vote_cast
from workshops.tests.factories import running_workshop

ROOT = Path(__file__).resolve().parents[2]
# Rows compared between the backed-up database and the restored one, table by table.
TABLES = [
    "teams_user",
    "customers_customer",
    "rubrics_rubricversion",
    "rubrics_criterion",
    "rubrics_score",
    "workshops_workshop",
    "workshops_proposal",
    "workshops_vote",
    "workshops_comment",
    "django_migrations",
]


def _url(name: str) -> str:
    database = connection.settings_dict
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host, port = database.get("HOST") or "127.0.0.1", database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def _run(script: str, *args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([str(ROOT / "scripts" / script), *args], env=env, capture_output=True, text=True, timeout=120)


def _rows(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as db:
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in TABLES}


@pytest.fixture
def restore_url():
    """A database name of our own, dropped afterwards."""
    name = f"{connection.settings_dict['NAME'].removeprefix('test_')}_restore_{secrets.token_hex(4)}"
    yield _url(name)
    with psycopg.connect(_url("postgres"), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def base(transactional_db, make_person):
    """Customers scored by a published rubric, and a workshop with a proposal, a vote and a comment (committed)."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL: run with DATABASE_URL=postgres://...")
    CustomerFactory.create_batch(3, industry="Software")
    CustomerFactory(industry="Retail")
    rubric_publish(version=rubric_with_draft(industries=("Software",)), user=make_person(Role.ADMIN))
    room = running_workshop()
    proposal = proposal_add(step=room.step, user=room.marketing, section="pain_points", text="Churn in year one")
    vote_cast(proposal=proposal, user=room.sales)
    comment_add(proposal=proposal, user=room.success, text="We see it too")


def test_a_backup_restores_into_an_empty_database_with_every_row(base, tmp_path, restore_url):
    source = _url(connection.settings_dict["NAME"])
    backup = tmp_path / "backups" / "icp.dump"

    backed_up = _run("backup", str(backup), database_url=source)
    restored = _run("restore", str(backup), database_url=restore_url)

    assert backed_up.returncode == 0, backed_up.stderr
    assert restored.returncode == 0, restored.stderr
    assert not list(backup.parent.glob("*.partial"))
    before, after = _rows(source), _rows(restore_url)
    assert len(after["customers_customer"]) == 4
    assert len(after["rubrics_score"]) == 4
    with psycopg.connect(restore_url) as db:
        assert db.execute("SELECT count(*) FROM rubrics_score WHERE qualified").fetchone() == (3,)
    assert len(after["workshops_proposal"]) == len(after["workshops_vote"]) == len(after["workshops_comment"]) == 1
    assert after == before


def test_it_refuses_to_restore_over_a_database_that_has_tables(base, tmp_path):
    source = _url(connection.settings_dict["NAME"])
    backup = tmp_path / "icp.dump"
    assert _run("backup", str(backup), database_url=source).returncode == 0

    refused = _run("restore", str(backup), database_url=source)

    assert refused.returncode == 1
    assert "refusing to restore" in refused.stderr
    assert _rows(source)["customers_customer"], "nothing was touched"
