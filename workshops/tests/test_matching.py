"""A firmographic proposal links to the prospects that match it on the similar accounts page: a weight's values,
or the industries and regions of the base that a firmographics or geography item names."""

import re

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from profiles.sections import Section
from workshops.services.room import proposal_add, step_open
from workshops.tests.factories import item, running_workshop

pytestmark = pytest.mark.django_db


def _links(client, step) -> list[tuple[str, str]]:
    """(label, query) of each "Show me customers that match" link in the step's proposals."""
    html = client.get(reverse("workshops:proposals", args=[step.pk])).content.decode()
    search = reverse("lookalikes:search")
    return re.findall(rf'<a href="{search}\?([^"]+)">([^<]+)</a>', html)


def _open_step_with(room, section: str):
    step = next(step for step in room.workshop.steps.all() if section in step.sections)
    step_open(step=step, user=room.facilitator)
    return step


def test_an_item_links_each_industry_and_region_of_the_base_that_it_names_as_words(client):
    CustomerFactory(industry="Software", region="EMEA")
    CustomerFactory(industry="Retail", region="North America")
    room = running_workshop()
    step = _open_step_with(room, Section.FIRMOGRAPHICS)
    text = "Mid-size software companies in emea, not retailers"  # "retailers" does not name Retail
    proposal_add(step=step, user=room.marketing, section=Section.FIRMOGRAPHICS, text=text)
    client.force_login(room.sales)

    assert sorted(_links(client, step)) == [
        ("seed=won&amp;industry=Software&amp;prospects=on", "Software"),
        ("seed=won&amp;region=EMEA&amp;prospects=on", "EMEA"),
    ]


def test_a_weight_on_an_industry_links_each_of_its_values_and_a_weight_on_a_number_none(client):
    room = running_workshop()
    step = room.weights_step
    step_open(step=step, user=room.facilitator)
    proposal_add(
        step=step, user=room.marketing, field="industry", operator="in", values=["Software", "Fintech"], points=2
    )
    proposal_add(step=step, user=room.sales, field="employees", operator="gte", values=[200], points=1)
    client.force_login(room.success)

    assert _links(client, step) == [
        ("seed=won&amp;industry=Software&amp;prospects=on", "Software"),
        ("seed=won&amp;industry=Fintech&amp;prospects=on", "Fintech"),
    ]


def test_an_item_of_another_section_links_nothing_even_when_it_names_an_industry(client):
    CustomerFactory(industry="Software")
    room = running_workshop()
    item(room, text="Software teams lose a day a week to manual reporting", section=Section.PAIN_POINTS)
    client.force_login(room.sales)

    assert _links(client, room.step) == []
