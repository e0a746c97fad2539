from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from customers.import_kind import mapping_unknown
from imports.models import ImportStatus
from imports.services import import_check_now, import_commit_now, import_upload
from teams.models import User


class Command(BaseCommand):
    help = (
        "Import customers from a CSV or Excel export (HubSpot, Salesforce or our own column names). "
        "Prints the counts and each rejected line; exits with 1 when rows were rejected and not skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv or .xlsx file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and print the counts; change nothing."
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Import the valid rows and skip the rejected ones."
        )
        parser.add_argument("--user", help="The username recorded as having made the changes.")

    def handle(self, *args, file, dry_run, skip_invalid, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        person = self._person(user)
        try:
            with path.open("rb") as handle:
                job = import_upload(kind="customers", file=File(handle), name=path.name, user=person)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        ignored = sorted(mapping_unknown(job.headers) - {h for h, target in job.mapping.items() if target})
        if ignored:
            self.stdout.write(f"Ignored columns (map them in the browser to keep them): {', '.join(ignored)}")
        job = import_check_now(job=job)
        if job.status == ImportStatus.FAILED:
            raise CommandError(job.error)
        counts = job.analysis
        if not dry_run and (skip_invalid or not counts["rejected"]):
            job = import_commit_now(job=job, skip_invalid=skip_invalid)
            counts = job.result or counts
        self._report(job, counts, dry_run)
        if job.status == ImportStatus.FAILED and job.error and not job.rejections:
            raise CommandError(job.error)
        if counts["rejected"] and not skip_invalid:
            raise SystemExit(1)

    def _person(self, username):
        if not username:
            return None
        person = User.objects.filter(username=username, is_active=True).first()
        if person is None:
            raise CommandError(f"There is no active person called {username}.")
        return person

    def _report(self, job, counts, dry_run):
        created, updated, unchanged, rejected = (counts[key] for key in ("created", "updated", "unchanged", "rejected"))
        if job.status == ImportStatus.DONE:
            summary = f"Created {created}, updated {updated}, left {unchanged} unchanged, skipped {rejected} rejected."
        else:
            prefix = "Dry run" if dry_run else "Nothing was imported"
            summary = f"{prefix}: {created} to create, {updated} to update, {unchanged} unchanged, {rejected} rejected."
        self.stdout.write(f"{summary} (import {job.pk})")
        for line, reason in job.rejections:
            self.stdout.write(f"  line {line}: {reason}")
        if counts["rejected"] > len(job.rejections):
            self.stdout.write(f"  ... and {counts['rejected'] - len(job.rejections)} more")
        if counts["rejected"] and not dry_run and job.status != ImportStatus.DONE:
            self.stdout.write("Rows were rejected: fix them, or run again with --skip-invalid to import the rest.")
