"""Re-score the customer base with the published version of one rubric, or of every rubric, here and now."""

from django.core.management.base import BaseCommand, CommandError

from rubrics.models import RubricVersion, VersionStatus
from rubrics.services.rescoring import rescore_job_create, rescore_job_run


class Command(BaseCommand):
    help = "Re-score with each rubric's published version, in this process (no broker or worker needed)."

    def add_arguments(self, parser):
        parser.add_argument("--rubric", type=int, help="Only this rubric (its id).")

    def handle(self, *args, rubric=None, **options):
        versions = RubricVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("rubric")
        if rubric is not None:
            versions = versions.filter(rubric_id=rubric)
            if not versions:
                raise CommandError(f"Rubric {rubric} has no published version (or does not exist).")
        for version in versions.order_by("rubric_id"):
            self.stdout.write(f"{version.rubric} v{version.number}:")
            job = rescore_job_create(version=version, reason="manual", start=False)
            job = rescore_job_run(job=job, on_chunk=self._progress)
            seconds = job.duration.total_seconds() if job.duration else 0.0
            self.stdout.write(
                f"  {job.get_status_display().lower()}: {job.rows_total} customers,"
                f" {job.scores_moved} scores changed (total or qualification),"
                f" {job.scores_restamped} more rewritten with the same total, in {seconds:.1f} s"
            )

    def _progress(self, job):
        self.stdout.write(f"  chunk {job.chunks_done} of {job.chunks_total}, {job.scores_moved} scores changed")
