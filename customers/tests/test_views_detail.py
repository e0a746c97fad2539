import pytest
from django.urls import reverse

from customers.models import ChangeSource
from customers.services.records import customer_update
from customers.tests.factories import CustomerFactory
from teams.models import Role


@pytest.mark.parametrize("role", Role.values)
def test_it_shows_every_group_of_fields_to_every_role(client_as, role):
    client = client_as(role)
    customer = CustomerFactory(name="Northwind Software", employees=250, extra={"segment": "enterprise"})

    response = client.get(reverse("customers:detail", args=[customer.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    for title in ("Firmographics", "Pipeline", "Engagement", "Product usage", "Advocacy and feedback"):
        assert title in content
    assert "Extra attributes" in content
    assert "segment" in content
    assert "enterprise" in content


def test_it_shows_unknown_values_as_no_data_and_zero_as_zero(client_as):
    client = client_as(Role.MEMBER)
    customer = CustomerFactory(nps=None, referrals_made=0, has_case_study=None, has_public_review=False)

    response = client.get(reverse("customers:detail", args=[customer.pk]))

    rows = dict(next(s for s in response.context["sections"] if s.title == "Advocacy and feedback").rows)
    assert rows["NPS (latest, 0-10)"] is None
    assert rows["Referrals made"] == "0"
    assert rows["Case study"] is None
    assert rows["Public review"] == "No"
    assert "no data" in response.content.decode()


def test_it_shows_the_change_history_newest_first(client_as, make_person):
    client = client_as(Role.SALES_REP)
    admin = make_person(Role.ADMIN, first_name="Avery", last_name="Admin")
    customer = CustomerFactory(employees=None, industry="Retail")
    customer_update(customer=customer, values={"employees": 120}, user=admin, source=ChangeSource.WEB)
    customer_update(customer=customer, values={"industry": "Energy"}, user=None, source=ChangeSource.IMPORT)

    response = client.get(reverse("customers:detail", args=[customer.pk]))

    history = response.context["history"]
    assert [entry.fields for entry in history] == [
        [("Industry", "Retail", "Energy")],
        [("Employees", None, "120")],
    ]
    content = response.content.decode()
    assert content.index("Energy") < content.index("Avery Admin")
    assert "Import" in content


def test_it_offers_edit_and_delete_to_admins_only(client_as):
    customer = CustomerFactory()
    url = reverse("customers:detail", args=[customer.pk])

    rep_page = client_as(Role.SALES_REP).get(url).content.decode()
    admin_page = client_as(Role.ADMIN).get(url).content.decode()

    assert reverse("customers:edit", args=[customer.pk]) not in rep_page
    assert reverse("customers:edit", args=[customer.pk]) in admin_page
    assert reverse("customers:delete", args=[customer.pk]) in admin_page


def test_it_answers_404_for_an_unknown_customer(client_as):
    response = client_as(Role.MEMBER).get(reverse("customers:detail", args=[999999]))

    assert response.status_code == 404


def test_the_history_shows_a_changed_date_as_the_pages_show_dates(client_as):
    customer = CustomerFactory(closed_on=None)
    customer_update(customer=customer, values={"closed_on": "2026-03-05"}, user=None, source=ChangeSource.IMPORT)
    customer_update(customer=customer, values={"closed_on": "2026-11-30"}, user=None, source=ChangeSource.IMPORT)

    response = client_as(Role.SALES_REP).get(reverse("customers:detail", args=[customer.pk]))

    assert [entry.fields for entry in response.context["history"]] == [
        [("Closed on", "5 Mar 2026", "30 Nov 2026")],
        [("Closed on", None, "5 Mar 2026")],
    ]
