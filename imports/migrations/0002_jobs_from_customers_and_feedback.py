"""The customer imports and the feedback answer imports, each in its own table until now, move into
imports.ImportJob. Customer imports keep their numbers (the customers' change log names them "import <n>");
feedback imports get new ones, and the answers and changes naming them ("feedback import <n>") follow."""

from django.core.management.color import no_style
from django.db import migrations

SHARED = (
    "created_by_id, created_at, file, original_name, headers, mapping, status, skip_invalid, rows_total, "
    "analysis, result, rejections, file_style, error, finished_at"
)
FEEDBACK_FIELDS = ("created_at", "file", "original_name", "skip_invalid", "analysis", "result", "rejections", "error")


def _reference_rename(apps, renames: dict[int, int]) -> None:
    """Point "feedback import <old>" at "feedback import <new>", in two passes so that no number is renamed twice."""
    models = [apps.get_model("feedback", "Response"), apps.get_model("customers", "CustomerChange")]
    for model in models:
        for old, new in renames.items():
            model.objects.filter(source_ref=f"feedback import {old}").update(source_ref=f"feedback import ~{new}")
        for new in renames.values():
            model.objects.filter(source_ref=f"feedback import ~{new}").update(source_ref=f"feedback import {new}")


def forward(apps, schema_editor):
    ImportJob = apps.get_model("imports", "ImportJob")
    FeedbackImport = apps.get_model("feedback", "FeedbackImport")
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO imports_importjob (id, kind, {SHARED}) "
            f"SELECT id, 'customers', {SHARED} FROM customers_importjob"
        )
        for statement in connection.ops.sequence_reset_sql(no_style(), [ImportJob]):
            cursor.execute(statement)
    renames = {}
    for old in FeedbackImport.objects.order_by("pk"):
        job = ImportJob.objects.create(
            kind="feedback-answers",
            created_by_id=old.created_by_id,
            headers=list(old.columns),
            mapping=old.columns,
            status="analysed" if old.status == "checked" else old.status,
            finished_at=old.finished_at,
            **{name: getattr(old, name) for name in FEEDBACK_FIELDS},
        )
        ImportJob.objects.filter(pk=job.pk).update(created_at=old.created_at)  # not "now", as auto_now_add says
        renames[old.pk] = job.pk
    _reference_rename(apps, renames)


def backward(apps, schema_editor):
    ImportJob = apps.get_model("imports", "ImportJob")
    FeedbackImport = apps.get_model("feedback", "FeedbackImport")
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO customers_importjob (id, {SHARED}) "
            f"SELECT id, {SHARED} FROM imports_importjob WHERE kind = 'customers'"
        )
        for statement in connection.ops.sequence_reset_sql(no_style(), [apps.get_model("customers", "ImportJob")]):
            cursor.execute(statement)
    renames = {}
    for job in ImportJob.objects.filter(kind="feedback-answers").order_by("pk"):
        old = FeedbackImport.objects.create(
            created_by_id=job.created_by_id,
            columns=job.mapping,
            status="checked" if job.status in ("uploaded", "analysing", "analysed") else job.status,
            finished_at=job.finished_at,
            **{name: getattr(job, name) for name in FEEDBACK_FIELDS},
        )
        FeedbackImport.objects.filter(pk=old.pk).update(created_at=job.created_at)
        renames[job.pk] = old.pk
    _reference_rename(apps, renames)


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_import_jobs"),
        ("customers", "0005_customer_sentiment"),
        ("feedback", "0002_response_sentiment_todo_index"),
    ]

    operations = [migrations.RunPython(forward, backward)]
