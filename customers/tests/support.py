"""Helpers for the import tests: the sample CRM exports and the sales reps they name."""

from pathlib import Path

from django.core.files import File

from imports.models import ImportJob, ImportStatus
from imports.services import import_check, import_commit, import_upload
from teams.models import Role

DATA = Path(__file__).parent / "data"


def reps(make_person):
    """The two sales reps the sample files name (by email, username or full name)."""
    return (
        make_person(Role.SALES_REP, username="riley", first_name="Riley", last_name="Rep", email="riley@demo.example"),
        make_person(Role.SALES_REP, username="rowan", first_name="Rowan", last_name="Rep", email="rep2@demo.example"),
    )


def upload(path: Path, user=None, name: str | None = None) -> ImportJob:
    with path.open("rb") as handle:
        return import_upload(kind="customers", file=File(handle), name=name or path.name, user=user)


def check(job: ImportJob, mapping: dict | None = None) -> ImportJob:
    """The dry run, with the suggested mapping (changed by ``mapping``)."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.ANALYSING, mapping={**job.mapping, **(mapping or {})}
    )
    job.refresh_from_db()
    return import_check(job=job)


def run(job: ImportJob, skip_invalid: bool) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING, skip_invalid=skip_invalid)
    job.refresh_from_db()
    return import_commit(job=job)
