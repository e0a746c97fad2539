from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from customers.models import Customer
from teams.models import Role

User = get_user_model()


def _seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_creates_one_person_per_role_and_team_and_the_customers(settings):
    settings.DEBUG = True

    output = _seed("--customers", "300", "--seed", "3")

    assert Customer.objects.count() == 300
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    members = User.objects.filter(role=Role.MEMBER)
    assert {member.team.slug for member in members} == {"marketing", "sales", "customer-success"}
    assert "password for all: icp-demo" in output
    assert User.objects.get(username="rep").check_password("icp-demo")
    owners = set(Customer.objects.exclude(owner=None).values_list("owner__role", flat=True))
    assert owners == {Role.SALES_REP}


@pytest.mark.django_db
def test_it_loads_the_same_base_for_the_same_seed():
    _seed("--customers", "200", "--seed", "5")
    first = list(Customer.objects.order_by("external_id").values_list("external_id", "name", "annual_revenue"))

    _seed("--customers", "200", "--seed", "5")

    again = list(Customer.objects.order_by("external_id").values_list("external_id", "name", "annual_revenue"))
    assert again == first


@pytest.mark.django_db
def test_it_replaces_the_base_on_a_reload():
    _seed("--customers", "200")

    _seed("--customers", "50")

    assert Customer.objects.count() == 50


@pytest.mark.django_db
def test_it_keeps_an_existing_base_when_asked_to_load_only_if_empty():
    _seed("--customers", "80")

    output = _seed("--customers", "500", "--if-empty")

    assert Customer.objects.count() == 80
    assert "already loaded" in output


@pytest.mark.django_db
def test_it_does_not_print_passwords_outside_development(settings):
    settings.DEBUG = False

    output = _seed("--customers", "10")

    assert "icp-demo" not in output
    assert not User.objects.get(username="rep").check_password("icp-demo")


@pytest.mark.django_db
def test_it_refuses_a_negative_count():
    with pytest.raises(CommandError, match="zero or more"):
        _seed("--customers", "-1")


@pytest.mark.django_db
def test_it_scores_the_demo_base_by_the_published_classic_rubric():
    from rubrics import scoring
    from rubrics.models import Score
    from rubrics.selectors import customer_attributes, version_spec

    output = _seed("--customers", "120", "--seed", "4")

    scores = Score.objects.select_related("customer", "version")
    assert scores.count() == 120
    assert "Scored 120 customers by “Core ICP: Lead score” v1" in output
    spec = version_spec(scores.first().version)
    for stored in scores:
        expected = scoring.score(spec, customer_attributes(stored.customer))
        assert (stored.total, stored.qualified, stored.matched) == (
            expected.total,
            expected.qualified,
            expected.matched_mask,
        )
    assert 0 < scores.filter(qualified=True).count() < 120, "some qualify, not all"


@pytest.mark.django_db
def test_it_builds_the_similar_accounts_of_every_customer():
    from lookalikes.models import AccountVector, ModelStatus, SimilarityModel

    _seed("--customers", "150", "--seed", "6")
    output = _seed("--customers", "120", "--seed", "4")

    model = SimilarityModel.objects.get(status=ModelStatus.READY)
    vectors = set(AccountVector.objects.filter(model=model).values_list("customer_id", flat=True))
    assert vectors == set(Customer.objects.values_list("pk", flat=True)), "the reloaded base, every customer"
    assert model.accounts == 120
    assert "Built the similar accounts of 120 customers" in output


@pytest.mark.django_db
def test_it_builds_the_similar_accounts_of_a_kept_base_only_when_none_are_built():
    from lookalikes.models import SimilarityModel

    _seed("--customers", "40", "--skip-similar-accounts")
    first = _seed("--customers", "500", "--if-empty")
    again = _seed("--customers", "500", "--if-empty")

    assert "Built the similar accounts of 40 customers" in first
    assert "Built the similar accounts" not in again
    assert SimilarityModel.objects.count() == 1
