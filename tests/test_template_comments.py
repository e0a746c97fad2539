"""Django's ``{# #}`` comments end on the line they start; one that goes on is shown to people as text."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_short_template_comment_ends_on_its_own_line():
    unclosed = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]

    assert unclosed == [], "use {% comment %} for comments over several lines: " + ", ".join(unclosed)
