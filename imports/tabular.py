"""Reading a CSV or Excel file as a header and rows of text cells, each with its line number.

Only .csv and .xlsx names are accepted, and the content must fit the name (``table_check``): a CSV
is text, an .xlsx a zip archive, whatever the name says.

CSV: UTF-8 with or without a BOM (Windows-1252 if it is not UTF-8; UTF-16 with its BOM, as Excel's "Unicode
text" saves it), delimited by
a comma, semicolon, tab or pipe (whichever the header line uses most), quoted
cells may hold newlines; blank lines are skipped. Excel: the first sheet of an
.xlsx workbook, read row by row.
"""

import codecs
import csv
import datetime
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ops.text import text_problem

DELIMITERS = [",", ";", "\t", "|"]
FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
# How much of a file table_check reads to tell what it is.
SNIFF_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls workbooks, .doc...
# A hostile file must not hold a worker: a header of 100,000 columns, or a small .xlsx that unzips to gigabytes
# (60 million shared strings in 2.4 MB) are refused before they are read.
MAX_COLUMNS = 500
XLSX_MAX_UNZIPPED_BYTES = 400 * 1024 * 1024
XLSX_MAX_RATIO = 100  # unzipped to zipped, for a part of over 1 MB: real workbooks stay under 20


class TableError(Exception):
    """A file that cannot be read as a table; the message says why, in plain words."""


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line number in the file, cells)
    delimiter: str | None = None  # CSV only


def table_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix == ".xls":
        raise TableError("Old Excel files (.xls) cannot be read: save it as .xlsx or .csv.")
    if suffix not in FORMATS:
        raise TableError("Upload a .csv or .xlsx file.")
    return FORMATS[suffix]


def table_check(file, filename: str) -> str:
    """The format of ``file`` (a file object) by its name, if its first bytes are of that format too.

    Reads at most SNIFF_BYTES and puts the file back at its start.
    """
    kind = table_format(filename)
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    table_sniff(head, kind)
    return kind


def table_sniff(head: bytes, kind: str) -> None:
    """Refuse content that is not of ``kind``: an .xlsx must be a zip archive, a CSV must be text."""
    if kind == "xlsx":
        if not head.startswith(ZIP_MAGIC):
            raise TableError("This is not an Excel workbook (.xlsx): open it in Excel and save it as .xlsx or .csv.")
        return
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text" export
        try:
            head.decode("utf-16")
        except UnicodeDecodeError:
            if len(head) % 2 == 0:  # not a character cut in two at the end of the sample
                raise TableError("This file says it is UTF-16 but is not: save it as CSV UTF-8.") from None
        return
    if head.startswith((ZIP_MAGIC, OLE_MAGIC)) or b"\x00" in head:
        raise TableError("This does not look like a CSV file (it holds binary data).")
    if not _is_text(head):
        raise TableError("This does not look like a CSV file: it is not text (UTF-8 or Windows-1252).")


def _is_text(head: bytes) -> bool:
    """Whether ``head`` decodes as UTF-8 or Windows-1252. A control character in a cell is its row's problem
    (ops.text, refused with its line), not the file's."""
    try:
        # Not final: a character cut in two at the end of the sample is still text.
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        try:
            head.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return True


def table_open(path: str | Path, filename: str | None = None) -> Table:
    path = Path(path)
    if table_format(filename or path.name) == "xlsx":
        return _xlsx(path)
    return _csv(path.read_bytes())


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise TableError("This file says it is UTF-16 but is not: save it as CSV UTF-8.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv(data: bytes) -> Table:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TableError("This does not look like a CSV file (it holds binary data).")
    text = _decode(data)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    if not first_line:
        raise TableError("The file is empty.")
    delimiter = max(DELIMITERS, key=first_line.count)
    if first_line.count(delimiter) >= MAX_COLUMNS:
        raise TableError(_too_many_columns(first_line.count(delimiter) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=False, strict=False)
    headers, header_line = [], 0
    for cells in reader:
        if any(cell.strip() for cell in cells):
            headers, header_line = [cell.strip() for cell in cells], reader.line_num
            break
    return Table(headers=_checked(headers), rows=_csv_rows(reader, header_line), delimiter=delimiter)


def _csv_rows(reader, last_line: int) -> Iterator[tuple[int, list[str]]]:
    try:
        for cells in reader:
            start, last_line = last_line + 1, reader.line_num
            if len(cells) > MAX_COLUMNS:
                raise TableError(f"Line {start} has {len(cells):,} cells: {_too_many_columns(len(cells))}")
            if any(cell.strip() for cell in cells):
                yield start, cells
    except csv.Error as error:
        raise TableError(f"Line {last_line + 1} cannot be read: {error}.") from None


def _xlsx(path: Path) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _xlsx_sizes_check(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise TableError(f"This is not an Excel workbook that can be read ({error.__class__.__name__}).") from None
    sheet = workbook.worksheets[0]
    rows = (
        (number, [_cell_text(value) for value in values[: MAX_COLUMNS + 1]])
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), 1)
    )
    rows = ((number, cells) for number, cells in rows if any(cell.strip() for cell in cells))
    first = next(rows, None)
    if first is None:
        workbook.close()
        raise TableError("The first sheet of the workbook is empty.")
    headers = [cell.strip() for cell in first[1]]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        workbook.close()
        raise TableError(_too_many_columns(len(headers)))
    return Table(headers=_checked(headers), rows=_closing(rows, workbook))


def _xlsx_sizes_check(path: Path) -> None:
    """Refuse a workbook that unzips to more than XLSX_MAX_UNZIPPED_BYTES, or a part that unzips over
    XLSX_MAX_RATIO times its zipped size: read from the archive's directory, before any part is unzipped."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise TableError(f"This is not an Excel workbook that can be read ({error.__class__.__name__}).") from None
    unzipped = sum(part.file_size for part in parts)
    if unzipped > XLSX_MAX_UNZIPPED_BYTES:
        raise TableError(
            f"This workbook unzips to {unzipped // (1024 * 1024):,} MB, more than the "
            f"{XLSX_MAX_UNZIPPED_BYTES // (1024 * 1024)} MB it may: save it as CSV, or split it."
        )
    for part in parts:
        if part.file_size > 1024 * 1024 and part.file_size > XLSX_MAX_RATIO * max(part.compress_size, 1):
            raise TableError(
                f"This workbook's {part.filename} unzips to {part.file_size // (1024 * 1024):,} MB from "
                f"{max(part.compress_size // 1024, 1):,} KB: no real workbook is made that way, so it is not read."
            )


def _too_many_columns(count: int) -> str:
    return f"The file has {count:,} columns; at most {MAX_COLUMNS} can be imported: remove the ones you do not need."


def _closing(rows, workbook):
    try:
        yield from rows
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _checked(headers: list[str]) -> list[str]:
    if not any(headers):
        raise TableError("The file has no header line.")
    if len(headers) > MAX_COLUMNS:
        raise TableError(_too_many_columns(len(headers)))
    for header in headers:
        if problem := text_problem(header):
            raise TableError(f"A column name holds a character that is refused: {problem}")
    counts = Counter(header for header in headers if header)
    duplicates = sorted(header for header, count in counts.items() if count > 1)
    if duplicates:
        raise TableError(f"Columns appear twice in the header: {', '.join(duplicates)}.")
    return headers
