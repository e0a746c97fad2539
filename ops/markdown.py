"""Text people wrote, put into a Markdown export: shown as text by any renderer, never run as HTML or followed as
a link. One rule for every export (a profile, a workshop's summary)."""

import re

_TEXT_SPECIAL = re.compile(r"([\\`<>\[\]])")
_CELL_SPECIAL = re.compile(r"([\\`<>\[\]|])")


def markdown_text(text) -> str:
    """One line of text: backslash, backtick, angle and square brackets escaped (no HTML, code or link)."""
    return _TEXT_SPECIAL.sub(r"\\\1", str(text))


def markdown_cell(text) -> str:
    """Text in a table cell: as markdown_text, and ``|`` escaped too."""
    return _CELL_SPECIAL.sub(r"\\\1", str(text))
