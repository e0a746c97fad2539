import csv
import io

import openpyxl
import pytest
from django.urls import reverse

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
