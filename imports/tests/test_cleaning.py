"""The cleaning of single cells, for every kind of import: table-driven, no database."""

import datetime
from decimal import Decimal

import pytest

from imports.cleaning import (
    RowError,
    column_key,
    date_order,
    number_style,
    parse_bool,
    parse_date,
    parse_domain,
    parse_extra,
    parse_number,
    parse_titles,
)


@pytest.mark.parametrize(
    ("text", "style", "expected"),
    [
        ("1200000", "us", Decimal(1200000)),
        ("$1,200,000", "us", Decimal(1200000)),
        ("  $ 1,200,000.50 ", "us", Decimal("1200000.50")),
        ("1.2M", "us", Decimal("1200000.0")),
        ("1.2m", "us", Decimal("1200000.0")),
        ("3.5k", "us", Decimal("3500.0")),
        ("2bn", "us", Decimal(2000000000)),
        ("USD 40,000", "us", Decimal(40000)),
        ("(1,500)", "us", Decimal(-1500)),
        ("-$5", "us", Decimal(-5)),
        ("1,200", "us", Decimal(1200)),
        ("1.200", "us", Decimal("1.200")),
        ("1.200", "eu", Decimal(1200)),
        ("1.500.000,00 €", "eu", Decimal("1500000.00")),
        ("€ 2,5M", "eu", Decimal("2500000.0")),
        ("1.200.000", "us", Decimal(1200000)),
        ("1,200,000", "eu", Decimal(1200000)),
        ("1 200 000", "eu", Decimal(1200000)),
        ("1\u00a0200", "eu", Decimal(1200)),
        ("N/A", "us", None),
        ("", "us", None),
        (" - ", "us", None),
    ],
)
def test_it_reads_numbers_as_crm_exports_write_them(text, style, expected):
    assert parse_number(text, style) == expected


@pytest.mark.parametrize("text", ["twelve", "1,2,3", "12%", "1.2.3,4,5", "$", "1e5"])
def test_it_rejects_what_is_not_a_number(text):
    with pytest.raises(RowError, match="is not a number"):
        parse_number(text)


@pytest.mark.parametrize(
    ("texts", "delimiter", "expected"),
    [
        (["1,200,000", "40"], ",", "us"),
        (["1.500.000,00", "7"], ",", "eu"),
        (["2,5", "1.5"], ";", "eu"),
        (["1200", "30"], ";", "eu"),
        (["1200", "30"], ",", "us"),
        (["1,234.50", "1.000.000", "2,000,000"], ";", "us"),
    ],
)
def test_it_tells_the_number_style_of_a_file_from_the_unambiguous_cells(texts, delimiter, expected):
    assert number_style(texts, delimiter) == expected


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2024-03-15", "mdy", datetime.date(2024, 3, 15)),
        ("2024-03-15 10:22", "mdy", datetime.date(2024, 3, 15)),
        ("2024-03-15T10:22:00Z", "dmy", datetime.date(2024, 3, 15)),
        ("2024/3/5", "mdy", datetime.date(2024, 3, 5)),
        ("03/04/2024", "mdy", datetime.date(2024, 3, 4)),
        ("03/04/2024", "dmy", datetime.date(2024, 4, 3)),
        ("3/4/24", "mdy", datetime.date(2024, 3, 4)),
        ("15.03.2024", "mdy", datetime.date(2024, 3, 15)),
        ("15-03-2024", "mdy", datetime.date(2024, 3, 15)),
        ("15 Mar 2024", "mdy", datetime.date(2024, 3, 15)),
        ("March 15, 2024", "mdy", datetime.date(2024, 3, 15)),
        ("Sept. 1, 2023", "mdy", datetime.date(2023, 9, 1)),
        ("n/a", "mdy", None),
    ],
)
def test_it_reads_iso_us_and_eu_dates(text, order, expected):
    assert parse_date(text, order) == expected


@pytest.mark.parametrize("text", ["2024-02-30", "13/13/2024", "yesterday", "15 Foo 2024", "2024-15-01"])
def test_it_rejects_what_is_not_a_date(text):
    with pytest.raises(RowError, match="is not a date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["03/04/2024", "03/20/2024"], "mdy"),
        (["03/04/2024", "20/03/2024"], "dmy"),
        (["03/04/2024", "2024-01-01"], "mdy"),
        ([], "mdy"),
    ],
)
def test_it_tells_day_first_from_month_first_by_the_column(texts, expected):
    assert date_order(texts) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Yes", True), ("TRUE", True), ("x", True), ("no", False), ("0", False), ("", None), ("n/a", None)],
)
def test_it_reads_yes_and_no(text, expected):
    assert parse_bool(text) is expected


def test_it_rejects_a_yes_no_it_cannot_read():
    with pytest.raises(RowError, match="“maybe” is not yes or no"):
        parse_bool("maybe")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://www.Acme.example/about?x=1", "acme.example"),
        ("www.acme.example", "acme.example"),
        ("acme.example", "acme.example"),
        ("N/A", ""),
    ],
)
def test_it_keeps_the_domain_of_a_website(text, expected):
    assert parse_domain(text) == expected


def test_it_joins_contact_titles_with_semicolons():
    assert parse_titles("VP Sales | CFO\nHead of IT;") == "VP Sales; CFO; Head of IT"


@pytest.mark.parametrize(
    ("text", "expected"), [("42", 42), ("-3.5", -3.5), ("yes", True), ("Gold", "Gold"), ("n/a", None)]
)
def test_it_keeps_extra_attributes_as_numbers_yes_no_or_text(text, expected):
    assert parse_extra(text) == expected


def test_it_normalises_column_names():
    assert column_key("\ufeff Country/Region ") == column_key("country_region") == "country region"
