"""Structured proposals: a persona (title, goals, objections), a messaging matrix row (pain point → feature →
benefit) and a value proposition per industry, proposed in a workshop and written into the profile."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from profiles.models import ItemStatus, ProfileItem, Section
from workshops.models import Proposal
from workshops.services.closing import workshop_close
from workshops.services.room import proposal_add, proposal_decide, proposal_edit, step_open
from workshops.summary import summary_markdown
from workshops.tests.factories import running_workshop

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
PERSONA = {"title": "Head of RevOps", "goals": "One pipeline view\nClean data", "objections": "Another tool to feed"}
ROW = {"pain_point": "Manual exports", "feature": "CRM sync", "benefit": "Hours saved every week"}
SCRIPT = '<script>document.title="owned"</script><img src=x onerror=alert(1)>'


def _segments(room):
    """The room's "segments" step (personas, value proposition, messaging matrix, channels), open."""
    step = room.workshop.steps.get(position=2)
    step_open(step=step, user=room.facilitator)
    step.refresh_from_db()
    return step


def _signed_in(client, user):
    client.force_login(user)
    return client


def _propose(client, step, section, **fields):
    return client.post(reverse("workshops:propose", args=[step.pk]), {"section": section, **fields}, headers=HTMX)


def test_it_takes_a_persona_with_its_parts_and_titles_it(client):
    room = running_workshop()
    step = _segments(room)
    _signed_in(client, room.sales)

    response = _propose(client, step, Section.PERSONAS, text="", **PERSONA)

    proposal = Proposal.objects.get()
    assert response.status_code == 200
    assert proposal.details == PERSONA
    assert proposal.text == "Head of RevOps"


def test_it_takes_a_messaging_matrix_row_and_writes_it_in_one_line(client):
    room = running_workshop()
    step = _segments(room)
    _signed_in(client, room.marketing)

    _propose(client, step, Section.MESSAGING_MATRIX, **ROW)

    proposal = Proposal.objects.get()
    assert proposal.details == ROW
    assert proposal.text == "Manual exports → CRM sync → Hours saved every week"


def test_it_takes_a_value_proposition_for_one_industry(client):
    room = running_workshop()
    step = _segments(room)
    _signed_in(client, room.success)

    _propose(client, step, Section.VALUE_PROPOSITION, text="Audit-ready scoring", industry="Healthcare")

    assert Proposal.objects.get().details == {"industry": "Healthcare"}


def test_it_answers_a_persona_without_a_title_with_400_and_shows_its_parts(client):
    room = running_workshop()
    step = _segments(room)
    _signed_in(client, room.sales)

    response = _propose(client, step, Section.PERSONAS, goals="Less churn")

    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required" in html
    persona_group = re.search(r'<fieldset data-details-for="personas"[^>]*>', html).group(0)
    assert "hidden" not in persona_group, "the persona's parts are shown to fill in"
    assert "Less churn" in html, "what was typed stays"
    assert not Proposal.objects.exists()


def test_it_ignores_the_parts_of_a_section_not_chosen(client):
    room = running_workshop()
    step = _segments(room)
    _signed_in(client, room.sales)

    _propose(client, step, Section.CHANNELS, text="Webinars", title="Stray persona title", pain_point="Stray")

    proposal = Proposal.objects.get()
    assert (proposal.section, proposal.text, proposal.details) == (Section.CHANNELS, "Webinars", {})


def test_it_renders_only_the_chosen_sections_parts_enabled():
    from workshops.forms import ItemProposalForm

    room = running_workshop()
    step = _segments(room)

    form = ItemProposalForm({"section": Section.MESSAGING_MATRIX}, sections=step.sections)

    groups = {group.section: group.hidden for group in form.detail_groups}
    assert groups == {
        Section.VALUE_PROPOSITION: True,
        Section.MESSAGING_MATRIX: False,
        Section.PERSONAS: True,
    }
    assert form.fields["title"].disabled
    assert not form.fields["title"].required
    assert not form.fields["feature"].disabled
    assert form.fields["feature"].required


@pytest.mark.parametrize(
    ("section", "details", "field"),
    [
        (Section.PERSONAS, {"goals": "Growth"}, "title"),
        (Section.MESSAGING_MATRIX, {"pain_point": "Slow", "feature": "Sync"}, "benefit"),
        (Section.PERSONAS, {"title": "CFO", "budget": "big"}, None),
        (Section.PERSONAS, {"title": "x" * 501}, "title"),
        (Section.CHANNELS, {"title": "Not here"}, None),
        (Section.PERSONAS, {"title": ["a list"]}, "title"),
    ],
)
def test_the_service_refuses_parts_that_do_not_fit_the_section(section, details, field):
    room = running_workshop()
    step = _segments(room)

    with pytest.raises(ValidationError) as refused:
        proposal_add(step=step, user=room.sales, section=section, text="Something", details=details)

    if field:
        assert field in refused.value.message_dict
    assert not Proposal.objects.exists()


def test_it_edits_a_personas_parts_and_refuses_a_stale_edit_showing_theirs(client):
    room = running_workshop()
    step = _segments(room)
    proposal = proposal_add(step=step, user=room.sales, section=Section.PERSONAS, details=PERSONA)
    loaded = proposal.revision
    proposal_edit(
        proposal=proposal, user=room.facilitator, revision=loaded, text="", details={**PERSONA, "goals": "Forecasts"}
    )
    _signed_in(client, room.sales)

    response = client.post(
        reverse("workshops:proposal_edit", args=[proposal.pk]),
        {"revision": loaded, "text": "", "title": "Head of RevOps", "goals": "My goals"},
        headers=HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "Forecasts" in html, "the other person's parts are shown"
    assert "My goals" in html, "their own stay in the form"
    assert Proposal.objects.get().details["goals"] == "Forecasts"
    saved = client.post(
        reverse("workshops:proposal_edit", args=[proposal.pk]),
        {"revision": loaded + 1, "text": "", "title": "Head of RevOps", "goals": "My goals"},
    )
    assert saved.status_code == 302
    assert Proposal.objects.get().details == {"title": "Head of RevOps", "goals": "My goals"}


def test_closing_writes_the_parts_into_the_profile_and_its_page_shows_them_as_a_table(client):
    room = running_workshop()
    step = _segments(room)
    persona = proposal_add(step=step, user=room.sales, section=Section.PERSONAS, details=PERSONA)
    row = proposal_add(step=step, user=room.marketing, section=Section.MESSAGING_MATRIX, details=ROW)
    for proposal in (persona, row):
        proposal_decide(proposal=proposal, user=room.facilitator, status=ItemStatus.AGREED)

    workshop_close(workshop=room.workshop, user=room.facilitator)

    items = {item.section: item for item in ProfileItem.objects.filter(profile=room.workshop.profile)}
    assert items[Section.PERSONAS].details == PERSONA
    assert items[Section.MESSAGING_MATRIX].details == ROW
    assert items[Section.PERSONAS].status == ItemStatus.AGREED
    _signed_in(client, room.sales)
    html = client.get(reverse("profiles:detail", args=[room.workshop.profile.pk])).content.decode()
    assert html.count('data-testid="section-table"') == 2
    assert '<th scope="col">Objections</th>' in html
    persona_row = re.search(rf'<tr id="item-{items[Section.PERSONAS].pk}".*?</tr>', html, flags=re.DOTALL).group(0)
    cells = [" ".join(cell.split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", persona_row, flags=re.DOTALL)]
    assert cells[:3] == ["Head of RevOps", "One pipeline view<br>Clean data", "Another tool to feed"]


def test_the_summary_keeps_the_parts(client):
    room = running_workshop()
    step = _segments(room)
    persona = proposal_add(step=step, user=room.sales, section=Section.PERSONAS, details=PERSONA)
    proposal_decide(proposal=persona, user=room.facilitator, status=ItemStatus.AGREED)

    workshop = workshop_close(workshop=room.workshop, user=room.facilitator)

    assert ["Goals", "One pipeline view\nClean data"] in workshop.summary["agreed"][0]["details"]
    assert "Objections: Another tool to feed" in summary_markdown(workshop.summary)


def test_it_renders_a_script_in_the_parts_inert_for_everyone(client):
    room = running_workshop()
    step = _segments(room)
    persona = proposal_add(
        step=step,
        user=room.sales,
        section=Section.PERSONAS,
        details={"title": SCRIPT, "goals": SCRIPT, "objections": SCRIPT},
    )
    row = proposal_add(
        step=step,
        user=room.marketing,
        section=Section.MESSAGING_MATRIX,
        details={"pain_point": SCRIPT, "feature": SCRIPT, "benefit": SCRIPT},
    )
    value = proposal_add(
        step=step,
        user=room.success,
        section=Section.VALUE_PROPOSITION,
        text="Audit-ready",
        details={"industry": SCRIPT},
    )

    pages = []
    _signed_in(client, room.success)
    pages.append(client.get(reverse("workshops:step", args=[step.pk])))
    pages.append(client.get(reverse("workshops:proposals", args=[step.pk])))
    _signed_in(client, room.sales)  # the persona's author: only they (and the facilitator) open its edit form
    pages.append(client.get(reverse("workshops:proposal_edit", args=[persona.pk])))
    _signed_in(client, room.facilitator)
    pages.append(client.get(reverse("workshops:board", args=[step.pk])))
    for proposal in (persona, row, value):
        proposal_decide(proposal=proposal, user=room.facilitator, status=ItemStatus.AGREED)
    workshop_close(workshop=room.workshop, user=room.facilitator)
    profile = room.workshop.profile
    pages.append(client.get(reverse("workshops:summary", args=[room.workshop.pk])))
    pages.append(client.get(reverse("profiles:detail", args=[profile.pk])))
    pages.append(client.get(reverse("profiles:print", args=[profile.pk])))
    item = ProfileItem.objects.get(profile=profile, section=Section.PERSONAS)
    pages.append(client.get(reverse("profiles:item_edit", args=[item.pk]), headers=HTMX))

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "<script>document.title" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;document.title=&quot;owned&quot;&lt;/script&gt;" in html

    markdown = client.get(reverse("profiles:export_markdown", args=[profile.pk])).content.decode()
    assert "<script>" not in markdown
    assert not re.search(r"(?<!\\)<(script|img)", markdown), "every < of theirs is escaped"
    assert "\\<script\\>document.title" in markdown
    summary = client.get(reverse("workshops:summary_export", args=[room.workshop.pk])).content.decode()
    assert "<script>" not in summary
