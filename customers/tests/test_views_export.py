import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from customers.exports import HEADER
from customers.tests.factories import CustomerFactory
from teams.models import Role


def _csv_names(response) -> list[str]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return [row["name"] for row in csv.DictReader(io.StringIO(content))]


@pytest.mark.parametrize("role", Role.values)
def test_it_streams_the_csv_to_every_role(client_as, role):
    client = client_as(role)
    CustomerFactory(name="Northwind Software")

    response = client.get(reverse("customers:export_csv"))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    assert _csv_names(response) == ["Northwind Software"]


def test_it_exports_the_filtered_list_in_its_order(client_as):
    client = client_as(Role.MEMBER)
    CustomerFactory(name="Small Retail", industry="Retail", employees=10)
    CustomerFactory(name="Big Retail", industry="Retail", employees=900)
    CustomerFactory(name="Energy Co", industry="Energy", employees=5000)
    CustomerFactory(name="Retail Too", industry="Retail", country="Japan")

    response = client.get(
        reverse("customers:export_csv"), {"industry": "Retail", "country": "Germany", "sort": "-employees", "page": 3}
    )

    assert _csv_names(response) == ["Big Retail", "Small Retail"]


def test_it_exports_an_xlsx_with_formulas_neutralised(client_as):
    client = client_as(Role.SALES_REP)
    CustomerFactory(name="=cmd|' /C calc'!A0", employees=12, industry="Retail")
    CustomerFactory(name="Other", industry="Energy")

    response = client.get(reverse("customers:export_xlsx"), {"industry": "Retail"})

    assert response.streaming
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1
    record = dict(zip(header, rows[0], strict=True))
    assert record["name"] == "'=cmd|' /C calc'!A0"
    assert record["employees"] == 12


def test_it_exports_every_planted_customer_to_xlsx_as_the_database_holds_it(client_as, make_person):
    client = client_as(Role.ADMIN)
    owner = make_person(username="riley")
    planted = [
        CustomerFactory(name=f"Customer {number:02}", employees=10 + number, clv=1_000 * number, owner=owner)
        for number in range(12)
    ]
    CustomerFactory(name="Ünïcode & <tags>", employees=None, industry="", extra={"tier": "gold"}, nps=None)

    response = client.get(reverse("customers:export_xlsx"), {"sort": "name"})

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header == HEADER
    exported = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert len(exported) == 13
    for customer in planted:
        record = exported[customer.pk]
        assert (record["name"], record["employees"], record["clv"], record["owner"]) == (
            customer.name,
            customer.employees,
            customer.clv,
            "riley",
        )
        assert (record["country"], record["lifecycle_stage"]) == (customer.country, customer.lifecycle_stage)
        in_utc = customer.updated_at.astimezone(datetime.UTC).replace(tzinfo=None)
        assert abs(record["updated_at"] - in_utc) < datetime.timedelta(milliseconds=1)  # Excel keeps milliseconds
    odd = next(record for record in exported.values() if record["name"].startswith("Ü"))
    assert (odd["name"], odd["employees"], odd["industry"], odd["extra"], odd["nps"]) == (
        "Ünïcode & <tags>",
        None,
        None,
        '{"tier": "gold"}',
        None,
    )
