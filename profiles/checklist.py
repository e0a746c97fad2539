"""How far a profile is: pure calculation, no database (the selector gathers its inputs).

A step is done when someone marked it by hand, or, derived, when what it stands
for is agreed:

- data gathered: at least one agreed exemplar;
- commonalities: agreed firmographics, geography or characteristics;
- segments: agreed personas or value proposition;
- pain points: agreed pain points;
- needs and motivations: agreed needs or motivations;
- scoring: the profile has a rubric with a published version.
"""

from dataclasses import dataclass

from .models import ChecklistStep, Section

# A step is derived from agreed items of any of these sections.
STEP_SECTIONS = {
    ChecklistStep.COMMONALITIES: {Section.FIRMOGRAPHICS, Section.GEOGRAPHY, Section.CHARACTERISTICS},
    ChecklistStep.SEGMENTS: {Section.PERSONAS, Section.VALUE_PROPOSITION},
    ChecklistStep.PAIN_POINTS: {Section.PAIN_POINTS},
    ChecklistStep.NEEDS: {Section.NEEDS, Section.MOTIVATIONS},
}


@dataclass(frozen=True)
class ChecklistFacts:
    agreed_sections: frozenset[str]
    agreed_exemplars: int
    has_published_rubric: bool
    marked_steps: frozenset[str]


@dataclass(frozen=True)
class ChecklistRow:
    step: str
    label: str
    marked: bool
    derived: bool

    @property
    def done(self) -> bool:
        return self.marked or self.derived


def step_derived(step: str, facts: ChecklistFacts) -> bool:
    if step == ChecklistStep.DATA_GATHERED:
        return facts.agreed_exemplars > 0
    if step == ChecklistStep.SCORING:
        return facts.has_published_rubric
    return bool(STEP_SECTIONS[step] & facts.agreed_sections)


def checklist_rows(facts: ChecklistFacts) -> list[ChecklistRow]:
    return [
        ChecklistRow(step=step, label=label, marked=step in facts.marked_steps, derived=step_derived(step, facts))
        for step, label in ChecklistStep.choices
    ]


def checklist_progress(rows: list[ChecklistRow]) -> int:
    """Percent of the steps done."""
    return round(100 * sum(row.done for row in rows) / len(rows)) if rows else 0
