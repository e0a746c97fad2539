import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from teams.access import has_role, role_required
from teams.models import Role


@role_required(Role.ADMIN, Role.FACILITATOR)
def admins_and_facilitators(request):
    return HttpResponse("inside")


def _request(user):
    request = RequestFactory().get("/somewhere/?step=2")
    request.user = user
    return request


def test_it_sends_an_anonymous_visitor_to_login_with_the_way_back():
    from django.contrib.auth.models import AnonymousUser

    response = admins_and_facilitators(_request(AnonymousUser()))

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/somewhere/%3Fstep%3D2"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SALES_REP])
def test_it_refuses_a_wrong_role_with_403(make_person, role):
    with pytest.raises(PermissionDenied):
        admins_and_facilitators(_request(make_person(role)))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FACILITATOR])
def test_it_lets_the_right_roles_in(make_person, role):
    response = admins_and_facilitators(_request(make_person(role)))

    assert response.content == b"inside"


def test_it_refuses_a_deactivated_person(make_person):
    person = make_person(Role.ADMIN, is_active=False)

    assert not has_role(person, Role.ADMIN)


def test_it_records_who_may_use_the_view():
    assert admins_and_facilitators.allowed_roles == (Role.ADMIN, Role.FACILITATOR)


@pytest.mark.parametrize("roles", [(), ("superhero",)])
def test_it_rejects_unknown_roles_at_import_time(roles):
    with pytest.raises(ValueError, match="known roles"):
        role_required(*roles)
