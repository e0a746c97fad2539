"""The agreed profile as Markdown: the same content as the printable page.

Texts are plain text written by people. They keep their words, with two guards: their line breaks
stay inside their list item (a line of theirs cannot start a heading of the document), and they are
escaped by ops/markdown.py, the one rule of every export (no HTML, code or link; in a table cell no
``|``). The structured sections (messaging matrix, personas, value propositions) are tables, one
column per part.
"""

import datetime

from django.utils import timezone
from django.utils.formats import date_format

from ops.markdown import markdown_cell, markdown_text

from .models import Exemplar, Profile
from .selectors import ProfileSection


def _lines(text: str) -> str:
    """The text as one list item's content: continuation lines indented under the bullet."""
    return "\n  ".join(markdown_text(line.rstrip()) for line in text.strip().splitlines() if line.strip())


def _cell(text: str) -> str:
    """The text in one table cell: its lines joined by a line break the table keeps."""
    return "<br>".join(markdown_cell(line.strip()) for line in text.strip().splitlines() if line.strip())


def _table(section: ProfileSection) -> list[str]:
    rows = [
        "| " + " | ".join(_cell(heading) for heading in section.headings) + " |",
        "|" + " --- |" * len(section.headings),
    ]
    for item in section.items:
        cells = [_cell(cell) for cell in item.detail_cells]
        if item.detail_note:
            cells[0] = "<br>".join(part for part in (cells[0], _cell(item.detail_note)) if part)
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def profile_markdown(
    *, profile: Profile, sections: list[ProfileSection], exemplars: list[Exemplar], today: datetime.date
) -> str:
    """The agreed items by section (sections without any left out), then the exemplars."""
    parts = [f"# {_lines(profile.name)}", ""]
    if profile.description:
        parts += [_lines(profile.description), ""]
    facts = []
    # Dates as every page shows them (DATE_FORMAT: 6 Dec 2026): the document is for people.
    if profile.agreed_at:
        facts.append(f"Agreed on {date_format(timezone.localdate(profile.agreed_at))}")
    if profile.review_on:
        facts.append(f"review on {date_format(profile.review_on)}")
    facts.append(f"exported on {date_format(today)}")
    parts += ["; ".join(facts) + ".", ""]
    for section in sections:
        if section.items:
            parts += [f"## {section.label}", ""]
            if section.is_structured:
                parts += _table(section)
            else:
                parts += [f"- {_lines(item.text)}" for item in section.items]
            parts.append("")
    if exemplars:
        parts += ["## Best customers", ""]
        for exemplar in exemplars:
            note = f": {_lines(exemplar.note)}" if exemplar.note else ""
            parts.append(f"- {_lines(exemplar.customer.name)} ({exemplar.get_reason_display()}){note}")
        parts.append("")
    return "\n".join(parts)
