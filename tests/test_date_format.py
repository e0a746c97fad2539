"""One date format on every page: "6 Dec 2026", and "6 Dec 2026, 14:05" with the time (icpsite/formats/en).

Templates name the format (``|date``, ``|date:"DATETIME_FORMAT"``) rather than spell one out, so every page
changes together; only machine-read attributes (``'c'``), the time-zone name (``"e"``) and a clock time
(``time:"H:i"``) are written by hand. CSV, Excel and the API keep ISO 8601.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone

TEMPLATES = Path(settings.BASE_DIR) / "templates"
ALLOWED = {'"DATE_FORMAT"', '"DATETIME_FORMAT"', "'c'", '"c"', '"e"'}
DATE_FILTER = re.compile(r"\|date(?::(\"[^\"]*\"|'[^']*'))?")


def _every_template():
    return sorted(path for path in TEMPLATES.rglob("*") if path.is_file())


def test_every_template_names_the_date_format_instead_of_writing_its_own():
    written = []
    for path in _every_template():
        text = path.read_text()
        for match in DATE_FILTER.finditer(text):
            if match.group(1) and match.group(1) not in ALLOWED:
                written.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
        for relative in ("naturaltime", "naturalday", "timesince", "timeuntil"):
            if f"|{relative}" in text:
                written.append(f"{path.relative_to(TEMPLATES)}: |{relative}")
        written += [
            f"{path.relative_to(TEMPLATES)}: {found}"
            for found in re.findall(r"\|time:\"[^\"]*\"", text)
            if found != '|time:"H:i"'
        ]

    assert not written, "dates in another format:\n" + "\n".join(written)


@pytest.mark.parametrize(
    ("template", "shown"),
    [
        ("{{ day|date }}", "6 Dec 2026"),
        ("{{ day }}", "6 Dec 2026"),
        ('{{ moment|date:"DATETIME_FORMAT" }}', "6 Dec 2026, 14:05"),
        ("{{ moment }}", "6 Dec 2026, 14:05"),
        ("{{ moment|date }}", "6 Dec 2026"),
        ('{{ moment|date:"SHORT_DATETIME_FORMAT" }}', "6 Dec 2026, 14:05"),
    ],
)
def test_a_date_reads_the_same_on_every_page(template, shown):
    moment = timezone.make_aware(datetime.datetime(2026, 12, 6, 14, 5, 30))
    context = Context({"day": datetime.date(2026, 12, 6), "moment": moment})

    assert Template(template).render(context) == shown
