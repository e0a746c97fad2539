import pytest

from profiles.checklist import ChecklistFacts, checklist_progress, checklist_rows
from profiles.models import ChecklistStep, Section


def _facts(sections=(), exemplars=0, rubric=False, marked=()):
    return ChecklistFacts(
        agreed_sections=frozenset(sections),
        agreed_exemplars=exemplars,
        has_published_rubric=rubric,
        marked_steps=frozenset(marked),
    )


def _done(facts) -> set[str]:
    return {row.step for row in checklist_rows(facts) if row.done}


@pytest.mark.parametrize(
    ("facts", "done"),
    [
        (_facts(), set()),
        (_facts(exemplars=1), {ChecklistStep.DATA_GATHERED}),
        (_facts(sections=[Section.FIRMOGRAPHICS]), {ChecklistStep.COMMONALITIES}),
        (_facts(sections=[Section.GEOGRAPHY]), {ChecklistStep.COMMONALITIES}),
        (_facts(sections=[Section.CHARACTERISTICS]), {ChecklistStep.COMMONALITIES}),
        (_facts(sections=[Section.PERSONAS]), {ChecklistStep.SEGMENTS}),
        (_facts(sections=[Section.VALUE_PROPOSITION]), {ChecklistStep.SEGMENTS}),
        (_facts(sections=[Section.PAIN_POINTS]), {ChecklistStep.PAIN_POINTS}),
        (_facts(sections=[Section.NEEDS]), {ChecklistStep.NEEDS}),
        (_facts(sections=[Section.MOTIVATIONS]), {ChecklistStep.NEEDS}),
        (_facts(rubric=True), {ChecklistStep.SCORING}),
        (_facts(sections=[Section.OBJECTIONS, Section.CHANNELS, Section.MESSAGING_MATRIX]), set()),
        (_facts(marked=[ChecklistStep.SEGMENTS]), {ChecklistStep.SEGMENTS}),
    ],
)
def test_it_derives_each_step_from_what_is_agreed(facts, done):
    assert _done(facts) == done


def test_it_tells_a_marked_step_from_a_derived_one():
    rows = {row.step: row for row in checklist_rows(_facts(sections=[Section.NEEDS], marked=[ChecklistStep.NEEDS]))}

    assert rows[ChecklistStep.NEEDS].marked
    assert rows[ChecklistStep.NEEDS].derived


def test_it_keeps_the_steps_in_order():
    assert [row.step for row in checklist_rows(_facts())] == list(ChecklistStep.values)


@pytest.mark.parametrize(("facts", "percent"), [(_facts(), 0), (_facts(exemplars=2, rubric=True), 33)])
def test_it_counts_progress_in_percent(facts, percent):
    assert checklist_progress(checklist_rows(facts)) == percent
