"""The agreed profile as Markdown: the same content as the printable page.

Item texts are plain text written by people; they go out as they are (a
download, never rendered here as HTML), with their line breaks kept inside the
list item so a line of theirs cannot start a heading of the document.
"""

import datetime

from .models import Exemplar, Profile, Section
from .selectors import ProfileSection


def _lines(text: str) -> str:
    """The text as one list item's content: continuation lines indented under the bullet."""
    return "\n  ".join(line.rstrip() for line in text.strip().splitlines() if line.strip())


def _item_markdown(section: str, item) -> str:
    details = item.details or {}
    line = f"- {_lines(item.text)}"
    if section == Section.PERSONAS:
        for name, label in (("goals", "Goals"), ("objections", "Objections")):
            if details.get(name):
                line += f"\n  - {label}: {_lines(details[name])}"
    elif section == Section.VALUE_PROPOSITION and details.get("industry"):
        line += f" ({_lines(details['industry'])})"
    elif section == Section.MESSAGING_MATRIX and item.text != " → ".join(
        details.get(name, "") for name in ("pain_point", "feature", "benefit")
    ):
        line += f"\n  - {_lines(details.get('pain_point', ''))} → {_lines(details.get('feature', ''))} → "
        line += _lines(details.get("benefit", ""))
    return line


def profile_markdown(
    *, profile: Profile, sections: list[ProfileSection], exemplars: list[Exemplar], today: datetime.date
) -> str:
    """The agreed items by section (sections without any left out), then the exemplars."""
    parts = [f"# {_lines(profile.name)}", ""]
    if profile.description:
        parts += [_lines(profile.description), ""]
    facts = []
    if profile.agreed_at:
        facts.append(f"Agreed on {profile.agreed_at:%Y-%m-%d}")
    if profile.review_on:
        facts.append(f"review on {profile.review_on:%Y-%m-%d}")
    facts.append(f"exported on {today:%Y-%m-%d}")
    parts += ["; ".join(facts) + ".", ""]
    for section in sections:
        if section.items:
            parts += [f"## {section.label}", ""]
            parts += [_item_markdown(section.section, item) for item in section.items]
            parts.append("")
    if exemplars:
        parts += ["## Best customers", ""]
        for exemplar in exemplars:
            note = f": {_lines(exemplar.note)}" if exemplar.note else ""
            parts.append(f"- {_lines(exemplar.customer.name)} ({exemplar.get_reason_display()}){note}")
        parts.append("")
    return "\n".join(parts)
