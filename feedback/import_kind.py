"""The feedback answers import (imports.kinds): answers from another survey tool, checked on upload, then
imported in one go by the shared lifecycle (imports.services).

Columns are recognised by name: the customer (external id, or else domain), the score (0-10), a comment and the
date. A row's customer is found by its external id when it has one, else by its domain. One answer per customer
per day: an answer imported again (same customer, same day) is updated, not added, so the same file imported
twice changes nothing. Once written, each customer whose answers changed is refreshed (audited as this import,
re-scored after commit), and the comments' sentiment is computed by tasks after commit.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models.functions import Upper
from django.utils import timezone

from customers.models import ChangeSource, Customer
from imports.cleaning import RowError, columns_by_name, is_unknown, parse_date, parse_domain, parse_whole
from imports.kinds import Batch, Chunk, Counts, FileStyle, ImportKind, Writer
from imports.models import ImportJob

from .models import Response, ResponseSource
from .services.answers import COMMENT_MAX_LENGTH, customer_feedback_refresh, responses_sentiment_later

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


# --- Columns and rows ----------------------------------------------------------------------------


def columns_recognise(headers: list[str]) -> dict[str, str]:
    """Each recognised column (by its name in the file) -> what it fills; raises ValidationError when
    the file lacks the columns an answer needs."""
    columns = columns_by_name(headers, COLUMNS)
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


# --- Parser and writer ----------------------------------------------------------------------------


class AnswerRows:
    """1. parse each row; 2. find its customer; 3. reject a second answer of a customer on one day."""

    def __init__(self, job: ImportJob, headers: list[str], style: FileStyle):
        self.positions = {target: headers.index(header) for header, target in job.mapping.items() if header in headers}
        self.order = style.date_orders.get("date", "mdy")
        self.today = timezone.now().date()
        self.first_line: dict[tuple[int, datetime.date], int] = {}

    def __call__(self, chunk: Chunk) -> Batch:
        batch = Batch()
        parsed = []
        for line, cells in chunk:
            try:
                parsed.append((line, _parse(cells, self.positions, self.order, self.today)))
            except RowError as error:
                batch.rejections.append([line, str(error)])
        customers = _customers(parsed)
        for line, values in parsed:
            try:
                customer_id = _customer_of(values, customers)
                seen = self.first_line.setdefault((customer_id, values["date"]), line)
                if seen != line:
                    raise RowError(f"this customer's answer of {values['date'].isoformat()} is already on line {seen}")
            except RowError as error:
                batch.rejections.append([line, str(error)])
                continue
            answered_at = datetime.datetime.combine(values["date"], datetime.time(), tzinfo=datetime.UTC)
            batch.rows.append(Answer(line, customer_id, answered_at, values["score"], values["comment"]))
        return batch


class AnswerWriter(Writer):
    """Adds the new answers, updates the changed ones (their sentiment computed again), leaves the rest; once all
    are written, refreshes each customer whose answers changed."""

    def __init__(self, job: ImportJob, dry_run: bool):
        self.job = job
        self.dry_run = dry_run
        self.reference = f"feedback import {job.pk}"
        self.customers: set[int] = set()
        self.commented: list[int] = []

    def write(self, rows: list[Answer]) -> Counts:
        existing = _existing(rows)
        counts = Counts()
        new = []
        for answer in rows:
            kind = _kind(answer, existing)
            setattr(counts, kind, getattr(counts, kind) + 1)
            if self.dry_run or kind == "unchanged":
                continue
            self.customers.add(answer.customer_id)
            if kind == "created":
                new.append(
                    Response(
                        customer_id=answer.customer_id,
                        score=answer.score,
                        comment=answer.comment,
                        source=ResponseSource.IMPORT,
                        source_ref=self.reference,
                        answered_at=answer.answered_at,
                    )
                )
                continue
            response_id, _, old_comment = existing[(answer.customer_id, answer.answered_at)]
            update = {"score": answer.score, "comment": answer.comment, "source_ref": self.reference}
            if old_comment != answer.comment:
                update["sentiment"] = None
                self.commented.append(response_id)
            Response.objects.filter(pk=response_id).update(**update, updated_at=timezone.now())
        if new:
            Response.objects.bulk_create(new)
            self.commented += [response.pk for response in new if response.comment]
        return counts

    def finish(self) -> None:
        for customer in Customer.objects.filter(pk__in=self.customers).order_by("pk"):
            customer_feedback_refresh(
                customer=customer, user=self.job.created_by, source=ChangeSource.IMPORT, source_ref=self.reference
            )
        responses_sentiment_later(response_ids=self.commented)


class AnswerImport(ImportKind):
    name = "feedback-answers"
    label = "answers"
    title = "Import answers from another survey tool"
    upload_help = (
        "A CSV or Excel file with a column for the customer (external_id, or else domain), the score (0-10), the "
        "date and optionally a comment. It is checked first; nothing is imported until you say so."
    )
    upload_field_help = "Columns: the customer's external id (or its domain), score, comment, date."
    nav_template = "feedback/tabs.html"
    back_url = "feedback:surveys"
    back_label = "Feedback"
    done_url = "feedback:responses"
    done_label = "See the answers"
    date_targets = frozenset({"date"})
    check_at_upload = True

    def columns(self, headers):
        return columns_recognise(headers)

    def parser(self, *, job, headers, style):
        return AnswerRows(job, headers, style)

    def writer(self, *, job, dry_run):
        return AnswerWriter(job, dry_run)
