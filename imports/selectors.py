from itertools import islice

from django.db.models import QuerySet

from .models import ImportJob, ImportStatus
from .tabular import table_open


def imports_recent(*, kind: str, limit: int = 20) -> QuerySet[ImportJob]:
    """The latest imports of a kind, cancelled ones left out."""
    jobs = ImportJob.objects.select_related("created_by").filter(kind=kind).exclude(status=ImportStatus.CANCELLED)
    return jobs[:limit]


def import_samples(job: ImportJob, count: int = 3) -> dict[str, list[str]]:
    """The first few values of each column, to help a person map it."""
    table = table_open(job.file.path, job.original_name)
    samples: dict[str, list[str]] = {header: [] for header in table.headers}
    for _, cells in islice(table.rows, count):
        for header, cell in zip(table.headers, cells, strict=False):
            if cell.strip():
                samples[header].append(" ".join(cell.split())[:60])
    return samples
