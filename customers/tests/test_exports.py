import csv
import datetime
import decimal
import io
import itertools
import tracemalloc

import openpyxl
import pytest

from customers.exports import HEADER, csv_chunks, export_rows, neutralise, xlsx_chunks
from customers.models import Customer
from customers.tests.factories import CustomerFactory

ROW = (7, "CRM-7", "Northwind", "nw.example", "Software", "France", "EMEA", "Paris", 250, 40_000_000, "CFO")
ROW += ("customer", "rep", datetime.date(2025, 1, 31), None, "won", 30, 120_000, 18, 12, 4, 9, 3, 1, 0, 2)
ROW += (
    True,
    False,
    None,
    9,
    -40,
    {"segment": "enterprise"},
    datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
)


def _csv(chunks) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))


def _xlsx(chunks) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(chunks)), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Northwind = best", "Northwind = best"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_it_neutralises_text_that_a_spreadsheet_would_run(value, expected):
    assert neutralise(value) == expected


def test_it_writes_csv_with_a_header_and_typed_values():
    rows = _csv(csv_chunks([ROW]))

    assert rows[0] == list(HEADER)
    record = dict(zip(HEADER, rows[1], strict=True))
    assert record["employees"] == "250"
    assert record["crm_created_on"] == "2025-01-31"
    assert record["closed_on"] == ""
    assert record["has_case_study"] == "true"
    assert record["is_prominent_brand"] == ""
    assert record["sentiment"] == "-40"
    assert record["extra"] == '{"segment": "enterprise"}'
    assert record["updated_at"] == "2026-01-02T03:04:05+00:00"


def test_it_writes_xlsx_that_reads_back_with_numbers_as_numbers():
    dangerous = ("=1+1", "-10", "@x")
    row = ROW[:2] + dangerous + ROW[5:]

    header, record = _xlsx(xlsx_chunks([row]))

    assert header == HEADER
    values = dict(zip(HEADER, record, strict=True))
    assert (values["name"], values["domain"], values["industry"]) == ("'=1+1", "'-10", "'@x")
    assert values["employees"] == 250
    assert values["annual_revenue"] == 40_000_000
    assert values["has_case_study"] is True
    assert values["is_prominent_brand"] is None
    assert values["crm_created_on"] == datetime.datetime(2025, 1, 31)
    assert values["updated_at"] == datetime.datetime(2026, 1, 2, 3, 4, 5)


def test_it_streams_csv_without_reading_every_row_first():
    endless = itertools.repeat(ROW)  # an export that read all its rows first would never return

    chunks = csv_chunks(endless, rows_per_chunk=100)
    header, first, second = next(chunks), next(chunks), next(chunks)

    assert header.decode("utf-8-sig").startswith("id,external_id")
    assert first.count(b"\n") == second.count(b"\n") == 100


def _peak_memory(function) -> int:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_it_builds_an_xlsx_in_memory_that_does_not_grow_with_the_rows():
    def export(count):
        rows = ((n, f"CRM-{n}", f"Customer {n}", *ROW[3:]) for n in range(count))
        return lambda: sum(len(chunk) for chunk in xlsx_chunks(rows))

    small, large = _peak_memory(export(500)), _peak_memory(export(10_000))

    assert large < small * 2


@pytest.mark.django_db
def test_it_reads_a_queryset_in_its_order_with_the_owner_name(make_person):
    rep = make_person(username="riley")
    CustomerFactory(name="B", owner=rep)
    CustomerFactory(name="A", employees=None)

    rows = list(export_rows(Customer.objects.order_by("name"), chunk_size=1))

    assert [(row[2], row[8], row[12]) for row in rows] == [("A", None, None), ("B", 250, "riley")]


def test_it_sends_the_xlsx_while_it_still_reads_rows():
    read = []

    def rows():
        for number in range(3_000):
            read.append(number)
            yield (number, f"CRM-{number}", f"Customer {number}", *ROW[3:])

    chunks = xlsx_chunks(rows())
    sent = b""
    while len(sent) < 1_000 or not read:
        sent += next(chunks)

    assert sent.startswith(b"PK")  # a zip's first entries, already on their way
    assert 0 < len(read) < 3_000
    assert _xlsx([sent, *chunks])[-1][:3] == (2_999, "CRM-2999", "Customer 2999")


def test_it_writes_text_with_markup_and_numbers_of_every_kind_into_xlsx():
    row = (
        1,
        "<b>&amp;</b>",
        "  spaced  ",
        2.5,
        float("nan"),
        decimal.Decimal("12.50"),
        False,
        datetime.date(2026, 12, 6),
    )

    header, record = _xlsx(xlsx_chunks([row], header=tuple("abcdefgh")))

    assert record == (1, "<b>&amp;</b>", "  spaced  ", 2.5, "nan", 12.5, False, datetime.datetime(2026, 12, 6))
