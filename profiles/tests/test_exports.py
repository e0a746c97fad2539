import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from profiles.models import ItemStatus
from profiles.services.exemplars import exemplar_add
from profiles.services.items import profile_item_add
from profiles.tests.factories import make_item, make_profile
from teams.models import Role


@pytest.fixture
def profile(db):
    profile = make_profile(name="Mid-market SaaS")
    make_item(profile, section="pain_points", text="Manual reporting", status=ItemStatus.AGREED)
    make_item(profile, section="firmographics", text="50–500 employees", status=ItemStatus.AGREED)
    make_item(profile, section="needs", text="Still only proposed", status=ItemStatus.PROPOSED)
    make_item(profile, section="needs", text="Was rejected", status=ItemStatus.REJECTED)
    profile_item_add(
        profile=profile,
        section="personas",
        text="Head of RevOps",
        details={"title": "Head of RevOps", "goals": "Clean pipeline"},
        author=None,
        status=ItemStatus.AGREED,
    )
    exemplar_add(profile=profile, customer=CustomerFactory(name="Acme GmbH"), reason="clv", user=None, status="agreed")
    exemplar_add(
        profile=profile, customer=CustomerFactory(name="Proposed Co"), reason="clv", user=None, status="proposed"
    )
    return profile


def _print(client, profile):
    return client.get(reverse("profiles:print", kwargs={"profile_id": profile.pk})).content.decode()


def _markdown(client, profile):
    return client.get(reverse("profiles:export_markdown", kwargs={"profile_id": profile.pk}))


@pytest.mark.parametrize("export", [_print, lambda client, profile: _markdown(client, profile).content.decode()])
def test_it_shows_only_agreed_items_and_exemplars(client_as, profile, export):
    text = export(client_as(Role.SALES_REP), profile)

    assert "Manual reporting" in text
    assert "50–500 employees" in text
    assert "Head of RevOps" in text
    assert "Clean pipeline" in text
    assert "Acme GmbH" in text
    assert "Still only proposed" not in text
    assert "Was rejected" not in text
    assert "Proposed Co" not in text
    assert "Needs" not in text, "a section without agreed items is left out"


@pytest.mark.parametrize("export", [_print, lambda client, profile: _markdown(client, profile).content.decode()])
def test_it_keeps_the_sections_in_order(client_as, profile, export):
    text = export(client_as(Role.MEMBER), profile)

    assert text.index("Firmographics") < text.index("Pain points") < text.index("Buyer personas")


def test_it_downloads_markdown(client_as, profile):
    response = _markdown(client_as(Role.MEMBER), profile)

    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="mid-market-saas.md"'
    assert response.content.decode().startswith("# Mid-market SaaS\n")
    assert "## Pain points\n\n- Manual reporting\n" in response.content.decode()


def test_it_keeps_an_items_lines_inside_its_list_item(client_as, db):
    profile = make_profile()
    make_item(profile, text="First line\n# not a heading", status=ItemStatus.AGREED)

    text = _markdown(client_as(Role.MEMBER), profile).content.decode()

    assert "- First line\n  # not a heading" in text


def test_it_exports_the_structured_sections_as_tables(client_as, db):
    profile = make_profile()
    profile_item_add(
        profile=profile,
        section="messaging_matrix",
        text="Manual exports → CRM sync → Hours | saved",
        details={"pain_point": "Manual exports", "feature": "CRM sync", "benefit": "Hours | saved"},
        author=None,
        status=ItemStatus.AGREED,
    )
    profile_item_add(
        profile=profile,
        section="personas",
        text="CFO",
        details={"title": "CFO", "goals": "Forecasts\nFewer tools"},
        author=None,
        status=ItemStatus.AGREED,
    )

    text = _markdown(client_as(Role.MEMBER), profile).content.decode()

    assert (
        "| Pain point | Feature | Benefit |\n| --- | --- | --- |\n| Manual exports | CRM sync | Hours \\| saved |"
        in text
    )
    assert "| Title | Goals | Objections |\n| --- | --- | --- |\n| CFO | Forecasts<br>Fewer tools |  |" in text


def test_it_prints_the_structured_sections_as_tables(client_as, db):
    profile = make_profile()
    profile_item_add(
        profile=profile,
        section="value_proposition",
        text="Audit-ready scoring",
        details={"industry": "Healthcare"},
        author=None,
        status=ItemStatus.AGREED,
    )

    page = _print(client_as(Role.MEMBER), profile)

    assert 'data-testid="section-table"' in page
    assert '<th scope="col">Industry</th>' in page
    assert page.index("Healthcare") < page.index("Audit-ready scoring"), "industry first, then the proposition"


def test_it_escapes_what_people_wrote_so_a_renderer_shows_it_as_text(client_as, db):
    profile = make_profile(name="<b>Bold</b> profile")
    make_item(profile, text="<script>alert(1)</script> and a \\ backslash", status=ItemStatus.AGREED)

    text = _markdown(client_as(Role.MEMBER), profile).content.decode()

    assert text.startswith("# \\<b\\>Bold\\</b\\> profile\n")
    assert "- \\<script\\>alert(1)\\</script\\> and a \\\\ backslash" in text


def test_the_markdown_dates_read_as_every_page_shows_them(client_as, profile):
    profile.agreed_at = timezone.make_aware(datetime.datetime(2026, 3, 5, 14, 0))
    profile.review_on = datetime.date(2026, 9, 30)
    profile.save()

    text = _markdown(client_as(Role.MEMBER), profile).content.decode()

    assert "Agreed on 5 Mar 2026; review on 30 Sep 2026; exported on " in text
    assert "2026-03-05" not in text
