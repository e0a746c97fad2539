"""The pages, panel, export, assignment and API of similar accounts, on a small base."""

import pytest
from django.urls import reverse

from customers.models import Customer
from customers.services.records import customer_update
from customers.tests.factories import CustomerFactory
from leads.models import SavedLeadView
from lookalikes.models import AccountVector, ModelStatus, SimilarityModel
from lookalikes.services import similarity_build_now
from lookalikes.tests.conftest import module_base
from profiles.models import Exemplar, Profile
from teams.models import Role


def _small_base():
    seed = CustomerFactory(external_id="SEED-1", name="Seed Co", contact_titles="VP Sales")
    twin = CustomerFactory(external_id="TWIN-1", name="Twin Co", contact_titles="VP Sales", lifecycle_stage="prospect")
    other = CustomerFactory(external_id="OTHER-1", name="Other Co", industry="Retail", lifecycle_stage="prospect")
    blank = CustomerFactory(external_id="BLANK-1", name="Blank Co", industry="", lifecycle_stage="prospect")
    similarity_build_now()
    return {"seed": seed, "twin": twin, "other": other, "blank": blank}


@pytest.fixture(scope="module")
def small_base(django_db_setup, django_db_blocker):
    yield from module_base(django_db_blocker, _small_base)


@pytest.fixture
def base(small_base, db):
    """A seed account, its near twin, an account in another industry, and one lacking the industry (built once
    for the module: a test's changes are rolled back after it)."""
    return {name: Customer.objects.get(pk=customer.pk) for name, customer in small_base.items()}


def test_it_lists_accounts_like_the_seed_best_first(client_as, base):
    response = client_as(Role.MEMBER).get(reverse("lookalikes:search"), {"seed": "SEED-1"})

    assert response.status_code == 200
    similarity = {result.customer.name: result.similarity for result in response.context["page"].results}
    assert list(similarity) == ["Twin Co", "Other Co", "Blank Co"], "the seed itself is left out"
    assert similarity["Twin Co"] == 100
    assert similarity["Blank Co"] == similarity["Other Co"] < 100, "no industry counts as another industry"
    assert "Industry: no data (seed: Software)" in response.content.decode()


def test_it_filters_prospects_and_industry(client_as, base):
    response = client_as(Role.SALES_REP).get(
        reverse("lookalikes:search"), {"seed": "SEED-1", "prospects": "on", "industry": "retail"}
    )

    assert [result.customer.name for result in response.context["page"].results] == ["Other Co"]


def test_it_says_an_unknown_seed_with_400(client_as, base):
    response = client_as(Role.MEMBER).get(reverse("lookalikes:search"), {"seed": "NOPE"})

    assert response.status_code == 400
    assert "No customer has the id NOPE" in response.content.decode()


def test_the_panel_shows_similar_accounts(client_as, base):
    response = client_as(Role.FACILITATOR).get(reverse("lookalikes:panel", args=[base["seed"].pk]))

    assert response.status_code == 200
    assert "Twin Co" in response.content.decode()
    assert "Industry: Software" in response.content.decode()


def test_the_customer_page_loads_the_panel_from_lookalikes(client_as, base):
    response = client_as(Role.MEMBER).get(reverse("customers:detail", args=[base["seed"].pk]))

    assert reverse("lookalikes:panel", args=[base["seed"].pk]) in response.content.decode()


def test_the_profile_finds_more_like_its_best_customers(client_as, base):
    profile = Profile.objects.create(name="Mid-market")
    Exemplar.objects.create(profile=profile, customer=base["seed"], reason="clv")
    client = client_as(Role.FACILITATOR)

    detail = client.get(reverse("profiles:detail", args=[profile.pk])).content.decode()
    response = client.get(reverse("lookalikes:search"), {"profile": profile.pk})

    assert f"{reverse('lookalikes:search')}?profile={profile.pk}" in detail
    assert response.context["page"].results[0].customer.name == "Twin Co"


def test_a_saved_lead_view_is_a_seed_only_for_its_owner(client_as, base):
    rep = client_as(Role.SALES_REP)
    view = SavedLeadView.objects.create(user=rep.person, name="Mine", query="")

    response = rep.get(reverse("lookalikes:search"), {"seed_view": view.pk})
    other = client_as(Role.ADMIN).get(reverse("lookalikes:search"), {"seed_view": view.pk})

    assert response.status_code == 400  # no rubric is published: the view lists no leads
    assert "lists no leads" in response.content.decode()
    assert "no saved lead view with this id" in other.content.decode()


def test_the_export_is_the_ranked_list_as_csv(client_as, base):
    response = client_as(Role.MEMBER).get(reverse("lookalikes:export_csv"), {"seed": "SEED-1"})

    lines = response.content.decode().splitlines()
    assert lines[0].startswith("rank,external_id,name,similarity,because,unlike")
    assert lines[1].startswith("1,TWIN-1,Twin Co,")


def test_an_admin_sends_chosen_accounts_to_a_rep(client_as, make_person, base):
    rep = make_person(Role.SALES_REP)
    client = client_as(Role.ADMIN)

    response = client.post(
        reverse("lookalikes:assign"),
        {"customer": [base["twin"].pk], "owner": rep.pk, "back": "/lookalikes/?seed=SEED-1"},
    )

    assert response.status_code == 302
    assert response.url == "/lookalikes/?seed=SEED-1"
    assert Customer.objects.get(pk=base["twin"].pk).owner == rep


def test_a_rep_cannot_take_an_account_someone_owns(client_as, make_person, base):
    Customer.objects.filter(pk=base["twin"].pk).update(owner=make_person(Role.SALES_REP))

    response = client_as(Role.SALES_REP).post(reverse("lookalikes:assign"), {"customer": [base["twin"].pk]})

    assert response.status_code == 400


def test_the_api_returns_similarity_because_and_unlike(client_as, base):
    response = client_as(Role.MEMBER).get("/api/lookalikes/", {"seed": "SEED-1", "limit": 3})

    body = response.json()
    assert response.status_code == 200
    first = body["results"][0]
    assert first["external_id"] == "TWIN-1"
    assert first["similarity"] == 100
    assert {trait["feature"] for trait in first["because"]} <= {
        "industry",
        "employees",
        "annual_revenue",
        "contact_titles",
        "country",
        "region",
        "website_visits_30d",
        "email_opens_30d",
        "email_clicks_30d",
        "social_engagements_30d",
    }
    assert len(first["because"]) == 3
    blank = next(result for result in body["results"] if result["external_id"] == "BLANK-1")
    assert blank["unlike"] == {"feature": "industry", "label": "Industry", "value": None, "seed_value": "Software"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "Say whom to look like"),
        ({"seed": "SEED-1", "profile": 1}, "Give one seed"),
        ({"seed": ["won", "SEED-1"]}, "seed=won stands alone"),
        ({"seed": "SEED-1", "limit": 0}, "greater than or equal to 1"),
        ({"seed": "SEED\x00"}, "none of them control characters"),
        ({"profile": 10**30}, "less than or equal to"),
    ],
)
def test_the_api_refuses_a_bad_query_with_400(client_as, base, query, message):
    response = client_as(Role.SALES_REP).get("/api/lookalikes/", query)

    assert response.status_code == 400
    assert message in str(response.json())


def test_the_api_answers_409_before_the_first_build(client_as, base):
    SimilarityModel.objects.all().delete()

    response = client_as(Role.ADMIN).get("/api/lookalikes/", {"seed": "SEED-1"})

    assert response.status_code == 409


def test_a_changed_customer_gets_its_vector_again(client_as, make_person, base, django_capture_on_commit_callbacks):
    model = SimilarityModel.objects.get(status=ModelStatus.READY)
    before = AccountVector.objects.get(model=model, customer=base["other"]).codes
    client = client_as(Role.MEMBER)
    client.get("/api/lookalikes/", {"seed": "SEED-1"})  # this process's matrix, read before the change

    with django_capture_on_commit_callbacks(execute=True):
        customer_update(customer=base["other"], values={"industry": "Software"}, user=make_person(Role.ADMIN))
    response = client.get("/api/lookalikes/", {"seed": "SEED-1", "industry": "Software"})

    assert bytes(AccountVector.objects.get(model=model, customer=base["other"]).codes) != bytes(before)
    assert "OTHER-1" in [result["external_id"] for result in response.json()["results"]]


def test_the_weights_page_shows_every_weight_and_admins_relearn(client_as, base):
    client = client_as(Role.ADMIN)

    page = client.get(reverse("lookalikes:weights"))
    relearn = client.post(reverse("lookalikes:relearn"))

    assert len(page.context["rows"]) == 10
    assert "Default weights" in page.content.decode()
    assert relearn.status_code == 302
    assert SimilarityModel.objects.filter(status=ModelStatus.READY).count() == 1
    assert SimilarityModel.objects.first().reason == "manual"


def test_a_rep_saves_a_search_as_a_lead_view_that_opens_the_ranked_list_again(client_as, base):
    rep = client_as(Role.SALES_REP)
    page = rep.get(reverse("lookalikes:search"), {"seed": "SEED-1", "prospects": "on"}).content.decode()

    response = rep.post(
        reverse("lookalikes:view_save"), {"name": "Like Seed Co", "query": "seed=SEED-1&prospects=on&page=2&limit=9"}
    )

    view = SavedLeadView.objects.get(user=rep.person)
    assert 'action="/lookalikes/save/"' in page
    assert (view.name, view.kind, view.query) == ("Like Seed Co", "lookalikes", "seed=SEED-1&prospects=on")
    assert response.status_code == 302
    assert response.url == "/lookalikes/?seed=SEED-1&prospects=on"
    assert [result.customer.name for result in rep.get(response.url).context["page"].results][0] == "Twin Co"
    lead_list = rep.get(reverse("leads:list")).content.decode()
    assert 'href="/lookalikes/?seed=SEED-1&amp;prospects=on">Like Seed Co <span class="small">(similar' in lead_list


def test_saving_a_search_whose_seed_names_no_account_says_why_with_400(client_as, base):
    response = client_as(Role.ADMIN).post(reverse("lookalikes:view_save"), {"name": "Nope", "query": "seed=NOPE"})

    assert response.status_code == 400
    assert "No customer has the id NOPE" in response.content.decode()
    assert not SavedLeadView.objects.exists()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR])
def test_only_people_with_lead_views_save_a_search_as_one(client_as, base, role):
    client = client_as(role)

    page = client.get(reverse("lookalikes:search"), {"seed": "SEED-1"}).content.decode()
    response = client.post(reverse("lookalikes:view_save"), {"name": "Mine", "query": "seed=SEED-1"})

    assert "/lookalikes/save/" not in page
    assert response.status_code == 403
    assert not SavedLeadView.objects.exists()


def test_a_saved_search_is_no_seed_for_another_search(client_as, base):
    rep = client_as(Role.SALES_REP)
    view = SavedLeadView.objects.create(user=rep.person, name="Like Seed Co", kind="lookalikes", query="seed=SEED-1")

    response = rep.get("/api/lookalikes/", {"seed_view": view.pk})

    assert response.status_code == 400
    assert "is a search of similar accounts" in str(response.json())
