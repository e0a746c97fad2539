from django.conf import settings
from django.db import models


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Columns to check"
    ANALYSING = "analysing", "Checking the file"
    ANALYSED = "analysed", "Checked: ready to import"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class ImportJob(models.Model):
    """One file on its way in, of one kind (customers, feedback answers...): uploaded, its columns mapped,
    checked (a dry run), then imported in one go.

    ``mapping`` maps each column of the file to what it fills ("" for ignored); ``analysis`` holds the check's
    counts, ``result`` the import's (created, updated, unchanged, rejected); ``rejections`` lists
    ``[line, reason]`` for the rows that cannot be imported.
    """

    kind = models.CharField(max_length=40, help_text="The registered import kind (imports.kinds).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    skip_invalid = models.BooleanField(default=False)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    analysis = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    rejections = models.JSONField(default=list, blank=True)
    file_style = models.JSONField(default=dict, blank=True, help_text="Date order and number style the check found.")
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "-created_at"], name="import_kind_recent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ImportStatus.values), name="import_job_status_valid"),
        ]

    def __str__(self):
        return f"Import {self.pk} ({self.kind}): {self.original_name}"

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.ANALYSING, ImportStatus.IMPORTING)

    @property
    def counts(self) -> dict:
        return self.result or self.analysis

    @property
    def rejected_count(self) -> int:
        return self.counts.get("rejected", 0)

    @property
    def valid_rows(self) -> int:
        counts = self.counts
        return counts.get("created", 0) + counts.get("updated", 0) + counts.get("unchanged", 0)
