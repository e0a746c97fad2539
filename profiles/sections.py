"""The parts of a profile, and the structured details three of them have.

An item of the messaging matrix is a row pain point → feature → benefit, a buyer persona has a title,
goals and objections, and a value proposition may be for one industry. These parts live in the
item's ``details`` (a JSON object, ``ProfileItem.details`` and a workshop's ``Proposal.details``),
checked against ``DETAIL_FIELDS`` by ``details_clean`` in the services that write them, and shown as a
table (``TABLE_COLUMNS``) on the profile page, its printable page and its Markdown export.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models

DETAIL_MAX_LENGTH = 500


class Section(models.TextChoices):
    """The parts of a profile, in the order a one-page view shows them."""

    FIRMOGRAPHICS = "firmographics", "Firmographics (industry, size, revenue)"
    GEOGRAPHY = "geography", "Geography"
    CHARACTERISTICS = "characteristics", "Characteristics"
    MOTIVATIONS = "motivations", "Motivations"
    TRIGGERS = "triggers", "Buying triggers"
    ATTITUDES = "attitudes", "Attitudes and beliefs"
    INTERESTS = "interests", "Interests"
    PAIN_POINTS = "pain_points", "Pain points"
    NEEDS = "needs", "Needs"
    OBJECTIONS = "objections", "Objections"
    DISQUALIFIERS = "disqualifiers", "Disqualifiers"
    CHANNELS = "channels", "Where and how they like to be engaged"
    VALUE_PROPOSITION = "value_proposition", "Value proposition and messaging"
    MESSAGING_MATRIX = "messaging_matrix", "Product messaging (pain point → feature → benefit)"
    PERSONAS = "personas", "Buyer personas"


@dataclass(frozen=True)
class DetailField:
    name: str
    label: str
    required: bool = False
    multiline: bool = False


DETAIL_FIELDS: dict[str, tuple[DetailField, ...]] = {
    Section.MESSAGING_MATRIX: (
        DetailField("pain_point", "Pain point", required=True),
        DetailField("feature", "Feature", required=True),
        DetailField("benefit", "Benefit", required=True),
    ),
    Section.PERSONAS: (
        DetailField("title", "Title", required=True),
        DetailField("goals", "Goals", multiline=True),
        DetailField("objections", "Objections", multiline=True),
    ),
    Section.VALUE_PROPOSITION: (DetailField("industry", "Industry (if it is for one)"),),
}

# A structured section's table: (key, heading), where the key "text" is the item's own text.
TABLE_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    Section.MESSAGING_MATRIX: (("pain_point", "Pain point"), ("feature", "Feature"), ("benefit", "Benefit")),
    Section.PERSONAS: (("title", "Title"), ("goals", "Goals"), ("objections", "Objections")),
    Section.VALUE_PROPOSITION: (("industry", "Industry"), ("text", "Value proposition")),
}


def details_clean(section: str, details: dict | None) -> dict:
    """The section's parts, stripped, the empty ones left out; ValidationError for a missing or odd part.

    No parts at all is a plain item (as items were before they had parts); once one part is given, the
    required ones are needed too. A section without parts takes none: whatever else was sent is an
    error, not silently kept.
    """
    details = details or {}
    if not isinstance(details, dict):
        raise ValidationError("The item's parts are not in the expected form.")
    fields = DETAIL_FIELDS.get(section, ())
    unknown = set(details) - {field.name for field in fields}
    if unknown:
        raise ValidationError(f"This section has no part named {', '.join(sorted(unknown))}.")
    cleaned, errors = {}, {}
    for field in fields:
        value = details.get(field.name) or ""
        if not isinstance(value, str):
            errors[field.name] = f"{field.label}: write it as text."
        elif len(value.strip()) > DETAIL_MAX_LENGTH:
            errors[field.name] = f"{field.label}: at most {DETAIL_MAX_LENGTH} characters."
        elif value.strip():
            cleaned[field.name] = value.strip()
    if cleaned or errors:
        for field in fields:
            if field.required and field.name not in cleaned and field.name not in errors:
                errors[field.name] = f"{field.label}: this part is needed."
    if errors:
        raise ValidationError(errors)
    return cleaned


def details_summary(section: str, details: dict) -> str:
    """The item's text when the person wrote none: the matrix row in one line, or the persona's title."""
    if section == Section.MESSAGING_MATRIX:
        parts = [details.get(name, "") for name in ("pain_point", "feature", "benefit")]
        return " → ".join(parts) if any(parts) else ""
    if section == Section.PERSONAS:
        return details.get("title", "")
    return ""


class StructuredDetails:
    """For a model with ``section``, ``text`` and ``details``: its row in its section's table."""

    section: str
    text: str
    details: dict

    @property
    def has_details_table(self) -> bool:
        return self.section in TABLE_COLUMNS

    @property
    def detail_headings(self) -> list[str]:
        return [heading for _, heading in TABLE_COLUMNS.get(self.section, ())]

    @property
    def detail_cells(self) -> list[str]:
        details = self.details or {}
        return [self.text if key == "text" else details.get(key, "") for key, _ in TABLE_COLUMNS.get(self.section, ())]

    @property
    def detail_note(self) -> str:
        """The item's text when the table does not show it already (a summary the person wrote, or an item
        written before it had parts)."""
        columns = [key for key, _ in TABLE_COLUMNS.get(self.section, ())]
        if "text" in columns or not self.text:
            return ""
        details = self.details or {}
        if self.text in (details_summary(self.section, details), *(details.get(key, "") for key in columns)):
            return ""
        return self.text
