import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from profiles.models import ChecklistMark, Exemplar, ItemStatus, Profile
from profiles.services.exemplars import exemplar_add
from profiles.tests.factories import make_item, make_profile
from teams.models import Role

HTMX = {"HTTP_HX_REQUEST": "true"}
SCRIPT = "<script>alert('x')</script>"


def _detail(profile):
    return reverse("profiles:detail", kwargs={"profile_id": profile.pk})


@pytest.mark.parametrize("role", list(Role.values))
def test_it_lists_the_profiles_for_everyone(client_as, role):
    make_profile(name="Mid-market SaaS")

    response = client_as(role).get(reverse("profiles:list"))

    assert "Mid-market SaaS" in response.content.decode()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FACILITATOR])
def test_it_creates_a_profile(client_as, role):
    response = client_as(role).post(reverse("profiles:create"), {"name": "Enterprise"})

    assert response.url == _detail(Profile.objects.get(name="Enterprise"))


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SALES_REP])
def test_it_refuses_a_member_creating_a_profile_with_403(client_as, role):
    response = client_as(role).post(reverse("profiles:create"), {"name": "Enterprise"})

    assert response.status_code == 403
    assert not Profile.objects.exists()


def test_it_shows_every_section_with_its_items_and_authors(client_as, make_person):
    profile = make_profile()
    author = make_person(Role.MEMBER, first_name="Ada", last_name="Lovelace")
    make_item(profile, section="needs", text="An audit trail", author=author, status=ItemStatus.AGREED)

    page = client_as(Role.MEMBER).get(_detail(profile)).content.decode()

    assert "Buyer personas" in page
    assert "Product messaging" in page
    assert "An audit trail" in page
    assert "by Ada Lovelace" in page
    assert ">Agreed</span>" in page


def test_it_renders_a_script_in_an_item_inert(client_as):
    profile = make_profile()
    make_item(profile, text=SCRIPT, status=ItemStatus.AGREED)

    for url in (_detail(profile), reverse("profiles:print", kwargs={"profile_id": profile.pk})):
        page = client_as(Role.MEMBER).get(url).content.decode()

        assert SCRIPT not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_it_renders_a_script_in_an_items_parts_inert(client_as):
    from profiles.services.items import profile_item_add

    profile = make_profile()
    profile_item_add(
        profile=profile,
        section="personas",
        text=SCRIPT,
        details={"title": SCRIPT, "goals": SCRIPT, "objections": SCRIPT},
        author=None,
        status=ItemStatus.AGREED,
    )
    profile_item_add(
        profile=profile,
        section="messaging_matrix",
        text="Row",
        details={"pain_point": SCRIPT, "feature": SCRIPT, "benefit": SCRIPT},
        author=None,
        status=ItemStatus.AGREED,
    )
    profile_item_add(
        profile=profile,
        section="value_proposition",
        text="Value",
        details={"industry": SCRIPT},
        author=None,
        status=ItemStatus.AGREED,
    )

    for url in (_detail(profile), reverse("profiles:print", kwargs={"profile_id": profile.pk})):
        page = client_as(Role.MEMBER).get(url).content.decode()

        assert SCRIPT not in page
        assert page.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") >= 7


def test_it_shows_the_exemplars_linked_to_their_customer(client_as):
    profile = make_profile()
    customer = CustomerFactory(name="Acme GmbH")
    exemplar_add(
        profile=profile, customer=customer, reason="referrals", note="Sent us 4 deals", user=None, status="agreed"
    )

    page = client_as(Role.SALES_REP).get(_detail(profile)).content.decode()

    assert reverse("customers:detail", kwargs={"customer_id": customer.pk}) in page
    assert "Refers others" in page
    assert "Sent us 4 deals" in page


def test_it_shows_the_review_due_banner_once_the_date_is_reached(client_as):
    due = make_profile(review_on=timezone.localdate())
    ahead = make_profile(review_on=timezone.localdate() + datetime.timedelta(days=1))
    client = client_as(Role.MEMBER)

    assert "Review due" in client.get(_detail(due)).content.decode()
    assert "Review due" not in client.get(_detail(ahead)).content.decode()


def test_it_shows_checklist_steps_derived_from_agreed_items(client_as):
    profile = make_profile()
    make_item(profile, section="pain_points", status=ItemStatus.AGREED)
    make_item(profile, section="needs", status=ItemStatus.PROPOSED)

    checklist = client_as(Role.MEMBER).get(_detail(profile)).context["checklist"]

    assert [row.step for row in checklist if row.done] == ["pain_points"]


def test_it_derives_the_scoring_step_from_a_published_rubric(client_as):
    from rubrics.models import RubricVersion, VersionStatus
    from rubrics.tests.factories import rubric_with_draft

    version = rubric_with_draft()
    RubricVersion.objects.filter(pk=version.pk).update(status=VersionStatus.PUBLISHED)

    checklist = client_as(Role.MEMBER).get(_detail(version.rubric.profile)).context["checklist"]

    assert [row.step for row in checklist if row.done] == ["scoring"]


def test_it_lets_a_facilitator_mark_a_step_by_hand(client_as):
    profile = make_profile()

    response = client_as(Role.FACILITATOR).post(
        reverse("profiles:checklist_mark", kwargs={"profile_id": profile.pk}),
        {"step": "segments", "done": "on"},
        **HTMX,
    )

    assert response.status_code == 200
    assert "(marked)" in response.content.decode()
    assert ChecklistMark.objects.filter(profile=profile, step="segments").exists()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SALES_REP])
def test_it_refuses_a_member_marking_a_step_with_403(client_as, role):
    profile = make_profile()

    response = client_as(role).post(
        reverse("profiles:checklist_mark", kwargs={"profile_id": profile.pk}), {"step": "segments", "done": "on"}
    )

    assert response.status_code == 403
    assert not ChecklistMark.objects.exists()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SALES_REP])
def test_it_refuses_a_member_moving_the_review_date_with_403(client_as, role):
    profile = make_profile()

    response = client_as(role).post(
        reverse("profiles:review_set", kwargs={"profile_id": profile.pk}), {"review_on": "2030-01-01"}
    )

    assert response.status_code == 403
    assert Profile.objects.get(pk=profile.pk).review_on is None


def test_it_lets_a_facilitator_move_the_review_date(client_as):
    profile = make_profile()

    client_as(Role.FACILITATOR).post(
        reverse("profiles:review_set", kwargs={"profile_id": profile.pk}), {"review_on": "2030-01-01"}
    )

    assert Profile.objects.get(pk=profile.pk).review_on == datetime.date(2030, 1, 1)


# Exemplars


def test_it_finds_customers_by_name_for_the_exemplar_form(client_as):
    profile = make_profile()
    CustomerFactory(name="Acme GmbH")
    CustomerFactory(name="Globex")

    response = client_as(Role.MEMBER).get(
        reverse("profiles:customer_search", kwargs={"profile_id": profile.pk}), {"customer_q": "acm"}, **HTMX
    )

    page = response.content.decode()
    assert "Acme GmbH" in page
    assert "Globex" not in page


def test_it_finds_customers_without_javascript_on_the_profile_page(client_as):
    profile = make_profile()
    customer = CustomerFactory(name="Acme GmbH")

    page = client_as(Role.MEMBER).get(_detail(profile), {"customer_q": "acme"}).content.decode()

    assert f'<option value="{customer.pk}">Acme GmbH' in page


@pytest.mark.parametrize(("role", "status"), [(Role.FACILITATOR, "agreed"), (Role.MEMBER, "proposed")])
def test_it_adds_an_exemplar(client_as, role, status):
    profile = make_profile()
    customer = CustomerFactory()

    response = client_as(role).post(
        reverse("profiles:exemplar_add", kwargs={"profile_id": profile.pk}), {"customer": customer.pk, "reason": "clv"}
    )

    assert response.status_code == 302
    assert Exemplar.objects.get(profile=profile).status == status


def test_it_refuses_the_same_customer_twice_with_400(client_as):
    profile = make_profile()
    customer = CustomerFactory()
    exemplar_add(profile=profile, customer=customer, reason="clv", user=None, status="agreed")

    response = client_as(Role.ADMIN).post(
        reverse("profiles:exemplar_add", kwargs={"profile_id": profile.pk}),
        {"customer": customer.pk, "reason": "brand"},
    )

    assert response.status_code == 400
    assert Exemplar.objects.get().reason == "clv"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SALES_REP])
def test_it_refuses_a_member_removing_someone_elses_exemplar_with_403(client_as, make_person, role):
    exemplar = exemplar_add(
        profile=make_profile(), customer=CustomerFactory(), reason="clv", user=make_person(), status="proposed"
    )

    response = client_as(role).post(reverse("profiles:exemplar_remove", kwargs={"exemplar_id": exemplar.pk}))

    assert response.status_code == 403
    assert Exemplar.objects.exists()


def test_it_lets_a_member_remove_their_own_proposed_exemplar(client_as):
    client = client_as(Role.MEMBER)
    exemplar = exemplar_add(
        profile=make_profile(), customer=CustomerFactory(), reason="clv", user=client.person, status="proposed"
    )

    client.post(reverse("profiles:exemplar_remove", kwargs={"exemplar_id": exemplar.pk}))

    assert not Exemplar.objects.exists()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SALES_REP])
def test_it_refuses_a_member_agreeing_an_exemplar_with_403(client_as, role):
    exemplar = exemplar_add(
        profile=make_profile(), customer=CustomerFactory(), reason="clv", user=None, status="proposed"
    )

    response = client_as(role).post(
        reverse("profiles:exemplar_status", kwargs={"exemplar_id": exemplar.pk}), {"status": "agreed"}
    )

    assert response.status_code == 403
    assert Exemplar.objects.get().status == "proposed"


def test_it_derives_data_gathered_from_an_agreed_exemplar(client_as):
    exemplar = exemplar_add(
        profile=make_profile(), customer=CustomerFactory(), reason="clv", user=None, status="proposed"
    )
    client = client_as(Role.ADMIN)

    client.post(reverse("profiles:exemplar_status", kwargs={"exemplar_id": exemplar.pk}), {"status": "agreed"})

    checklist = client.get(_detail(exemplar.profile)).context["checklist"]
    assert [row.step for row in checklist if row.done] == ["data_gathered"]
