"""The feedback import's upload is bounded like the customer import's: size, and .csv or .xlsx by name and content."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import ImportJob
from teams.models import Role

pytestmark = pytest.mark.django_db

ANSWERS = b"external_id,score,date\nCRM-1,9,2026-03-15\n"


def _upload(client, name, content):
    return client.post("/feedback/import/", {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("answers.txt", ANSWERS, "Upload a .csv or .xlsx file."),
        ("answers.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This does not look like a CSV file"),
        ("answers.xlsx", ANSWERS, "This is not an Excel workbook (.xlsx)"),
    ],
)
def test_it_refuses_another_type_with_a_plain_reason(client_as, name, content, message):
    response = _upload(client_as(Role.ADMIN), name, content)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_it_refuses_a_file_over_the_limit(client_as, settings):
    settings.IMPORT_MAX_BYTES = 1024

    response = _upload(client_as(Role.ADMIN), "answers.csv", ANSWERS * 40)

    assert response.status_code == 400
    assert "The file is larger than 0 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_it_refuses_an_upload_far_over_the_limit_with_413_before_reading_it(client_as, settings):
    settings.IMPORT_MAX_BYTES = 1024

    response = _upload(client_as(Role.ADMIN), "answers.csv", ANSWERS * 5_000)

    assert response.status_code == 413
    assert "This file is too large" in response.content.decode()
    assert not ImportJob.objects.exists()
