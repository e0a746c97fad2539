"""The structured parts of a section: what they may hold, the text made from them, their table row."""

import pytest
from django.core.exceptions import ValidationError

from profiles.models import ProfileItem, Section
from profiles.sections import details_clean, details_summary

ROW = {"pain_point": "Manual exports", "feature": "CRM sync", "benefit": "Hours saved"}


@pytest.mark.parametrize(
    ("section", "details", "cleaned"),
    [
        (Section.MESSAGING_MATRIX, ROW, ROW),
        (Section.MESSAGING_MATRIX, {name: f"  {value} " for name, value in ROW.items()}, ROW),
        (Section.PERSONAS, {"title": "CFO", "goals": "", "objections": "  "}, {"title": "CFO"}),
        (Section.PERSONAS, {}, {}),
        (Section.PERSONAS, None, {}),
        (Section.VALUE_PROPOSITION, {"industry": "Healthcare"}, {"industry": "Healthcare"}),
        (Section.VALUE_PROPOSITION, {"industry": ""}, {}),
        (Section.PAIN_POINTS, {}, {}),
    ],
)
def test_it_keeps_the_parts_a_section_has(section, details, cleaned):
    assert details_clean(section, details) == cleaned


@pytest.mark.parametrize(
    ("section", "details", "message"),
    [
        (Section.MESSAGING_MATRIX, {"pain_point": "Slow"}, "Feature: this part is needed."),
        (Section.PERSONAS, {"goals": "Growth"}, "Title: this part is needed."),
        (Section.PERSONAS, {"title": "CFO", "salary": "high"}, "no part named salary"),
        (Section.PAIN_POINTS, {"title": "CFO"}, "no part named title"),
        (Section.PERSONAS, {"title": 42}, "write it as text"),
        (Section.PERSONAS, {"title": "x" * 501}, "at most 500 characters"),
        (Section.PERSONAS, ["CFO"], "not in the expected form"),
    ],
)
def test_it_refuses_parts_that_do_not_fit(section, details, message):
    with pytest.raises(ValidationError, match=message):
        details_clean(section, details)


@pytest.mark.parametrize(
    ("section", "details", "summary"),
    [
        (Section.MESSAGING_MATRIX, ROW, "Manual exports → CRM sync → Hours saved"),
        (Section.MESSAGING_MATRIX, {}, ""),
        (Section.PERSONAS, {"title": "CFO", "goals": "Growth"}, "CFO"),
        (Section.VALUE_PROPOSITION, {"industry": "Retail"}, ""),
    ],
)
def test_it_makes_the_text_from_the_parts(section, details, summary):
    assert details_summary(section, details) == summary


@pytest.mark.parametrize(
    ("section", "text", "details", "cells", "note"),
    [
        (Section.MESSAGING_MATRIX, "Manual exports → CRM sync → Hours saved", ROW, list(ROW.values()), ""),
        (Section.MESSAGING_MATRIX, "Our sharpest message", ROW, list(ROW.values()), "Our sharpest message"),
        (Section.MESSAGING_MATRIX, "Written before it had parts", {}, ["", "", ""], "Written before it had parts"),
        (Section.PERSONAS, "CFO", {"title": "CFO", "goals": "Growth"}, ["CFO", "Growth", ""], ""),
        (Section.VALUE_PROPOSITION, "Audit-ready", {"industry": "Health"}, ["Health", "Audit-ready"], ""),
    ],
)
def test_it_lays_an_item_out_as_its_sections_table_row(section, text, details, cells, note):
    item = ProfileItem(section=section, text=text, details=details)

    assert item.has_details_table
    assert item.detail_cells == cells
    assert item.detail_note == note
    assert len(item.detail_headings) == len(cells)


def test_a_plain_section_has_no_table():
    assert not ProfileItem(section=Section.NEEDS, text="An audit trail").has_details_table
