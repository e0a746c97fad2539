"""Importing a customer file: upload it, map its columns, check it (a dry run), import it.

The check and the import read the file the same way and count with the same
upsert (the check with ``dry_run``), so what the check announces is what the
import does, unless the base changed in between. The import is one transaction:
every valid row, or nothing.

The check and the import run in the worker, each holding the job's row locked
while it runs. A worker killed midway leaves the job checking or importing, its
transaction rolled back and the row unlocked: ``imports_unheld`` finds it, and
the periodic resend (and every worker that starts) sends its task again. A
second delivery of a task leaves alone a job that is locked or finished.
"""

import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ops.jobs import job_send
from ops.outages import REDIS_ERRORS
from teams.models import Role, User

from .cleaning import (
    COLUMN_ALIASES,
    EXTRA_PREFIX,
    RowCleaner,
    RowError,
    column_key,
    date_order,
    is_number_field,
    number_style,
)
from .models import ChangeSource, ColumnMapping, Customer, ImportJob, ImportStatus
from .services import WRITABLE_FIELDS, UpsertResult, customers_upsert
from .tabular import TableError, table_check, table_open

BATCH = 1_000
REJECTIONS_KEPT = 500
PROGRESS_TIMEOUT = 6 * 60 * 60
DATE_TARGETS = ("crm_created_on", "closed_on")
UNDER_WAY = (ImportStatus.ANALYSING, ImportStatus.IMPORTING)
# What waits when the task cannot be sent (Redis down): see ops.outages.
CHECK_WAITING = "The check of the file starts by itself when it is back."
IMPORT_WAITING = "The import starts by itself when it is back."

logger = logging.getLogger(__name__)


class ImportConflict(Exception):
    """The import is not in a state that allows this step (it started already, say)."""


# --- Upload and mapping ---------------------------------------------------------------------


def import_job_create(*, file: File, name: str, user: User | None) -> ImportJob:
    """Keep an uploaded file, read its header and suggest a column mapping."""
    if file.size > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"The file is larger than {limit} MB: split it, or import it from the command line.")
    try:
        table_check(file, name)
    except TableError as error:
        raise ValidationError(str(error)) from None
    job = ImportJob(created_by=user, original_name=Path(name).name[:255])
    job.file.save(Path(name).name, file, save=False)
    try:
        headers = table_open(job.file.path, name).headers
    except TableError as error:
        job.file.delete(save=False)
        raise ValidationError(str(error)) from None
    job.headers = headers
    job.mapping = mapping_suggest(headers)
    job.save()
    return job


def mapping_suggest(headers: list[str]) -> dict[str, str]:
    """For each column: what a person chose for it before, else what its name means, else nothing."""
    remembered = dict(
        ColumnMapping.objects.filter(column__in=[column_key(h) for h in headers]).values_list("column", "target")
    )
    suggestion = {}
    for header in headers:
        key = column_key(header)
        if key in remembered:
            suggestion[header] = remembered[key]
        else:
            suggestion[header] = COLUMN_ALIASES.get(key, "")
    return suggestion


def mapping_unknown(headers: list[str]) -> set[str]:
    """Columns that neither our names nor a remembered choice explain."""
    remembered = set(
        ColumnMapping.objects.filter(column__in=[column_key(h) for h in headers]).values_list("column", flat=True)
    )
    return {h for h in headers if h and column_key(h) not in COLUMN_ALIASES and column_key(h) not in remembered}


def mapping_targets() -> list[tuple[str, str]]:
    """The fields a column may fill, as (target, label)."""
    from .cleaning import target_label

    return [(attname, target_label(attname)) for attname in WRITABLE_FIELDS if attname != "extra"]


def mapping_check(mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """Return ``mapping`` cleaned, or raise ValidationError saying what is wrong with it."""
    fields = {target for target, _ in mapping_targets()}
    cleaned, problems = {}, []
    for header in headers:
        target = (mapping.get(header) or "").strip()
        if target.startswith(EXTRA_PREFIX):
            key = column_key(target.removeprefix(EXTRA_PREFIX)).replace(" ", "_")
            if not key or len(key) > 60:
                problems.append(f"“{header}”: an extra attribute needs a short name.")
            target = EXTRA_PREFIX + key
        elif target and target not in fields:
            problems.append(f"“{header}”: “{target}” is not a customer field.")
        cleaned[header] = target
    used = [target for target in cleaned.values() if target]
    twice = sorted({target for target in used if used.count(target) > 1})
    if twice:
        problems.append(f"Each field can come from one column only: {', '.join(twice)}.")
    if "external_id" not in used:
        problems.append("One column must be the external id (the CRM's record id).")
    if problems:
        raise ValidationError(problems)
    return cleaned


@transaction.atomic
def import_job_map(*, job: ImportJob, mapping: dict[str, str], user: User | None) -> ImportJob:
    """Save the column mapping, remember the choices that differ from our names, and start the check."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.ANALYSED):
        raise ImportConflict("This import is already under way; its columns can no longer change.")
    job.mapping = mapping_check(mapping, job.headers)
    for header, target in job.mapping.items():
        key = column_key(header)
        if key and COLUMN_ALIASES.get(key, "") != target:
            ColumnMapping.objects.update_or_create(column=key[:200], defaults={"target": target, "updated_by": user})
        elif key:
            ColumnMapping.objects.filter(column=key).delete()
    job.status = ImportStatus.ANALYSING
    job.analysis, job.rejections, job.error = {}, [], ""
    job.save()
    progress_set(job, 0)
    job_send("customers.tasks.customer_import_analyse", job.pk, waiting=CHECK_WAITING)
    return job


# --- Reading and checking rows ----------------------------------------------------------------


@dataclass
class Checked:
    """One batch of a file: the rows that can be imported and the reasons for the rest."""

    rows: list[dict] = field(default_factory=list)
    rejections: list[list] = field(default_factory=list)  # [line, reason], as JSON keeps them
    lines: int = 0


def _owners() -> dict[str, User]:
    """Sales reps by lower-cased email, username and full name."""
    owners = {}
    for rep in User.objects.filter(role=Role.SALES_REP, is_active=True):
        for key in (rep.email, rep.username, rep.get_full_name()):
            if key:
                owners[" ".join(key.split()).lower()] = rep
    return owners


@dataclass
class FileStyle:
    """What a first read of the whole file tells about it."""

    rows: int
    date_orders: dict[str, str]
    number_style: str


def _scan(job: ImportJob) -> FileStyle:
    """Count the rows; tell day-first from month-first dates and "1.200,50" from "1,200.50" numbers."""
    table = table_open(job.file.path, job.original_name)
    dates = {target: table.headers.index(h) for h, target in job.mapping.items() if target in DATE_TARGETS}
    numbers = [table.headers.index(h) for h, target in job.mapping.items() if target and is_number_field(target)]
    date_samples: dict[str, list[str]] = {target: [] for target in dates}
    number_samples: list[str] = []
    count = 0
    for _, cells in table.rows:
        count += 1
        for target, position in dates.items():
            if position < len(cells) and cells[position].strip():
                date_samples[target].append(cells[position])
        number_samples += [cells[position] for position in numbers if position < len(cells)]
    return FileStyle(
        rows=count,
        date_orders={target: date_order(texts) for target, texts in date_samples.items()},
        number_style=number_style(number_samples, table.delimiter),
    )


def _checked_batches(job: ImportJob, style: FileStyle) -> Iterator[Checked]:
    """1. clean each row; 2. reject ids seen before in the file; 3. reject new customers without a name."""
    table = table_open(job.file.path, job.original_name)
    mapping = {table.headers.index(h): target for h, target in job.mapping.items() if target and h in table.headers}
    cleaner = RowCleaner(mapping, _owners(), style.date_orders, style.number_style)
    width = len(table.headers)
    first_line: dict[str, int] = {}
    rows = iter(table.rows)
    while chunk := list(islice(rows, BATCH)):
        batch = Checked(lines=len(chunk))
        lines = {}
        for line, cells in chunk:
            try:
                if any(cell.strip() for cell in cells[width:]):
                    raise RowError(f"{len(cells)} cells, but the header has {width} columns")
                values = cleaner.clean(cells)
                seen = first_line.setdefault(values["external_id"], line)
                if seen != line:
                    raise RowError(f"external id “{values['external_id']}” already appears on line {seen}")
            except RowError as error:
                batch.rejections.append([line, str(error)])
                continue
            batch.rows.append(values)
            lines[values["external_id"]] = line
        nameless = [row["external_id"] for row in batch.rows if "name" not in row]
        if nameless:
            known = set(Customer.objects.filter(external_id__in=nameless).values_list("external_id", flat=True))
            new = set(nameless) - known
            batch.rejections += [[lines[i], "a new customer needs a company name"] for i in nameless if i in new]
            batch.rows = [row for row in batch.rows if row["external_id"] not in new]
        batch.rejections.sort()
        yield batch


# --- Check and import ----------------------------------------------------------------------------


def import_analyse(*, job: ImportJob) -> ImportJob:
    """The dry run: count what the import would create, update, leave and reject. Writes no customer.

    The job's row stays locked while it runs (one transaction), so its number of rows is shown from the cache.
    A job another worker holds, or no longer being checked, is left alone.
    """
    with transaction.atomic():
        locked = _locked(job)
        if locked is None or locked.status != ImportStatus.ANALYSING:
            return locked or job
        job = locked
        try:
            style = _scan(job)
            total = style.rows
            progress_set(job, 0, rows_total=total)
            counts, rejections, done = UpsertResult(), [], 0
            for batch in _checked_batches(job, style):
                counts += customers_upsert(rows=batch.rows, user=None, source=ChangeSource.IMPORT, dry_run=True)
                rejections += batch.rejections
                done += batch.lines
                progress_set(job, done, rows_total=total)
        except TableError as error:
            return import_fail(job=job, message=str(error))
        job.rows_total = total
        job.analysis = {**_counts(counts), "rejected": len(rejections)}
        job.rejections = rejections[:REJECTIONS_KEPT]
        job.file_style = asdict(style)
        job.status = ImportStatus.ANALYSED
        job.save(update_fields=["rows_total", "analysis", "rejections", "file_style", "status"])
    return job


@transaction.atomic
def import_start(*, job: ImportJob, skip_invalid: bool, user: User | None) -> ImportJob:
    """Start the import of a checked file; only once, and only as the person chose for rejected rows."""
    rejected = job.analysis.get("rejected", 0)
    if rejected and not skip_invalid:
        raise ValidationError(
            f"{rejected} rows cannot be imported: choose to skip them, or fix the file and upload it again."
        )
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.ANALYSED).update(
        status=ImportStatus.IMPORTING, skip_invalid=skip_invalid
    )
    if not claimed:
        raise ImportConflict("This import has already started, or it is not checked yet.")
    job.refresh_from_db()
    progress_set(job, 0)
    job_send("customers.tasks.customer_import_commit", job.pk, waiting=IMPORT_WAITING)
    return job


class _Rejected(Exception):
    def __init__(self, rejections):
        self.rejections = rejections


def import_commit(*, job: ImportJob) -> ImportJob:
    """Import every valid row in one transaction, or nothing. Safe to run twice: a finished job is left alone.

    1. lock the job, and stop if another worker holds it or it is not importing (a second delivery of the task);
    2. clean and upsert the rows batch by batch, recording progress;
    3. with rejected rows the person did not choose to skip, roll everything back.
    """
    try:
        with transaction.atomic():
            locked = _locked(job)
            if locked is None or locked.status != ImportStatus.IMPORTING:
                return locked or job
            job = locked
            style = FileStyle(**job.file_style) if job.file_style else _scan(job)
            counts, rejections, done = UpsertResult(), [], 0
            for batch in _checked_batches(job, style):
                rejections += batch.rejections
                if not rejections or job.skip_invalid:
                    counts += customers_upsert(
                        rows=batch.rows, user=job.created_by, source=ChangeSource.IMPORT, source_ref=f"import {job.pk}"
                    )
                done += batch.lines
                progress_set(job, done)
            if rejections and not job.skip_invalid:
                raise _Rejected(rejections)
            job.rows_total = style.rows
            job.result = {**_counts(counts), "rejected": len(rejections)}
            job.rejections = rejections[:REJECTIONS_KEPT]
            job.status = ImportStatus.DONE
            job.finished_at = timezone.now()
            job.save()
    except _Rejected as rejected:
        count = len(rejected.rejections)
        message = f"{count} rows cannot be imported and skipping them was not chosen: nothing was imported."
        return import_fail(job=job, message=message, rejections=rejected.rejections)
    except TableError as error:
        return import_fail(job=job, message=f"{error} Nothing was imported.")
    return job


def _locked(job: ImportJob) -> ImportJob | None:
    """The job, locked until the transaction ends; None while another worker holds it (its check or import runs)."""
    return ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job.pk).first()


def imports_unheld() -> list[tuple[int, str]]:
    """(id, status) of the checks and imports under way that no worker holds: their task was never sent (Redis
    was down) or their worker died. A worker holds the job's row locked while it works on it."""
    with transaction.atomic():
        under_way = ImportJob.objects.select_for_update(skip_locked=True).filter(status__in=UNDER_WAY)
        return list(under_way.order_by("pk").values_list("pk", "status"))


def import_cancel(*, job: ImportJob, user: User | None) -> ImportJob:
    cancelled = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportStatus.UPLOADED, ImportStatus.ANALYSED, ImportStatus.FAILED]
    ).update(status=ImportStatus.CANCELLED, finished_at=timezone.now())
    if not cancelled:
        raise ImportConflict("This import is under way or finished; it can no longer be cancelled.")
    job.refresh_from_db()
    job.file.delete(save=False)
    return job


def import_fail(*, job: ImportJob, message: str, rejections: list | None = None) -> ImportJob:
    update = {"status": ImportStatus.FAILED, "error": message, "finished_at": timezone.now()}
    if rejections is not None:
        update["rejections"] = rejections[:REJECTIONS_KEPT]
        update["result"] = {"created": 0, "updated": 0, "unchanged": 0, "rejected": len(rejections)}
    ImportJob.objects.filter(pk=job.pk).update(**update)
    job.refresh_from_db()
    return job


def _counts(result: UpsertResult) -> dict[str, int]:
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}


# --- Progress (in the cache: the check's and the import's transactions hide their writes until the end) --------
# Only shown, never relied on: with the cache down (Redis), the check and the import go on without it.


def _progress_key(job: ImportJob) -> str:
    return f"customers:import:{job.pk}:progress"


def progress_set(job: ImportJob, rows_done: int, rows_total: int | None = None) -> None:
    try:
        cache.set(_progress_key(job), (rows_done, rows_total), PROGRESS_TIMEOUT)
    except REDIS_ERRORS:
        logger.warning("import %s: progress not recorded, the cache is unreachable", job.pk, exc_info=True)


def progress_get(job: ImportJob) -> tuple[int, int | None]:
    """(rows done, rows in the file if known) of the check or import under way; (0, None) when unknown."""
    try:
        progress = cache.get(_progress_key(job))
    except REDIS_ERRORS:
        logger.warning("import %s: progress unknown, the cache is unreachable", job.pk, exc_info=True)
        progress = None
    if isinstance(progress, int):  # kept by a release before the total was
        return progress, None
    return tuple(progress) if progress else (0, None)


def import_samples(job: ImportJob, count: int = 3) -> dict[str, list[str]]:
    """The first few values of each column, to help a person map it."""
    table = table_open(job.file.path, job.original_name)
    samples: dict[str, list[str]] = {header: [] for header in table.headers}
    for _, cells in islice(table.rows, count):
        for header, cell in zip(table.headers, cells, strict=False):
            if cell.strip():
                samples[header].append(" ".join(cell.split())[:60])
    return samples


def import_jobs_recent(limit: int = 20):
    return ImportJob.objects.select_related("created_by").filter(~Q(status=ImportStatus.CANCELLED))[:limit]
