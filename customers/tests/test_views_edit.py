import datetime

from django.urls import reverse

from customers.forms import FORM_FIELDS, CustomerForm
from customers.models import ChangeSource, Customer, CustomerChange
from customers.services.records import customer_update
from customers.tests.factories import CustomerFactory
from teams.models import Role


def _form_data(customer, **changes):
    """What the edit form posts, as a browser would send it after the person's changes."""
    form = CustomerForm(instance=customer)
    data = {}
    for name in [*FORM_FIELDS, "loaded_updated_at"]:
        value = form[name].value()
        data[name] = "" if value is None else value
    data.update(changes)
    return data


def test_it_saves_an_edit_through_the_service_with_the_web_source(client_as):
    client = client_as(Role.ADMIN)
    customer = CustomerFactory(employees=250, industry="Software")

    response = client.post(
        reverse("customers:edit", args=[customer.pk]), _form_data(customer, employees="300", industry="Energy")
    )

    assert response.status_code == 302, response.context["form"].errors
    customer.refresh_from_db()
    assert (customer.employees, customer.industry) == (300, "Energy")
    change = CustomerChange.objects.get(customer=customer)
    assert change.source == ChangeSource.WEB
    assert change.changed_by == client.person
    assert change.changes == {"employees": [250, 300], "industry": ["Software", "Energy"]}


def test_it_offers_only_active_sales_reps_as_owners(client_as, make_person):
    client = client_as(Role.ADMIN)
    rep = make_person(Role.SALES_REP)
    make_person(Role.SALES_REP, is_active=False, username="gone")
    make_person(Role.MEMBER, username="member")
    customer = CustomerFactory()

    form = client.get(reverse("customers:edit", args=[customer.pk])).context["form"]

    assert list(form.fields["owner"].queryset) == [rep]


def test_it_refuses_an_owner_who_is_not_an_active_rep(client_as, make_person):
    client = client_as(Role.ADMIN)
    member = make_person(Role.MEMBER)
    customer = CustomerFactory()

    response = client.post(reverse("customers:edit", args=[customer.pk]), _form_data(customer, owner=member.pk))

    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    customer.refresh_from_db()
    assert customer.owner is None


def test_it_refuses_a_hidden_character_as_the_api_and_the_import_do(client_as):
    client = client_as(Role.ADMIN)
    customer = CustomerFactory(name="Acme", extra={})

    response = client.post(
        reverse("customers:edit", args=[customer.pk]),
        _form_data(customer, name="Ac\u202eme", industry="Soft\u0007ware", extra='{"note": "a\u2066b"}'),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["name"] == ["Bidirectional override characters are not allowed (U+202E): they disguise the text."]
    assert errors["industry"] == ["Control characters are not allowed (U+0007)."]
    assert errors["extra"] == ["Bidirectional override characters are not allowed (U+2066): they disguise the text."]
    customer.refresh_from_db()
    assert customer.name == "Acme"


def test_it_refuses_a_stale_form_with_409_without_overwriting(client_as, make_person):
    client = client_as(Role.ADMIN)
    customer = CustomerFactory(employees=250, industry="Software")
    stale = _form_data(customer, industry="Energy")
    other = make_person(Role.ADMIN, first_name="Olive", last_name="Other")
    customer_update(customer=customer, values={"industry": "Retail"}, user=other, source=ChangeSource.API)

    response = client.post(reverse("customers:edit", args=[customer.pk]), stale)

    assert response.status_code == 409
    content = response.content.decode()
    assert "your changes were not saved" in content
    assert "Olive Other" in content
    assert Customer.objects.get(pk=customer.pk).industry == "Retail"
    fresh_stamp = response.context["form"]["loaded_updated_at"].value()
    assert datetime.datetime.fromisoformat(fresh_stamp) == Customer.objects.get(pk=customer.pk).updated_at


def test_it_saves_after_a_conflict_once_the_person_has_seen_it(client_as):
    client = client_as(Role.ADMIN)
    customer = CustomerFactory(industry="Software")
    stale = _form_data(customer, industry="Energy")
    customer_update(customer=customer, values={"industry": "Retail"}, user=None, source=ChangeSource.API)
    conflict = client.post(reverse("customers:edit", args=[customer.pk]), stale)

    again = client.post(
        reverse("customers:edit", args=[customer.pk]),
        {**stale, "loaded_updated_at": conflict.context["form"]["loaded_updated_at"].value()},
    )

    assert again.status_code == 302
    assert Customer.objects.get(pk=customer.pk).industry == "Energy"


def test_it_keeps_the_edit_for_admins(client_as):
    customer = CustomerFactory(industry="Software")
    for role in (Role.SALES_REP, Role.MEMBER, Role.FACILITATOR):
        client = client_as(role)

        response = client.post(reverse("customers:edit", args=[customer.pk]), _form_data(customer, industry="Energy"))

        assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).industry == "Software"
