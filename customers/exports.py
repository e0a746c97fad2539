"""Streamed exports of customers to CSV and Excel (the building blocks serve the lead exports too).

Rows flow from the database cursor to the response a chunk at a time, so a
million-row export never holds its rows in memory:

1. ``export_rows`` reads a queryset with ``values_list(...).iterator(chunk_size)``
   inside a transaction (on PostgreSQL a plain server-side cursor, which the
   database does not materialise first);
2. ``csv_chunks`` turns rows into CSV bytes, a few hundred rows per chunk (on PostgreSQL the
   customers' CSV is written by the database instead: ``csv_copy.py``);
   ``xlsx_chunks`` writes them into a workbook whose zipped bytes leave as
   they are written (``spreadsheet.py``);
3. ``streamed_download`` sends the chunks as an attachment.

Text that a spreadsheet would run as a formula is neutralised with a leading
apostrophe; numbers, dates and booleans stay typed.
"""

import csv
import datetime
import decimal
import io
import json
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import transaction
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .spreadsheet import xlsx_stream

# (column header, values_list lookup). Headers are the field names, so a file exported here
# can be imported back.
COLUMNS = [
    ("id", "id"),
    ("external_id", "external_id"),
    ("name", "name"),
    ("domain", "domain"),
    ("industry", "industry"),
    ("country", "country"),
    ("region", "region"),
    ("city", "city"),
    ("employees", "employees"),
    ("annual_revenue", "annual_revenue"),
    ("contact_titles", "contact_titles"),
    ("lifecycle_stage", "lifecycle_stage"),
    ("owner", "owner__username"),
    ("crm_created_on", "crm_created_on"),
    ("closed_on", "closed_on"),
    ("deal_outcome", "deal_outcome"),
    ("sales_cycle_days", "sales_cycle_days"),
    ("clv", "clv"),
    ("tenure_months", "tenure_months"),
    ("active_days_30d", "active_days_30d"),
    ("features_used", "features_used"),
    ("website_visits_30d", "website_visits_30d"),
    ("email_opens_30d", "email_opens_30d"),
    ("email_clicks_30d", "email_clicks_30d"),
    ("social_engagements_30d", "social_engagements_30d"),
    ("referrals_made", "referrals_made"),
    ("has_case_study", "has_case_study"),
    ("has_public_review", "has_public_review"),
    ("is_prominent_brand", "is_prominent_brand"),
    ("nps", "nps"),
    ("sentiment", "sentiment"),
    ("extra", "extra"),
    ("updated_at", "updated_at"),
]
HEADER = tuple(header for header, _ in COLUMNS)
LOOKUPS = tuple(lookup for _, lookup in COLUMNS)
CHUNK_SIZE = 2_000
CSV_ROWS_PER_CHUNK = 500
# Excel's last row is 1,048,576; one of them is the header.
XLSX_MAX_ROWS = 1_048_575
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_rows(
    queryset: QuerySet, *, lookups: tuple[str, ...] = LOOKUPS, chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple]:
    """The ``lookups`` (by default the customer export's columns) of ``queryset``, in its order,
    read a chunk at a time."""
    rows = queryset.values_list(*lookups)
    # Outside a transaction Django declares PostgreSQL cursors WITH HOLD, which
    # makes the server compute every row before the first one is fetched.
    with transaction.atomic():
        yield from rows.iterator(chunk_size=chunk_size)


def neutralise(value):
    """Text a spreadsheet would read as a formula gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value):
    """One exported value: typed where a spreadsheet has the type, safe text otherwise."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    return neutralise(value)


def _csv_text(value) -> str:
    value = _cell(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def csv_header(header: tuple[str, ...]) -> bytes:
    """The CSV's first line, after a byte order mark (so Excel reads accents)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(header)
    return ("\ufeff" + buffer.getvalue()).encode()


def csv_chunks(
    rows: Iterable[tuple], *, header: tuple[str, ...] = HEADER, rows_per_chunk: int = CSV_ROWS_PER_CHUNK
) -> Iterator[bytes]:
    """CSV bytes (UTF-8 with a byte order mark, so Excel reads accents): the header, then rows in chunks."""
    yield csv_header(header)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    rows = iter(rows)
    while batch := list(islice(rows, rows_per_chunk)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_csv_text(value) for value in row] for row in batch)
        yield buffer.getvalue().encode()


# Types written as they are: checked by exact type first, as most cells are one of them.
XLSX_AS_IS = frozenset({type(None), bool, int, float, decimal.Decimal, datetime.date})


def xlsx_value(value):
    if type(value) in XLSX_AS_IS:
        return value
    value = _cell(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        # Excel has no time zones: write UTC.
        return value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value


def xlsx_chunks(
    rows: Iterable[tuple], *, header: tuple[str, ...] = HEADER, sheet_title: str = "Customers"
) -> Iterator[bytes]:
    """An Excel workbook of ``rows`` (at most XLSX_MAX_ROWS), its bytes sent as they are written."""
    values = ([xlsx_value(value) for value in row] for row in islice(rows, XLSX_MAX_ROWS))
    return xlsx_stream(values, header=header, sheet_title=sheet_title)


def streamed_download(chunks: Iterator[bytes], *, name: str, extension: str) -> StreamingHttpResponse:
    """The chunks as a file to save, named ``<name>-<local date and time>.<extension>``; never cached."""
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[extension])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response
