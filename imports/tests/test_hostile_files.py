"""Files made to hold a worker: a header of 100,000 columns, rows as wide, a small workbook that unzips to
gigabytes. Each is refused at upload with a clear 400, read linearly, and leaves no file behind."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from imports.models import ImportJob
from imports.tabular import MAX_COLUMNS, TableError, table_open
from teams.models import Role

pytestmark = pytest.mark.django_db


def _upload(client, name, content):
    return client.post(reverse("customers:imports"), {"file": SimpleUploadedFile(name, content)})


def _stored_files() -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def _bomb() -> bytes:
    """A real workbook whose shared strings part unzips to 64 MB from a few dozen KB."""
    workbook = Workbook()
    workbook.active.append(["Record ID", "Company name"])
    plain = io.BytesIO()
    workbook.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, zipfile.ZipFile(out, "w") as bomb:
        for part in source.infolist():
            bomb.writestr(part, source.read(part.filename), compress_type=zipfile.ZIP_DEFLATED)
        strings_part = zipfile.ZipInfo("xl/sharedStrings.xml")
        strings_part.compress_type = zipfile.ZIP_DEFLATED
        with bomb.open(strings_part, "w", force_zip64=True) as strings:
            chunk = b"<si><t/></si>" * 80_000
            for _ in range(64 * 1024 * 1024 // len(chunk)):
                strings.write(chunk)
    return out.getvalue()


def test_a_header_of_100_000_columns_is_refused_with_400_and_nothing_kept(client_as):
    header = ",".join(f"column {number}" for number in range(100_000)).encode()

    response = _upload(client_as(Role.ADMIN), "wide.csv", header + b"\n" + b"x," * 10 + b"\n")

    assert response.status_code == 400
    assert f"The file has 100,000 columns; at most {MAX_COLUMNS} can be imported" in response.text
    assert not ImportJob.objects.exists()
    assert _stored_files() == []


def test_a_row_wider_than_the_limit_is_refused_with_its_line(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("Record ID,Company name\nA-1,Alpha\n" + "x," * 1_000 + "\n")
    table = table_open(path)

    with pytest.raises(TableError, match=r"Line 3 has 1,001 cells: The file has 1,001 columns"):
        list(table.rows)


def test_many_columns_are_counted_once_each_for_duplicates(tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text(",".join(["Name", *(f"c{n}" for n in range(MAX_COLUMNS - 2)), "Name"]) + "\n")

    with pytest.raises(TableError, match="Columns appear twice in the header: Name"):
        table_open(path)


def test_a_workbook_that_unzips_far_beyond_its_size_is_refused_with_400_and_nothing_kept(client_as):
    bomb = _bomb()
    assert len(bomb) < 2 * 1024 * 1024

    response = _upload(client_as(Role.ADMIN), "bomb.xlsx", bomb)

    assert response.status_code == 400
    assert re.search(r"xl/sharedStrings.xml unzips to 6\d MB from \d+ KB", response.text)
    assert "no real workbook is made that way" in response.text
    assert not ImportJob.objects.exists()
    assert _stored_files() == []


def test_a_failed_import_leaves_no_file_behind(client_as, django_capture_on_commit_callbacks):
    from imports.services import import_fail

    response = _upload(client_as(Role.ADMIN), "ok.csv", b"Record ID,Company name\nA-1,Alpha\n")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert Path(job.file.path).exists()

    with django_capture_on_commit_callbacks(execute=True):
        import_fail(job=job, message="The import stopped on an error; nothing was imported.")

    assert _stored_files() == []
    assert ImportJob.objects.get().status == "failed"


def test_a_utf16_csv_with_its_bom_is_read(client_as):
    text = "Record ID\tCompany name\r\nU-1\tÉtoile Zürich\r\n"

    response = _upload(client_as(Role.ADMIN), "unicode.csv", text.encode("utf-16"))

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.headers == ["Record ID", "Company name"]
    rows = list(table_open(job.file.path, job.original_name).rows)
    assert rows == [(2, ["U-1", "Étoile Zürich"])]


def test_a_file_that_claims_utf16_but_is_not_says_so(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(b"\xff\xfeR\x00e\x00\x00\xd8")  # a lone surrogate at the end

    with pytest.raises(TableError, match="says it is UTF-16 but is not: save it as CSV UTF-8"):
        table_open(path)
