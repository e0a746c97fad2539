"""Streamed CSV and Excel exports of the lead list, as filtered and sorted on the page.

The rows come from ``lead_list`` (so a rep exports only what the rep may see)
and go through the customer export's machinery: read a chunk at a time from a
database cursor, formulas neutralised, numbers and dates typed.
"""

from collections.abc import Iterator

from django.db.models import QuerySet

from customers.exports import CHUNK_SIZE, csv_chunks, export_rows, xlsx_chunks
from rubrics.grading import NO_GRADE, RubricScale
from rubrics.models import Score

HEADER = (
    "account",
    "domain",
    "score",
    "grade",
    "fit",
    "engagement",
    "qualitative",
    "industry",
    "country",
    "region",
    "stage",
    "owner",
    "disposition",
    "qualified_at",
    "version",
)
# What the database gives for every column but the grade, which the rubric's scale derives from the score.
LOOKUPS = (
    "customer__name",
    "customer__domain",
    "total",
    "fit",
    "engagement",
    "qualitative",
    "customer__industry",
    "customer__country",
    "customer__region",
    "customer__lifecycle_stage",
    "customer__owner__username",
    "disposition",
    "qualified_at",
    "version__number",
)


def lead_grade(scale: RubricScale | None, total: int) -> str | None:
    """The grade of a lead's score on the rubric's published scale; None below every grade."""
    grade = scale.grade_of(total) if scale else NO_GRADE
    return None if grade == NO_GRADE else grade


def lead_export_rows(
    leads: QuerySet[Score], *, scale: RubricScale | None, chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple]:
    """The export's columns of ``leads`` (a ``lead_list``), in its order, read a chunk at a time."""
    for name, domain, total, *rest in export_rows(leads, lookups=LOOKUPS, chunk_size=chunk_size):
        yield (name, domain, total, lead_grade(scale, total), *rest)


def lead_csv_chunks(rows: Iterator[tuple]) -> Iterator[bytes]:
    return csv_chunks(rows, header=HEADER)


def lead_xlsx_chunks(rows: Iterator[tuple]) -> Iterator[bytes]:
    return xlsx_chunks(rows, header=HEADER, sheet_title="Leads")
