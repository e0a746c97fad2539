from django.urls import reverse

from customers.models import ChangeAction, Customer, CustomerChange
from customers.tests.factories import CustomerFactory
from teams.models import Role


def test_it_asks_before_deleting(client_as):
    client = client_as(Role.ADMIN)
    customer = CustomerFactory(name="Northwind Software")

    response = client.get(reverse("customers:delete", args=[customer.pk]))

    assert response.status_code == 200
    assert "Delete Northwind Software?" in response.content.decode()
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_it_deletes_on_post_and_keeps_the_history(client_as):
    client = client_as(Role.ADMIN)
    customer = CustomerFactory(name="Northwind Software", external_id="CRM-9")

    response = client.post(reverse("customers:delete", args=[customer.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("customers:list")
    assert "Northwind Software is deleted" in response.content.decode()
    assert not Customer.objects.filter(pk=customer.pk).exists()
    change = CustomerChange.objects.get(external_id="CRM-9")
    assert (change.action, change.changed_by) == (ChangeAction.DELETED, client.person)


def test_it_lets_only_admins_delete(client_as):
    customer = CustomerFactory()
    for role in (Role.SALES_REP, Role.MEMBER, Role.FACILITATOR):
        response = client_as(role).post(reverse("customers:delete", args=[customer.pk]))

        assert response.status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()
