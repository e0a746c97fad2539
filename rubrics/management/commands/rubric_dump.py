"""Print a version of a rubric as a document (rubrics/document_format.py), to keep in git or load elsewhere."""

import json

from django.core.management.base import BaseCommand, CommandError

from rubrics.models import Rubric, VersionStatus
from rubrics.services.documents import rubric_dump


class Command(BaseCommand):
    help = (
        "Print a rubric's published version as a JSON document (icp-rubric/1); --draft prints its draft, "
        "--version N that version. Load it with rubric_load."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version means a version of the rubric here, not Django's version (which `manage.py version` prints).
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("rubric", type=int, help="The rubric's id (in its page's address: /rubrics/<id>/).")
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--draft", action="store_true", help="The draft instead of the published version.")
        which.add_argument("--version", type=int, dest="number", help="The version with this number.")

    def handle(self, *args, rubric, draft, number, **options):
        found = Rubric.objects.select_related("profile").filter(pk=rubric).first()
        if found is None:
            raise CommandError(f"There is no rubric {rubric}.")
        versions = found.versions.select_related("rubric__profile")
        if number is not None:
            version, missing = versions.filter(number=number).first(), f"{found} has no version {number}."
        elif draft:
            version, missing = versions.filter(status=VersionStatus.DRAFT).first(), f"{found} has no draft."
        else:
            version = versions.filter(status=VersionStatus.PUBLISHED).first()
            missing = f"{found} has no published version: --draft prints its draft."
        if version is None:
            raise CommandError(missing)
        self.stdout.write(json.dumps(rubric_dump(version=version), indent=2, ensure_ascii=False))
