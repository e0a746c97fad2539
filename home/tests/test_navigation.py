"""The menu: each person's items, the open page marked, whichever menu the process drew before."""

import re

import pytest
from django.urls import reverse

from teams.models import Role

pytestmark = pytest.mark.django_db


def _menu(response) -> list[tuple[str, bool]]:
    """The menu's links as (text, whether marked as the open page)."""
    menu = re.search(r'data-testid="main-menu">(.*?)</ul>', response.content.decode(), re.S).group(1)
    links = re.findall(
        r'<a class="nav-link text-nowrap( active)?"\s+href="[^"]+"\s*(aria-current="page")?>([^<]+)</a>', menu
    )
    assert all(bool(active) == bool(current) for active, current, _ in links)
    return [(text, bool(active)) for active, _, text in links]


def test_it_marks_the_open_page_in_the_menu(client_as):
    client = client_as(Role.ADMIN)

    on_leads = _menu(client.get(reverse("leads:list")))
    on_home = _menu(client.get(reverse("home")))

    assert [text for text, active in on_leads if active] == ["Leads"]
    assert [text for text, active in on_home if active] == ["Home"]
    assert [text for text, _ in on_leads] == [text for text, _ in on_home]


def test_it_draws_each_role_its_own_menu(client_as):
    admin = [text for text, _ in _menu(client_as(Role.ADMIN).get(reverse("home")))]
    member = [text for text, _ in _menu(client_as(Role.MEMBER).get(reverse("home")))]

    assert {"People", "Rubrics", "Leads"} <= set(admin)
    assert not {"People", "Rubrics", "Leads"} & set(member)
    assert member[:4] == ["Home", "Customers", "Profiles", "Workshops"]
