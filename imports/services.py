"""The life of an import, whatever its kind: upload, map the columns, check (a dry run), claim, commit, fail,
cancel, and resend what no worker holds.

The check and the import read the file the same way and count with the same writer (the check with
``dry_run``), so what the check announces is what the import does, unless the data changed in between. The
import is one transaction: every valid row, or nothing. Imports of the same kind commit one at a time (a lock
their transactions hold, ops.locks), so two files bringing the same new rows both succeed.

The check and the import run in the worker (a kind may check on upload, in the request), each holding the
job's row locked while it runs. A worker killed midway leaves the job checking or importing, its transaction
rolled back and the row unlocked: ``imports_unheld`` finds it, and the periodic resend (and every worker that
starts) sends its task again. A second delivery of a task leaves alone a job that is locked or finished.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from ops.jobs import job_send
from ops.locks import lock_for_transaction
from ops.text import text_problem
from teams.models import User

from .cleaning import date_order, number_style
from .kinds import Batch, Counts, FileStyle, ImportKind, import_kind
from .models import ImportJob, ImportStatus
from .progress import progress_set
from .tabular import TableError, table_check, table_open

BATCH = 1_000
REJECTIONS_KEPT = 500
UNDER_WAY = (ImportStatus.ANALYSING, ImportStatus.IMPORTING)
# What waits when the task cannot be sent (Redis down): see ops.outages.
CHECK_WAITING = "The check of the file starts by itself when it is back."
IMPORT_WAITING = "The import starts by itself when it is back."
CHECK_TASK = "imports.tasks.import_check_run"
COMMIT_TASK = "imports.tasks.import_commit_run"


class ImportConflict(Exception):
    """The import is not in a state that allows this step (it started already, say)."""


# --- Upload and mapping ---------------------------------------------------------------------


def import_upload(*, kind: str, file: File, name: str, user: User | None) -> ImportJob:
    """Keep an uploaded file and read its header. Then, by the kind: wait for a person to map the columns, check
    the file here and now, or send its check to the worker. A file that cannot be used leaves nothing behind."""
    definition = import_kind(kind)
    if file.size > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"The file is larger than {limit} MB: split it, or import it from the command line.")
    try:
        table_check(file, name)
    except TableError as error:
        raise ValidationError(str(error)) from None
    job = ImportJob(kind=kind, created_by=user, original_name=Path(name).name[:255])
    job.file.save(Path(name).name, file, save=False)
    try:
        with transaction.atomic():
            job.headers = table_open(job.file.path, name).headers
            job.mapping = definition.columns(job.headers)
            job.save()
            if not definition.mapping_step:
                job = _check_start(job, send=not definition.check_at_upload)
            if definition.check_at_upload:
                job = import_check(job=job)
                if job.status == ImportStatus.FAILED:
                    raise ValidationError(job.error)
    except TableError as error:
        job.file.delete(save=False)
        raise ValidationError(str(error)) from None
    except ValidationError:
        job.file.delete(save=False)
        raise
    except BaseException:  # a crash, or the request cut short: nothing of the refused upload stays behind
        job.file.delete(save=False)
        raise
    return job


@transaction.atomic
def import_map(*, job: ImportJob, mapping: dict[str, str], user: User | None) -> ImportJob:
    """Save the column mapping a person chose, let the kind remember it, and start the check."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.ANALYSED):
        raise ImportConflict("This import is already under way; its columns can no longer change.")
    kind = import_kind(job.kind)
    job.mapping = kind.mapping_check(mapping, job.headers)
    kind.mapping_remember(job.mapping, user)
    return _check_start(job, send=True)


def _check_start(job: ImportJob, *, send: bool) -> ImportJob:
    job.status = ImportStatus.ANALYSING
    job.analysis, job.rejections, job.error = {}, [], ""
    job.save()
    progress_set(job, 0)
    if send:
        job_send(CHECK_TASK, job.pk, waiting=CHECK_WAITING)
    return job


# --- Reading rows ---------------------------------------------------------------------------------


def _scan(job: ImportJob, kind: ImportKind) -> FileStyle:
    """Count the rows; tell day-first from month-first dates and "1.200,50" from "1,200.50" numbers."""
    table = table_open(job.file.path, job.original_name)
    mapped = [(table.headers.index(h), target) for h, target in job.mapping.items() if target and h in table.headers]
    dates = {target: position for position, target in mapped if target in kind.date_targets}
    numbers = [position for position, target in mapped if kind.is_number(target)]
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


def _batches(job: ImportJob, kind: ImportKind, style: FileStyle) -> Iterator[tuple[int, Batch]]:
    """(rows read, the kind's judgement of them) for each batch of the file."""
    table = table_open(job.file.path, job.original_name)
    parse = kind.parser(job=job, headers=table.headers, style=style)
    mapped = [(position, header) for position, header in enumerate(table.headers) if job.mapping.get(header)]
    rows = iter(table.rows)
    while chunk := list(islice(rows, BATCH)):
        refused = [[line, reason] for line, cells in chunk if (reason := _text_refused(cells, mapped))]
        refused_lines = {line for line, _ in refused}
        batch = parse([(line, cells) for line, cells in chunk if line not in refused_lines] if refused else chunk)
        batch.rejections += refused
        batch.rejections.sort()
        yield len(chunk), batch


def _text_refused(cells: list[str], mapped: list[tuple[int, str]]) -> str | None:
    """Why a row's mapped cells are refused by the rule every way in applies to text (ops.text), or None."""
    for position, header in mapped:
        if position < len(cells) and (problem := text_problem(cells[position])):
            return f"{header}: {problem}"
    return None


# --- Check and import ----------------------------------------------------------------------------


def import_check(*, job: ImportJob) -> ImportJob:
    """The dry run: count what the import would create, update, leave and reject. Writes nothing else.

    The job's row stays locked while it runs (one transaction), so its number of rows is shown from the cache.
    A job another worker holds, or no longer being checked, is left alone.
    """
    kind = import_kind(job.kind)
    with transaction.atomic():
        locked = _locked(job)
        if locked is None or locked.status != ImportStatus.ANALYSING:
            return locked or job
        job = locked
        try:
            style = _scan(job, kind)
            progress_set(job, 0, rows_total=style.rows)
            writer = kind.writer(job=job, dry_run=True)
            counts, rejections, matched, done = Counts(), [], Counter(), 0
            for lines, batch in _batches(job, kind, style):
                counts += writer.write(batch.rows)
                rejections += batch.rejections
                matched.update(batch.matched)
                done += lines
                progress_set(job, done, rows_total=style.rows)
        except TableError as error:
            return import_fail(job=job, message=str(error))
        job.rows_total = style.rows
        job.analysis = {**counts.as_dict(), "rejected": len(rejections), **_matched(matched)}
        job.rejections = rejections[:REJECTIONS_KEPT]
        job.file_style = asdict(style)
        job.status = ImportStatus.ANALYSED
        job.save(update_fields=["rows_total", "analysis", "rejections", "file_style", "status"])
    return job


@transaction.atomic
def import_start(*, job: ImportJob, skip_invalid: bool, user: User | None) -> ImportJob:
    """Claim a checked import and send it to the worker: only once, and only as the person chose for the
    rejected rows."""
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
    job_send(COMMIT_TASK, job.pk, waiting=IMPORT_WAITING)
    return job


class _Rejected(Exception):
    def __init__(self, rejections):
        self.rejections = rejections


def import_commit(*, job: ImportJob) -> ImportJob:
    """Import every valid row in one transaction, or nothing. Safe to run twice: a finished job is left alone.

    1. lock the job, and stop if another worker holds it or it is not importing (a second delivery of the task);
       then wait for any other import of the same kind to commit: two files bringing the same new rows would
       otherwise both create them, and the second fail on the first's unique keys. Once it waits no more, it
       reads what the first wrote, so it updates those rows (the later import's values stay);
    2. judge the rows again (the data may have changed since the check) and write them batch by batch,
       recording progress;
    3. with rejected rows the person did not choose to skip, roll everything back;
    4. let the writer finish (what follows from the rows as a whole), still in the transaction.
    """
    kind = import_kind(job.kind)
    try:
        with transaction.atomic():
            locked = _locked(job)
            if locked is None or locked.status != ImportStatus.IMPORTING:
                return locked or job
            job = locked
            lock_for_transaction(f"imports:{job.kind}")
            style = FileStyle(**job.file_style) if job.file_style else _scan(job, kind)
            writer = kind.writer(job=job, dry_run=False)
            counts, rejections, matched, done = Counts(), [], Counter(), 0
            for lines, batch in _batches(job, kind, style):
                rejections += batch.rejections
                matched.update(batch.matched)
                if not rejections or job.skip_invalid:
                    counts += writer.write(batch.rows)
                done += lines
                progress_set(job, done)
            if rejections and not job.skip_invalid:
                raise _Rejected(rejections)
            writer.finish()
            job.rows_total = style.rows
            job.result = {**counts.as_dict(), "rejected": len(rejections), **_matched(matched)}
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


def _matched(matched: Counter) -> dict:
    """How many rows each of the kind's rules matched, when it says: [["by domain", 12], ...], in the order first
    met (a list: JSON objects in PostgreSQL keep no order)."""
    return {"matched": [[rule, count] for rule, count in matched.items()]} if matched else {}


def _locked(job: ImportJob) -> ImportJob | None:
    """The job, locked until the transaction ends; None while another worker holds it (its check or import runs)."""
    return ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job.pk).first()


def import_fail(*, job: ImportJob, message: str, rejections: list | None = None) -> ImportJob:
    update = {"status": ImportStatus.FAILED, "error": message, "finished_at": timezone.now()}
    if rejections is not None:
        update["rejections"] = rejections[:REJECTIONS_KEPT]
        update["result"] = {**Counts().as_dict(), "rejected": len(rejections)}
    ImportJob.objects.filter(pk=job.pk).update(**update)
    job.refresh_from_db()
    if job.file:  # a failed import is over: its file goes, once the failure is recorded for good
        transaction.on_commit(lambda stored=job.file: stored.delete(save=False))
    return job


def import_cancel(*, job: ImportJob, user: User | None) -> ImportJob:
    cancelled = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportStatus.UPLOADED, ImportStatus.ANALYSED, ImportStatus.FAILED]
    ).update(status=ImportStatus.CANCELLED, finished_at=timezone.now())
    if not cancelled:
        raise ImportConflict("This import is under way or finished; it can no longer be cancelled.")
    job.refresh_from_db()
    job.file.delete(save=False)
    return job


def import_check_now(*, job: ImportJob) -> ImportJob:
    """Check an uploaded file here and now, not in a worker (the command line, benchmarks)."""
    claimed = ImportJob.objects.filter(pk=job.pk, status__in=[ImportStatus.UPLOADED, ImportStatus.ANALYSED]).update(
        status=ImportStatus.ANALYSING
    )
    if not claimed:
        raise ImportConflict("This import is under way or finished; it cannot be checked again.")
    job.refresh_from_db()
    return import_check(job=job)


def import_commit_now(*, job: ImportJob, skip_invalid: bool) -> ImportJob:
    """Import a checked file here and now, not in a worker (the command line, benchmarks)."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.ANALYSED).update(
        status=ImportStatus.IMPORTING, skip_invalid=skip_invalid
    )
    if not claimed:
        raise ImportConflict("This import has already started, or it is not checked yet.")
    job.refresh_from_db()
    return import_commit(job=job)


def imports_unheld() -> list[tuple[int, str]]:
    """(id, status) of the checks and imports under way that no worker holds: their task was never sent (Redis
    was down) or their worker died. A worker holds the job's row locked while it works on it."""
    with transaction.atomic():
        under_way = ImportJob.objects.select_for_update(skip_locked=True).filter(status__in=UNDER_WAY)
        return list(under_way.order_by("pk").values_list("pk", "status"))
