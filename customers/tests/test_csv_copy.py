import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers import csv_copy
from customers.exports import HEADER, csv_chunks, export_rows
from customers.models import Customer
from customers.selectors import NO_OWNER, CustomerFilters, customer_list
from customers.tests.factories import CustomerFactory
from teams.models import Role

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")

HOSTILE_EXTRA = {
    "b": 1,
    "a": "=1+1",
    "é": 'naïve, "quoted"\nline',
    "A": 0.1 + 0.2,
    "aa": 1e-05,
    "tiny": 1.2345678901234567e-5,
    "mid": 1234567890123456.7,
    "big": 1e15,
    "huge": 1.5e16,
    "whole": 1.0,
    "zero": 0.0,
    "neg": -2.5,
    "seats": 2**63 - 1,
    "none": None,
    "yes": True,
    "no": False,
    "list": [1, "x", None],
    "\\back": "slash\\\t",
}


@pytest.fixture
def hostile_customers(make_person):
    """Customers whose every kind of column holds what a CSV or a spreadsheet trips on."""
    formula_owner = make_person(Role.SALES_REP, username="@rep")
    owner = make_person(Role.SALES_REP, username="riley")
    planted = [
        CustomerFactory(
            name='=HYPERLINK("http://x", "click")',
            domain="+33 1 23",
            industry="-Retail",
            country="@home",
            region="\tEMEA",
            city="\rParis",
            contact_titles="CEO; CFO",
            owner=formula_owner,
            crm_created_on=datetime.date(999, 1, 2),
            closed_on=datetime.date(2025, 12, 31),
            deal_outcome="won",
            sentiment=-100,
            nps=0,
            has_case_study=True,
            has_public_review=False,
            is_prominent_brand=None,
            extra=HOSTILE_EXTRA,
        ),
        CustomerFactory(
            name='Acme, "Inc"\r\nsecond line',
            domain="",
            industry="",
            city='a "quoted", comma',
            contact_titles="Zürich 北京 🚀 — naïve",
            employees=None,
            annual_revenue=None,
            clv=0,
            sentiment=-1,
            nps=None,
            extra={},
        ),
        CustomerFactory(name="Northwind = best", owner=owner, extra={"tier": "=gold"}, sentiment=None),
        CustomerFactory(name="\\.", industry="Retail", country="Japan", employees=5000, extra={"k": "\\."}),
        CustomerFactory(name="-5", industry="Retail", employees=10, annual_revenue=-3, extra=[]),
    ]
    # One updated_at without microseconds, which isoformat() leaves out, one with trailing zeros.
    Customer.objects.filter(pk=planted[-1].pk).update(
        updated_at=datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    )
    Customer.objects.filter(pk=planted[-2].pk).update(
        updated_at=datetime.datetime(2026, 1, 2, 3, 4, 5, 120_000, tzinfo=datetime.UTC)
    )
    return planted


def _python_path(queryset) -> bytes:
    return b"".join(csv_chunks(export_rows(queryset)))


def _copy_path(queryset, **kwargs) -> bytes:
    return b"".join(csv_copy.copy_csv_chunks(queryset, **kwargs))


FILTERS = [
    pytest.param(CustomerFilters(), id="everyone-by-name"),
    pytest.param(CustomerFilters(sort="-name"), id="name-descending"),
    pytest.param(CustomerFilters(sort="-employees"), id="largest-first"),
    pytest.param(CustomerFilters(sort="-updated_at"), id="latest-first"),
    pytest.param(CustomerFilters(industry="Retail", sort="-annual_revenue"), id="industry"),
    pytest.param(CustomerFilters(owner=NO_OWNER), id="no-owner"),
    pytest.param(CustomerFilters(q="acme"), id="search-in-names"),
    pytest.param(CustomerFilters(q="-5"), id="short-search"),
    pytest.param(CustomerFilters(q="nothing like it"), id="no-match"),
]


# How the COPY reads the customers: through the list's indexes (a small export, the planner's choice), or the
# table front to back and sorted (a large one: csv_copy.SORTED_READ_FROM; 0 makes every export large).
READS = {"as planned": csv_copy.SORTED_READ_FROM, "sorted": 0}


@pytest.fixture(params=READS)
def read(request, monkeypatch):
    monkeypatch.setattr(csv_copy, "SORTED_READ_FROM", READS[request.param])
    return request.param


@on_postgresql
@pytest.mark.parametrize("filters", FILTERS)
def test_it_writes_the_same_bytes_as_the_python_export(hostile_customers, filters, read):
    queryset = customer_list(filters=filters)

    assert _copy_path(queryset) == _python_path(queryset)


@on_postgresql
def test_a_large_export_reads_the_table_in_order_and_a_small_one_as_planned(hostile_customers, monkeypatch):
    queryset = customer_list(filters=CustomerFilters())

    def index_scans_turned_off() -> bool:
        with CaptureQueriesContext(connection) as captured:
            written = _copy_path(queryset)
        assert written == _python_path(queryset)
        return any("enable_indexscan" in query["sql"] and "'off'" in query["sql"] for query in captured)

    assert not index_scans_turned_off()  # a handful of customers
    monkeypatch.setattr(csv_copy, "SORTED_READ_FROM", Customer.objects.count())
    assert index_scans_turned_off()


def _extras_seen(monkeypatch) -> list[bool]:
    """Whether each COPY statement made was told that some exported customer has extra attributes."""
    seen, statement = [], csv_copy.copy_select
    monkeypatch.setattr(
        csv_copy,
        "copy_select",
        lambda queryset, **kwargs: seen.append(kwargs["extras"]) or statement(queryset, **kwargs),
    )
    return seen


@on_postgresql
def test_without_extra_attributes_it_writes_them_as_nothing_in_a_statement_run_in_parallel(db, monkeypatch):
    CustomerFactory.create_batch(3, extra={})
    CustomerFactory(name="=formula", extra={})
    queryset = customer_list(filters=CustomerFilters())
    seen = _extras_seen(monkeypatch)

    assert _copy_path(queryset) == _python_path(queryset)
    assert seen == [False]
    statement, _ = csv_copy.copy_select(queryset, extras=False)
    assert "jsonb_each" not in statement, "no subquery: PostgreSQL may compute the columns in parallel workers"


@on_postgresql
def test_one_customer_with_extra_attributes_among_the_exported_writes_them_all(hostile_customers, monkeypatch):
    seen = _extras_seen(monkeypatch)

    assert _copy_path(customer_list(filters=CustomerFilters(industry="Retail"))) == _python_path(
        customer_list(filters=CustomerFilters(industry="Retail"))
    )
    assert seen == [True]


@on_postgresql
def test_it_writes_every_hostile_value_as_the_python_export_does(hostile_customers):
    queryset = customer_list(filters=CustomerFilters())

    written = _copy_path(queryset, rows_per_chunk=2)

    assert written == _python_path(queryset)
    header, *rows = csv.reader(io.StringIO(written.decode("utf-8-sig"), newline=""))
    assert tuple(header) == HEADER
    assert len(rows) == len(hostile_customers)
    assert written.count(b"\r\n") == len(hostile_customers) + 2  # header, rows, and the one inside a name
    hostile = next(dict(zip(header, row, strict=True)) for row in rows if row[2].startswith("'="))
    assert hostile["domain"] == "'+33 1 23"
    assert (hostile["industry"], hostile["country"], hostile["region"], hostile["city"]) == (
        "'-Retail",
        "'@home",
        "'\tEMEA",
        "'\rParis",
    )
    assert (hostile["owner"], hostile["crm_created_on"], hostile["sentiment"]) == ("'@rep", "0999-01-02", "-100")
    assert (hostile["has_case_study"], hostile["has_public_review"], hostile["is_prominent_brand"]) == (
        "true",
        "false",
        "",
    )
    assert hostile["extra"].startswith('{"A": 0.30000000000000004, "\\\\back": "slash\\\\\\t", "a": "=1+1"')


@on_postgresql
def test_it_binds_the_filters_under_the_debug_cursor_too(hostile_customers, settings):
    settings.DEBUG = True  # Django's debug cursor logs a COPY, and takes no parameters for it
    queryset = customer_list(filters=CustomerFilters(industry="Retail", q="nor"))

    written = _copy_path(queryset)

    [copy] = [query["sql"] for query in connection.queries if query["sql"].startswith("COPY (SELECT")]
    assert "'Retail'" in copy
    assert written == _python_path(queryset)


@on_postgresql
def test_it_streams_the_copy_as_the_view_response(client_as, hostile_customers):
    client = client_as(Role.SALES_REP)

    response = client.get(reverse("customers:export_csv"), {"industry": "Retail", "sort": "-employees"})

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    assert response["Content-Disposition"].endswith('.csv"')
    content = b"".join(response.streaming_content)
    filtered = customer_list(filters=CustomerFilters(industry="Retail", sort="-employees"))
    assert content == _python_path(filtered)
    assert [row["name"] for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""))] == [
        "\\.",
        "'-5",
    ]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_it_leaves_the_connection_usable_when_the_download_stops_early(read):
    Customer.objects.bulk_create(
        Customer(external_id=f"CRM-{number}", name=f"Customer {number}") for number in range(500)
    )
    chunks = csv_copy.copy_csv_chunks(customer_list(filters=CustomerFilters()), rows_per_chunk=10)

    next(chunks), next(chunks)
    chunks.close()

    assert Customer.objects.count() == 500


@pytest.mark.parametrize(("vendor", "expected"), [("postgresql", True), ("sqlite", False)])
def test_it_uses_copy_only_on_postgresql(monkeypatch, vendor, expected):
    monkeypatch.setattr(connection, "vendor", vendor)

    assert csv_copy.uses_copy(Customer.objects.all()) is expected


@on_postgresql
def test_it_exports_through_copy_on_postgresql(db, monkeypatch):
    monkeypatch.setattr(csv_copy, "copy_csv_chunks", lambda queryset: iter([b"by copy"]))

    assert list(csv_copy.csv_export_chunks(Customer.objects.all())) == [b"by copy"]


def test_it_falls_back_to_the_python_export_on_sqlite(db, monkeypatch):
    CustomerFactory(name="=cmd", employees=12)
    queryset = customer_list(filters=CustomerFilters())
    expected = _python_path(queryset)
    monkeypatch.setattr(connection, "vendor", "sqlite")
    monkeypatch.setattr(csv_copy, "copy_csv_chunks", lambda queryset: pytest.fail("COPY used on SQLite"))

    assert b"".join(csv_copy.csv_export_chunks(queryset)) == expected
    assert b"'=cmd" in expected
