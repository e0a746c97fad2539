"""Load a rubric document as its rubric's draft, and publish it if asked."""

import json
import sys
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ops.outages import sends_watched
from rubrics.models import Rubric
from rubrics.services.documents import rubric_load
from rubrics.services.drafts import DraftChangedMeanwhile
from rubrics.services.publishing import PublishConflict, WorseThanPublished, rubric_publish
from teams.models import User


class Command(BaseCommand):
    help = (
        "Make a JSON rubric document (icp-rubric/1, as rubric_dump prints) the draft of the rubric it names "
        "(made if missing) or of --rubric; --publish publishes it. A bad document prints one line per problem "
        "(location: message), writes nothing and exits with 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The document, a .json file ('-' reads it from standard input).")
        parser.add_argument("--rubric", type=int, help="Load into this rubric (its id) whatever the document names.")
        parser.add_argument("--publish", action="store_true", help="Publish the draft once loaded.")
        parser.add_argument(
            "--confirm-worse",
            default="",
            metavar="REASON",
            help="Why to publish a draft whose backtest is significantly worse than the published version's.",
        )
        parser.add_argument("--user", help="The username recorded as having loaded (and published) it.")

    def handle(self, *args, file, rubric, publish, confirm_worse, user, **options):
        if confirm_worse and not publish:
            raise CommandError("--confirm-worse goes with --publish.")
        person = self._person(user)
        target = None
        if rubric is not None:
            target = Rubric.objects.filter(pk=rubric).first()
            if target is None:
                raise CommandError(f"There is no rubric {rubric}.")
        document = self._read(file)
        try:
            draft = rubric_load(document=document, user=person, rubric=target, skip_if_published=publish)
        except ValidationError as error:
            self._problems(error.message_dict)
            raise CommandError(f"{file} is not a rubric document this site can load; nothing was written.") from None
        except DraftChangedMeanwhile as changed:
            raise CommandError(f"{changed} Nothing was written: run the command again.") from None
        if not draft.is_draft:
            self.stdout.write(f"{draft.rubric} v{draft.number}, published, already says this: nothing to do.")
            return
        self.stdout.write(f"Loaded {file} as the draft of {draft.rubric}: version {draft.number}.")
        if publish:
            self._publish(draft, person, confirm_worse)

    def _person(self, username):
        if not username:
            return None
        person = User.objects.filter(username=username, is_active=True).first()
        if person is None:
            raise CommandError(f"There is no active person called {username}.")
        return person

    def _read(self, file):
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"There is no file {file}.") from None
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            message = str(error) if isinstance(error, ValueError) else "it is nested too deeply"
            raise CommandError(f"{file} is not JSON ({message}); nothing was written.") from None

    def _problems(self, errors: dict[str, list[str]]) -> None:
        for location, messages in errors.items():
            for message in messages:
                where = "document" if location == NON_FIELD_ERRORS else location
                self.stderr.write(f"{where}: {message}")

    def _publish(self, draft, person, confirm_worse):
        try:
            with sends_watched() as waiting:
                job = rubric_publish(version=draft, user=person, confirm_worse=confirm_worse)
        except WorseThanPublished as worse:
            raise CommandError(
                f"{worse.backtest.sentence} Version {draft.number} is loaded as the draft but not published: "
                'to publish it anyway, run again with --publish --confirm-worse "<why>".'
            ) from None
        except (ValidationError, PublishConflict) as refused:
            message = " ".join(refused.messages) if isinstance(refused, ValidationError) else str(refused)
            raise CommandError(f"Not published: {message}") from None
        started = "waits for the job queue" if waiting else "has started"
        self.stdout.write(f"Published version {draft.number}; re-score job {job.pk} {started}.")


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")
