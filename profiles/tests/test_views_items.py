import pytest
from django.urls import reverse

from profiles.models import ItemStatus, ProfileItem
from profiles.tests.factories import make_item, make_profile
from teams.models import Role

HTMX = {"HTTP_HX_REQUEST": "true"}
DECIDERS = [Role.ADMIN, Role.FACILITATOR]
PROPOSERS = [Role.MEMBER, Role.SALES_REP]


def _add_url(profile, section="pain_points"):
    return reverse("profiles:item_add", kwargs={"profile_id": profile.pk, "section": section})


def _edit_url(item):
    return reverse("profiles:item_edit", kwargs={"item_id": item.pk})


def _status_url(item):
    return reverse("profiles:item_status", kwargs={"item_id": item.pk})


@pytest.mark.parametrize("role", PROPOSERS)
def test_it_adds_a_proposal_whatever_status_a_member_asks_for(client_as, role):
    client = client_as(role)
    profile = make_profile()

    response = client.post(
        _add_url(profile), {"add-pain_points-text": "Spreadsheets", "add-pain_points-status": "agreed"}
    )

    item = profile.items.get()
    assert response.status_code == 302
    assert (item.text, item.status, item.author) == ("Spreadsheets", ItemStatus.PROPOSED, client.person)


@pytest.mark.parametrize("role", DECIDERS)
def test_it_lets_a_facilitator_add_an_agreed_item(client_as, role):
    client = client_as(role)
    profile = make_profile()

    client.post(_add_url(profile), {"add-pain_points-text": "Spreadsheets", "add-pain_points-status": "agreed"})

    assert profile.items.get().status == ItemStatus.AGREED


def test_it_adds_a_double_submitted_item_once(client_as):
    client = client_as(Role.MEMBER)
    profile = make_profile()
    data = {"add-needs-text": "An audit trail"}

    first = client.post(_add_url(profile, "needs"), data)
    second = client.post(_add_url(profile, "needs"), data)

    assert profile.items.count() == 1
    assert first.url == second.url, "both land on the same item"


def test_it_keeps_the_parts_of_a_messaging_matrix_row(client_as):
    client = client_as(Role.FACILITATOR)
    profile = make_profile()
    prefix = "add-messaging_matrix-"
    parts = {"pain_point": "Manual exports", "feature": "CRM sync", "benefit": "Hours saved"}

    client.post(_add_url(profile, "messaging_matrix"), {prefix + name: value for name, value in parts.items()})

    item = profile.items.get()
    assert item.details == parts
    assert item.text == "Manual exports → CRM sync → Hours saved"


def test_it_refuses_a_persona_without_a_title_with_400(client_as):
    client = client_as(Role.FACILITATOR)
    profile = make_profile()

    response = client.post(_add_url(profile, "personas"), {"add-personas-goals": "Less churn"})

    assert response.status_code == 400
    assert not profile.items.exists()


def test_it_answers_an_unknown_section_with_404(client_as):
    response = client_as(Role.ADMIN).post(_add_url(make_profile(), "hobbies"), {"add-hobbies-text": "Golf"})

    assert response.status_code == 404


def test_it_lets_a_member_edit_their_own_proposal(client_as):
    client = client_as(Role.MEMBER)
    item = make_item(author=client.person, text="Old")

    response = client.post(_edit_url(item), {f"item{item.pk}-text": "New", f"item{item.pk}-revision": 1})

    assert response.status_code == 302
    assert ProfileItem.objects.get(pk=item.pk).text == "New"


@pytest.mark.parametrize("role", PROPOSERS)
def test_it_refuses_a_member_editing_someone_elses_item_with_403(client_as, make_person, role):
    client = client_as(role)
    item = make_item(author=make_person(Role.MEMBER))

    assert client.get(_edit_url(item)).status_code == 403
    assert (
        client.post(_edit_url(item), {f"item{item.pk}-text": "Mine", f"item{item.pk}-revision": 1}).status_code == 403
    )
    assert ProfileItem.objects.get(pk=item.pk).text == "Manual reporting"


def test_it_refuses_a_member_editing_their_own_agreed_item_with_403(client_as):
    client = client_as(Role.MEMBER)
    item = make_item(author=client.person, status=ItemStatus.AGREED)

    response = client.post(_edit_url(item), {f"item{item.pk}-text": "Mine", f"item{item.pk}-revision": 1})

    assert response.status_code == 403


@pytest.mark.parametrize("role", PROPOSERS)
def test_it_refuses_a_member_setting_a_status_with_403(client_as, role):
    client = client_as(role)
    item = make_item(author=client.person)

    response = client.post(_status_url(item), {"status": "agreed", "revision": 1})

    assert response.status_code == 403
    assert ProfileItem.objects.get(pk=item.pk).status == ItemStatus.PROPOSED


@pytest.mark.parametrize("status", [ItemStatus.AGREED, ItemStatus.REJECTED])
def test_it_lets_a_facilitator_decide_on_an_item(client_as, status):
    client = client_as(Role.FACILITATOR)
    item = make_item()

    response = client.post(_status_url(item), {"status": status, "revision": 1}, **HTMX)

    assert response.status_code == 200
    assert f'id="item-{item.pk}"' in response.content.decode()
    assert ProfileItem.objects.get(pk=item.pk).status == status


def test_it_refuses_a_stale_edit_with_409_and_shows_the_other_text(client_as):
    client = client_as(Role.FACILITATOR)
    item = make_item(text="Slow onboarding")
    seen_form = client.get(_edit_url(item), **HTMX)
    assert f'name="item{item.pk}-revision" value="1"' in seen_form.content.decode()
    client.post(_edit_url(item), {f"item{item.pk}-text": "Onboarding takes months", f"item{item.pk}-revision": 1})

    response = client.post(
        _edit_url(item), {f"item{item.pk}-text": "My late text", f"item{item.pk}-revision": 1}, **HTMX
    )

    page = response.content.decode()
    assert response.status_code == 409
    assert "Onboarding takes months" in page, "the other person's text is shown"
    assert "My late text" in page, "the person's own text is kept in the form"
    assert f'name="item{item.pk}-revision" value="2"' in page
    assert ProfileItem.objects.get(pk=item.pk).text == "Onboarding takes months"


def test_it_refuses_a_decision_on_an_item_changed_meanwhile_with_409(client_as):
    client = client_as(Role.ADMIN)
    item = make_item(text="Slow onboarding")
    client.post(_edit_url(item), {f"item{item.pk}-text": "Onboarding takes months", f"item{item.pk}-revision": 1})

    response = client.post(_status_url(item), {"status": "agreed", "revision": 1}, **HTMX)

    assert response.status_code == 409
    assert ProfileItem.objects.get(pk=item.pk).status == ItemStatus.PROPOSED


def test_it_shows_an_items_history(client_as):
    client = client_as(Role.SALES_REP)
    item = make_item(text="First words")
    from profiles.services.items import profile_item_update

    profile_item_update(item=item, user=None, text="Second words")

    response = client.get(reverse("profiles:item_history", kwargs={"item_id": item.pk}), **HTMX)

    page = response.content.decode()
    assert page.index("Second words") < page.index("First words"), "newest first"
    assert "<html" not in page


def _persona(**fields):
    from profiles.services.items import profile_item_add

    details = {"title": "Head of RevOps", "goals": "Clean pipeline"} | fields
    return profile_item_add(
        profile=make_profile(), section="personas", text=details["title"], details=details, author=None
    )


def test_it_shows_a_structured_section_as_a_table_and_edits_a_row_in_place(client_as):
    client = client_as(Role.FACILITATOR)
    item = _persona()
    prefix = f"item{item.pk}-"

    page = client.get(reverse("profiles:detail", kwargs={"profile_id": item.profile_id})).content.decode()
    form = client.get(_edit_url(item), **HTMX).content.decode()
    saved = client.post(
        _edit_url(item),
        {prefix + "revision": 1, prefix + "title": "Head of RevOps", prefix + "objections": "Yet another tool"},
        **HTMX,
    )
    decided = client.post(_status_url(item), {"status": "agreed", "revision": 2}, **HTMX)

    assert 'data-testid="section-table"' in page
    assert f'<tr id="item-{item.pk}"' in page
    assert form.strip().startswith(f'<tr id="item-{item.pk}"'), "the edit form takes the row's place"
    assert 'colspan="5"' in form
    assert saved.content.decode().strip().startswith(f'<tr id="item-{item.pk}"')
    assert ProfileItem.objects.get(pk=item.pk).details == {"title": "Head of RevOps", "objections": "Yet another tool"}
    assert decided.status_code == 200
    assert decided.content.decode().strip().startswith(f'<tr id="item-{item.pk}"')


def test_it_answers_a_stale_edit_of_a_row_with_409_and_their_parts(client_as):
    client = client_as(Role.ADMIN)
    item = _persona()
    prefix = f"item{item.pk}-"
    client.post(
        _edit_url(item), {prefix + "revision": 1, prefix + "title": "Head of RevOps", prefix + "goals": "Theirs"}
    )

    response = client.post(
        _edit_url(item), {prefix + "revision": 1, prefix + "title": "Head of RevOps", prefix + "goals": "Mine"}, **HTMX
    )

    page = response.content.decode()
    assert response.status_code == 409
    assert "Theirs" in page
    assert "Mine" in page
    assert ProfileItem.objects.get(pk=item.pk).details["goals"] == "Theirs"


def test_it_refuses_parts_that_do_not_fit_the_section_in_the_service(db):
    from django.core.exceptions import ValidationError

    from profiles.services.items import profile_item_add, profile_item_update

    with pytest.raises(ValidationError):
        profile_item_add(profile=make_profile(), section="personas", text="CFO", details={"goals": "x"}, author=None)
    item = _persona()
    with pytest.raises(ValidationError):
        profile_item_update(item=item, user=None, details={"title": "CFO", "budget": "big"})
    assert ProfileItem.objects.get(pk=item.pk).details == {"title": "Head of RevOps", "goals": "Clean pipeline"}
