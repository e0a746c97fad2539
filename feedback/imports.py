"""Importing answers from another survey tool: a CSV or Excel file, checked on upload, then imported in one go.

The file is read with the customer import's reader (``customers.tabular``) and
its cells with its cleaning helpers (``customers.cleaning``). Columns are
recognised by name: the customer (external id, or else domain), the score
(0-10), a comment and the date. A row's customer is found by its external id
when it has one, else by its domain. One answer per customer per day: an
answer imported again (same customer, same day) is updated, not added, so the
same file imported twice changes nothing.

The check (on upload) and the import read and judge the rows the same way. The
import is one transaction in a task: every valid row, or nothing. The task holds
the import's row locked while it runs; an import left importing and unlocked (its
task never sent, or its worker killed) is sent again (``feedback_imports_unheld``).
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone

from customers.cleaning import RowError, column_key, date_order, is_unknown, parse_date, parse_domain, parse_whole
from customers.imports import ImportConflict  # one error for "this import moved on already", both imports
from customers.models import ChangeSource, Customer
from customers.tabular import TableError, table_check, table_open
from ops.jobs import job_send
from teams.models import User

from .models import FeedbackImport, ImportStatus, Response, ResponseSource
from .services import COMMENT_MAX_LENGTH, customer_feedback_refresh, responses_sentiment_later

BATCH = 1_000
REJECTIONS_KEPT = 500
IMPORT_WAITING = "The import of the answers starts by itself when it is back."

# Normalised column name -> what it fills.
COLUMNS = {
    **dict.fromkeys(
        ["external id", "customer external id", "customer id", "record id", "account id", "crm id", "company id"],
        "external_id",
    ),
    **dict.fromkeys(
        ["domain", "customer domain", "company domain", "company domain name", "website", "website url"], "domain"
    ),
    **dict.fromkeys(
        [
            "score",
            "nps",
            "nps score",
            "net promoter score",
            "rating",
            "likelihood to recommend",
            "how likely are you to recommend us",
        ],
        "score",
    ),
    **dict.fromkeys(
        ["comment", "comments", "feedback", "reason", "verbatim", "why", "text", "answer", "open answer"], "comment"
    ),
    **dict.fromkeys(
        [
            "date",
            "answered at",
            "answered on",
            "submitted at",
            "submitted on",
            "submitted",
            "response date",
            "completed at",
            "created at",
            "timestamp",
        ],
        "date",
    ),
}
TARGET_LABELS = {
    "external_id": "external id",
    "domain": "domain",
    "score": "score",
    "comment": "comment",
    "date": "date",
}


# --- Reading the file ----------------------------------------------------------------------------


def columns_recognise(headers: list[str]) -> dict[str, str]:
    """Each recognised column (by its name in the file) -> what it fills; raises ValidationError when
    the file lacks the columns an answer needs."""
    columns: dict[str, str] = {}
    for header in headers:
        target = COLUMNS.get(column_key(header))
        if target and target not in columns.values():
            columns[header] = target
    found = set(columns.values())
    problems = []
    if not found & {"external_id", "domain"}:
        problems.append("a column with the customer's external id (“external_id”) or its domain (“domain”)")
    if "score" not in found:
        problems.append("a column with the score 0-10 (“score” or “nps”)")
    if "date" not in found:
        problems.append("a column with the date of the answer (“date”)")
    if problems:
        raise ValidationError(f"The file needs {'; '.join(problems)}. Its columns: {', '.join(headers)}.")
    return columns


@dataclass(frozen=True)
class Answer:
    line: int
    customer_id: int
    answered_at: datetime.datetime
    score: int
    comment: str


@dataclass
class Checked:
    """One batch of rows: the answers that can be imported, how each compares with what is stored, and the rest."""

    answers: list[Answer] = field(default_factory=list)
    existing: dict[tuple[int, datetime.datetime], tuple[int, int, str]] = field(default_factory=dict)
    rejections: list[list] = field(default_factory=list)  # [line, reason], as JSON keeps them


def _positions(job: FeedbackImport, headers: list[str]) -> dict[str, int]:
    return {target: headers.index(header) for header, target in job.columns.items() if header in headers}


def _date_order(job: FeedbackImport) -> str:
    table = table_open(job.file.path, job.original_name)
    position = _positions(job, table.headers)["date"]
    return date_order(cells[position] for _, cells in table.rows if position < len(cells))


def _checked_batches(job: FeedbackImport) -> Iterator[Checked]:
    """1. parse each row; 2. find its customer; 3. reject a second answer of a customer on one day."""
    order = _date_order(job)
    table = table_open(job.file.path, job.original_name)
    positions = _positions(job, table.headers)
    today = timezone.now().date()
    first_line: dict[tuple[int, datetime.date], int] = {}
    rows = iter(table.rows)
    while chunk := list(islice(rows, BATCH)):
        batch = Checked()
        parsed = []
        for line, cells in chunk:
            try:
                parsed.append((line, _parse(cells, positions, order, today)))
            except RowError as error:
                batch.rejections.append([line, str(error)])
        customers = _customers(parsed)
        for line, values in parsed:
            try:
                customer_id = _customer_of(values, customers)
                key = (customer_id, values["date"])
                seen = first_line.setdefault(key, line)
                if seen != line:
                    raise RowError(f"this customer's answer of {values['date'].isoformat()} is already on line {seen}")
            except RowError as error:
                batch.rejections.append([line, str(error)])
                continue
            answered_at = datetime.datetime.combine(values["date"], datetime.time(), tzinfo=datetime.UTC)
            batch.answers.append(Answer(line, customer_id, answered_at, values["score"], values["comment"]))
        batch.existing = _existing(batch.answers)
        batch.rejections.sort()
        yield batch


def _cell(cells: list[str], positions: dict[str, int], target: str) -> str:
    position = positions.get(target)
    return cells[position] if position is not None and position < len(cells) else ""


def _parse(cells: list[str], positions: dict[str, int], order: str, today: datetime.date) -> dict:
    values = {"external_id": _cell(cells, positions, "external_id").strip()}
    values["domain"] = parse_domain(_cell(cells, positions, "domain"))
    if is_unknown(values["external_id"]) and not values["domain"]:
        raise RowError("no customer: the external id and the domain are both empty")
    text = _cell(cells, positions, "score")
    try:
        score = parse_whole(text)
    except RowError as error:
        raise RowError(f"score: {error}") from None
    if score is None:
        raise RowError("no score")
    if not 0 <= score <= 10:
        raise RowError(f"score: {score} is not between 0 and 10")
    values["score"] = score
    try:
        answered_on = parse_date(_cell(cells, positions, "date"), order)
    except RowError as error:
        raise RowError(f"date: {error}") from None
    if answered_on is None:
        raise RowError("no date")
    if answered_on > today:
        raise RowError(f"date: {answered_on.isoformat()} is in the future")
    values["date"] = answered_on
    comment = _cell(cells, positions, "comment").strip()
    if is_unknown(comment):
        comment = ""
    if len(comment) > COMMENT_MAX_LENGTH:
        raise RowError(f"comment: longer than {COMMENT_MAX_LENGTH} characters")
    values["comment"] = comment
    return values


@dataclass
class _Customers:
    by_external_id: dict[str, int]
    by_domain: dict[str, list[int]]


def _customers(parsed: list[tuple[int, dict]]) -> _Customers:
    """The customers a batch names, by external id and by (upper-cased) domain, in two queries."""
    external_ids = {values["external_id"] for _, values in parsed if not is_unknown(values["external_id"])}
    domains = {values["domain"].upper() for _, values in parsed if values["domain"]}
    by_external_id = dict(Customer.objects.filter(external_id__in=external_ids).values_list("external_id", "pk"))
    by_domain: dict[str, list[int]] = {}
    if domains:
        found = Customer.objects.annotate(domain_upper=Upper("domain")).filter(domain_upper__in=domains)
        for domain, customer_id in found.values_list("domain_upper", "pk")[: len(domains) * 5]:
            by_domain.setdefault(domain, []).append(customer_id)
    return _Customers(by_external_id, by_domain)


def _customer_of(values: dict, customers: _Customers) -> int:
    external_id = values["external_id"]
    if not is_unknown(external_id):
        if external_id not in customers.by_external_id:
            raise RowError(f"no customer with external id “{external_id}”")
        return customers.by_external_id[external_id]
    matches = customers.by_domain.get(values["domain"].upper(), [])
    if not matches:
        raise RowError(f"no customer with domain “{values['domain']}”")
    if len(matches) > 1:
        raise RowError(f"domain “{values['domain']}” belongs to several customers: give the external id")
    return matches[0]


def _existing(answers: list[Answer]) -> dict[tuple[int, datetime.datetime], tuple[int, int, str]]:
    """The answers imported before for the same customers and days: (customer, answered_at) -> (id, score, comment)."""
    if not answers:
        return {}
    rows = Response.objects.filter(
        source=ResponseSource.IMPORT,
        customer_id__in={answer.customer_id for answer in answers},
        answered_at__in={answer.answered_at for answer in answers},
    ).values_list("customer_id", "answered_at", "pk", "score", "comment")
    return {(customer_id, answered_at): (pk, score, comment) for customer_id, answered_at, pk, score, comment in rows}


def _kind(answer: Answer, existing: dict) -> str:
    stored = existing.get((answer.customer_id, answer.answered_at))
    if stored is None:
        return "created"
    return "unchanged" if stored[1:] == (answer.score, answer.comment) else "updated"


# --- Check, start and import ----------------------------------------------------------------------


def feedback_import_check(*, file: File, name: str, user: User | None) -> FeedbackImport:
    """Keep the uploaded file and check it (a dry run): count what the import would do, list the rejected rows."""
    if file.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(f"The file is larger than {settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB: split it.")
    try:
        table_check(file, name)
    except TableError as error:
        raise ValidationError(str(error)) from None
    job = FeedbackImport(created_by=user, original_name=Path(name).name[:255])
    job.file.save(Path(name).name, file, save=False)
    try:
        job.columns = columns_recognise(table_open(job.file.path, name).headers)
        counts, rejections = {"created": 0, "updated": 0, "unchanged": 0}, []
        for batch in _checked_batches(job):
            for answer in batch.answers:
                counts[_kind(answer, batch.existing)] += 1
            rejections += batch.rejections
    except TableError as error:
        job.file.delete(save=False)
        raise ValidationError(str(error)) from None
    except ValidationError:
        job.file.delete(save=False)
        raise
    job.analysis = {**counts, "rejected": len(rejections)}
    job.rejections = rejections[:REJECTIONS_KEPT]
    job.save()
    return job


@transaction.atomic
def feedback_import_start(*, job: FeedbackImport, skip_invalid: bool, user: User | None) -> FeedbackImport:
    """Start the import of a checked file: once, and only as the person chose for the rejected rows."""
    rejected = job.analysis.get("rejected", 0)
    if rejected and not skip_invalid:
        raise ValidationError(
            f"{rejected} rows cannot be imported: choose to skip them, or fix the file and upload it again."
        )
    claimed = FeedbackImport.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.IMPORTING, skip_invalid=skip_invalid
    )
    if not claimed:
        raise ImportConflict("This import has already started.")
    job.refresh_from_db()
    job_send("feedback.tasks.feedback_import_commit", job.pk, waiting=IMPORT_WAITING)
    return job


class _Rejected(Exception):
    def __init__(self, rejections):
        self.rejections = rejections


def feedback_import_commit(*, job: FeedbackImport) -> FeedbackImport:
    """Import every valid row in one transaction, or nothing. A finished import is left alone (a task run twice).

    1. lock the import; stop if another worker holds it or it is not importing;
    2. judge the rows again (the base may have changed since the check), write each batch's answers;
    3. with rejected rows the person did not choose to skip, roll everything back;
    4. refresh each customer whose answers changed (audited as this import, re-scored after commit);
       the comments' sentiment is computed by tasks after commit.
    """
    try:
        with transaction.atomic():
            locked = FeedbackImport.objects.select_for_update(skip_locked=True).filter(pk=job.pk).first()
            if locked is None or locked.status != ImportStatus.IMPORTING:
                return locked or job
            job = locked
            counts, rejections = {"created": 0, "updated": 0, "unchanged": 0}, []
            customers: set[int] = set()
            commented: list[int] = []
            for batch in _checked_batches(job):
                rejections += batch.rejections
                if rejections and not job.skip_invalid:
                    raise _Rejected(rejections)
                _write(job, batch, counts, customers, commented)
            reference = f"feedback import {job.pk}"
            for customer in Customer.objects.filter(pk__in=customers).order_by("pk"):
                customer_feedback_refresh(
                    customer=customer, user=job.created_by, source=ChangeSource.IMPORT, source_ref=reference
                )
            responses_sentiment_later(response_ids=commented)
            job.result = {**counts, "rejected": len(rejections)}
            job.rejections = rejections[:REJECTIONS_KEPT]
            job.status = ImportStatus.DONE
            job.finished_at = timezone.now()
            job.save()
    except _Rejected as rejected:
        count = len(rejected.rejections)
        message = f"{count} rows cannot be imported and skipping them was not chosen: nothing was imported."
        return feedback_import_fail(job=job, message=message, rejections=rejected.rejections)
    except TableError as error:
        return feedback_import_fail(job=job, message=f"{error} Nothing was imported.")
    return job


def _write(job: FeedbackImport, batch: Checked, counts: dict, customers: set[int], commented: list[int]) -> None:
    reference = f"feedback import {job.pk}"
    new = []
    for answer in batch.answers:
        kind = _kind(answer, batch.existing)
        counts[kind] += 1
        if kind == "unchanged":
            continue
        customers.add(answer.customer_id)
        if kind == "created":
            new.append(
                Response(
                    customer_id=answer.customer_id,
                    score=answer.score,
                    comment=answer.comment,
                    source=ResponseSource.IMPORT,
                    source_ref=reference,
                    answered_at=answer.answered_at,
                )
            )
            continue
        response_id, _, old_comment = batch.existing[(answer.customer_id, answer.answered_at)]
        update = {"score": answer.score, "comment": answer.comment, "source_ref": reference}
        if old_comment != answer.comment:
            update["sentiment"] = None
            commented.append(response_id)
        Response.objects.filter(pk=response_id).update(**update, updated_at=timezone.now())
    Response.objects.bulk_create(new)
    commented += [response.pk for response in new if response.comment]


def feedback_import_fail(*, job: FeedbackImport, message: str, rejections: list | None = None) -> FeedbackImport:
    update = {"status": ImportStatus.FAILED, "error": message, "finished_at": timezone.now()}
    if rejections is not None:
        update["rejections"] = rejections[:REJECTIONS_KEPT]
        update["result"] = {"created": 0, "updated": 0, "unchanged": 0, "rejected": len(rejections)}
    FeedbackImport.objects.filter(pk=job.pk).update(**update)
    job.refresh_from_db()
    return job


def feedback_imports_unheld() -> list[int]:
    """The imports under way that no worker holds: their task was never sent (Redis was down) or its worker died."""
    with transaction.atomic():
        importing = FeedbackImport.objects.select_for_update(skip_locked=True).filter(status=ImportStatus.IMPORTING)
        return list(importing.order_by("pk").values_list("pk", flat=True))


def feedback_imports_recent(limit: int = 20):
    return FeedbackImport.objects.select_related("created_by")[:limit]
