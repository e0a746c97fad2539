"""Uploads for import are bounded: in size (before the body is read, where the request says its length) and in type
(.csv or .xlsx, by name and by content)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from imports.models import ImportJob
from imports.tabular import TableError, table_sniff
from teams.models import Role

pytestmark = pytest.mark.django_db

CSV = b"Record ID,Company name\nA-1,Alpha\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)


def _xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Record ID", "Company name"])
    workbook.active.append(["A-1", "Alpha"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, name, content):
    return client.post(reverse("customers:imports"), {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (CSV, "csv"),
        ("Société;Ville\nÉtoile;Zürich\n".encode("cp1252"), "csv"),
        ("\ufeffName\tCity\r\nA\tB\r\n".encode(), "csv"),
        ("Name\nÉtoile".encode()[:-1], "csv"),  # a character cut in two at the end of the sample
        (b"Name,Note\nA,\x1b[31mred\x07\n", "csv"),  # text: its row is refused, with its line (ops.text)
        (b"PK\x03\x04rest-of-a-zip", "xlsx"),
    ],
)
def test_it_lets_text_in_as_csv_and_a_zip_in_as_xlsx(head, kind):
    table_sniff(head, kind)


@pytest.mark.parametrize(
    ("head", "kind", "message"),
    [
        (PNG, "csv", "binary data"),
        (b"PK\x03\x04rest-of-a-zip", "csv", "binary data"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "csv", "binary data"),
        (b"Name\nA\x81\x8d\n", "csv", "not text"),
        (CSV, "xlsx", "not an Excel workbook"),
        (PNG, "xlsx", "not an Excel workbook"),
    ],
)
def test_it_refuses_content_that_does_not_fit_the_name(head, kind, message):
    with pytest.raises(TableError, match=message):
        table_sniff(head, kind)


def test_it_accepts_a_real_workbook_and_a_real_csv(client_as):
    client = client_as(Role.ADMIN)

    assert _upload(client, "companies.xlsx", _xlsx()).status_code == 302
    assert _upload(client, "companies.csv", CSV).status_code == 302
    assert ImportJob.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("companies.txt", CSV, "Upload a .csv or .xlsx file."),
        ("companies.tsv", CSV, "Upload a .csv or .xlsx file."),
        ("companies.exe", b"MZ" + bytes(64), "Upload a .csv or .xlsx file."),
        ("companies.csv", PNG, "This does not look like a CSV file (it holds binary data)."),
        ("companies.csv", _xlsx(), "This does not look like a CSV file (it holds binary data)."),
        ("companies.xlsx", CSV, "This is not an Excel workbook (.xlsx)"),
    ],
)
def test_the_upload_page_refuses_another_type_with_a_plain_reason(client_as, name, content, message):
    client = client_as(Role.ADMIN)

    response = _upload(client, name, content)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_upload_page_refuses_a_file_over_the_limit(client_as, settings):
    settings.IMPORT_MAX_BYTES = 1024
    client = client_as(Role.ADMIN)

    response = _upload(client, "big.csv", CSV + b"A-2,Beta\n" * 200)

    assert response.status_code == 400
    assert "The file is larger than 0 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_it_refuses_an_upload_far_over_the_limit_with_413(client_as, settings):
    settings.IMPORT_MAX_BYTES = 1024
    client = client_as(Role.ADMIN)

    response = _upload(client, "huge.csv", CSV + b"A-2,Beta\n" * 20_000)  # about 180 KB: past limit and allowance

    assert response.status_code == 413
    page = response.content.decode()
    assert "This file is too large" in page
    assert "Files up to 0 MB can be uploaded" in page
    assert not ImportJob.objects.exists()


def test_the_size_check_before_reading_leaves_other_requests_alone(client_as, settings):
    settings.IMPORT_MAX_BYTES = 1024
    client = client_as(Role.ADMIN)

    response = client.post(
        reverse("customers:imports"), "note=" + "x" * 200_000, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400, "not multipart: the form answers, not the size check"
