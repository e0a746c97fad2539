"""Every URL of the product, and who may use it.

A view added without a line in ACCESS fails ``test_it_knows_every_url``; a line
whose view lets the wrong role in fails the role tests below.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from imports.models import ImportJob, ImportStatus
from imports.services import import_upload
from profiles.models import Profile
from teams.models import Role
from teams.services import api_token_create

ALL = tuple(Role.values)
ADMIN = (Role.ADMIN,)


# Makers of what a URL points at: each takes the signed-in person and returns the id to put in the URL.
def _self(person):
    return person.pk


def _checked_import(person):
    job = import_upload(
        kind="customers", file=ContentFile(b"Record ID,Company name\nA-1,Alpha\n"), name="a.csv", user=person
    )
    counts = {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.ANALYSED, analysis=counts)
    return job.pk


def _customer(person):
    from customers.tests.factories import CustomerFactory

    return CustomerFactory().pk


def _own_token(person):
    return api_token_create(user=person, name="access test")[0].pk


def _draft(person):
    from rubrics.tests.factories import rubric_with_draft

    return rubric_with_draft().pk


def _rescore_job(person):
    from rubrics.services.rescoring import rescore_job_create
    from rubrics.tests.factories import rubric_with_draft

    return rescore_job_create(version=rubric_with_draft(), reason="manual", start=False).pk


def _rubric(person):
    from rubrics.tests.factories import rubric_with_draft

    return rubric_with_draft().rubric_id


def _profile(person):
    return Profile.objects.create(name=f"Profile of {person.username}").pk


def _own_item(person):
    """A proposed item of ``person``'s (so a member may edit it too)."""
    from profiles.tests.factories import make_item

    return make_item(author=person).pk


def _own_exemplar(person):
    """A proposed exemplar of ``person``'s (so a member may remove it too)."""
    from customers.tests.factories import CustomerFactory
    from profiles.services.exemplars import exemplar_add

    profile = Profile.objects.get(pk=_profile(person))
    return exemplar_add(profile=profile, customer=CustomerFactory(), reason="clv", user=person, status="proposed").pk


PROFILE = {"profile_id": _profile}
DECIDERS = (Role.ADMIN, Role.FACILITATOR)


def _criterion(person):
    from rubrics.models import Criterion

    return Criterion.objects.create(version_id=_draft(person), field="industry", operator="in", values=["Software"]).pk


IMPORT = {"job_id": _checked_import}


def _lead(person):
    """A qualified lead owned by ``person`` when a rep (so a rep may use it), with its rubric."""
    from customers.tests.factories import CustomerFactory
    from rubrics.models import RubricVersion
    from rubrics.selectors import version_spec
    from rubrics.services.scores import scores_write
    from rubrics.tests.factories import rubric_with_draft

    version = rubric_with_draft(industries=("Software",), threshold=0)
    RubricVersion.objects.filter(pk=version.pk).update(status="published")
    customer = CustomerFactory(owner=person if person.role == Role.SALES_REP else None, industry="Software")
    scores_write(version=version, spec=version_spec(version), low_id=customer.pk, high_id=customer.pk)
    return version.rubric_id, customer.pk


def _lead_kwargs(person):
    rubric_id, customer_id = _lead(person)
    return {"rubric_id": rubric_id, "customer_id": customer_id}


def _saved_view(person):
    from leads.models import SavedLeadView

    return SavedLeadView.objects.create(user=person, name="Mine", query="grade=A").pk


def _webhook_rubric(person):
    """A rubric with a webhook (to a closed local port: nothing leaves the machine)."""
    from rubrics.models import Rubric
    from webhooks.services.webhooks import webhook_save

    rubric = Rubric.objects.get(pk=_rubric(person))
    return webhook_save(rubric=rubric, url="https://crm.invalid/hooks", is_active=True, user=None).rubric_id


def _failed_delivery(person):
    from webhooks.models import Delivery, DeliveryStatus, Webhook

    webhook = Webhook.objects.get(rubric_id=_webhook_rubric(person))
    return Delivery.objects.create(webhook=webhook, payload={"leads": []}, status=DeliveryStatus.FAILED).pk


def _workshop_step(person):
    """An open step of a workshop ``person`` runs (a facilitator or admin) or is invited to (anyone else)."""
    from workshops.tests.factories import open_step_for

    return open_step_for(person).pk


def _workshop(person):
    from workshops.models import Step

    return Step.objects.get(pk=_workshop_step(person)).workshop_id


def _workshop_proposal(person):
    from workshops.tests.factories import proposal_for

    return proposal_for(person).pk


WORKSHOP = {"workshop_id": _workshop}
WORKSHOP_STEP = {"step_id": _workshop_step}
WORKSHOP_PROPOSAL = {"proposal_id": _workshop_proposal}


def _workshop_invitee(person):
    """A workshop ``person`` runs (or another facilitator runs) and someone invited there who has not acted."""
    from workshops.tests.factories import participant_for

    workshop, invitee = participant_for(person)
    return {"workshop_id": workshop.pk, "user_id": invitee.pk}


FACILITATORS = (Role.ADMIN, Role.FACILITATOR)


def _survey(person):
    from feedback.models import Survey

    return Survey.objects.create(name=f"Survey of {person.username}").pk


def _feedback_import(person):
    """A checked feedback file with one valid row (for a customer made here)."""
    from customers.tests.factories import CustomerFactory
    from imports.services import import_upload

    customer = CustomerFactory()
    text = f"external_id,score,date\n{customer.external_id},9,2026-03-15\n".encode()
    return import_upload(kind="feedback-answers", file=ContentFile(text), name="answers.csv", user=person).pk


def _referral(person):
    import datetime

    from customers.tests.factories import CustomerFactory
    from feedback.services.referrals import referral_create

    return referral_create(
        referrer=CustomerFactory(), referred_name="Newco", referred_on=datetime.date(2026, 5, 2), user=None
    ).pk


SURVEY = {"survey_id": _survey}
# Admins and the Customer Success team (the member made here is in it; a facilitator is in Marketing).
SUCCESS = (Role.ADMIN, Role.MEMBER)

LEAD_ROLES = (Role.ADMIN, Role.SALES_REP)
CUSTOMER = {"customer_id": _customer}


def _published_rubric(person):
    """A rubric with a published version (and so scores to analyse)."""
    from rubrics.models import RubricVersion
    from rubrics.tests.factories import rubric_with_draft

    version = rubric_with_draft()
    RubricVersion.objects.filter(pk=version.pk).update(status="published")
    return version.rubric_id


def _event_type(person):
    from engagement.models import EventType

    return EventType.objects.create(key=f"type-{person.pk}", name=f"Type of {person.username}").pk


def _events_import(person):
    """A checked events file with one valid row (for a customer made here)."""
    from customers.tests.factories import CustomerFactory
    from engagement.services import event_types_default_ensure
    from imports.services import import_upload

    event_types_default_ensure()
    customer = CustomerFactory()
    text = f"external_id,type,occurred_at,event_id\n{customer.external_id},meeting,2026-12-01T10:00:00Z,m-1\n".encode()
    return import_upload(kind="engagement-events", file=ContentFile(text), name="events.csv", user=person).pk


# The analytics pages and API: everyone but sales reps (analytics/views.py says why).
ANALYSTS = (Role.ADMIN, Role.FACILITATOR, Role.MEMBER)
ANALYSED = {"rubric_id": _published_rubric}


def _routing_rule(person):
    from routing.models import AssignmentRule

    return AssignmentRule.objects.create(name=f"Rule of {person.username}").pk


def _routing_rep(person):
    """``person`` when a rep (they may mark themselves back), else a new rep."""
    from teams.models import Team
    from teams.tests.factories import TeamFactory, UserFactory

    if person.role == Role.SALES_REP:
        return person.pk
    team = Team.objects.filter(slug=Team.SALES).first() or TeamFactory(slug=Team.SALES)
    return UserFactory(role=Role.SALES_REP, team=team).pk


# url name: (roles allowed, methods to try, url kwargs: values or makers)
ACCESS = {
    "routing:rules": (ADMIN, ("GET",), {}),
    "routing:rule_create": (ADMIN, ("POST",), {}),
    "routing:rule_detail": (ADMIN, ("GET",), {"rule_id": _routing_rule}),
    "routing:rule_update": (ADMIN, ("POST",), {"rule_id": _routing_rule}),
    "routing:rule_delete": (ADMIN, ("POST",), {"rule_id": _routing_rule}),
    "routing:away": (LEAD_ROLES, ("GET",), {}),
    "routing:away_set": (LEAD_ROLES, ("POST",), {}),
    "routing:away_clear": (LEAD_ROLES, ("POST",), {"user_id": _routing_rep}),
    "routing:lead_panel": (LEAD_ROLES, ("GET",), CUSTOMER),
    "lookalikes:search": (ALL, ("GET",), {}),
    "lookalikes:export_csv": (ALL, ("GET",), {}),
    "lookalikes:panel": (ALL, ("GET",), CUSTOMER),
    "lookalikes:weights": (ALL, ("GET",), {}),
    "lookalikes:assign": (LEAD_ROLES, ("POST",), {}),
    "lookalikes:view_save": (LEAD_ROLES, ("POST",), {}),
    "lookalikes:relearn": (ADMIN, ("POST",), {}),
    "leads:list": (LEAD_ROLES, ("GET",), {}),
    "leads:export_csv": (LEAD_ROLES, ("GET",), {}),
    "leads:export_xlsx": (LEAD_ROLES, ("GET",), {}),
    "leads:detail": (LEAD_ROLES, ("GET",), _lead_kwargs),
    "leads:disposition": (LEAD_ROLES, ("POST",), _lead_kwargs),
    "leads:disqualifications": (ADMIN, ("GET",), {"rubric_id": lambda person: _lead(person)[0]}),
    "leads:matrix": (LEAD_ROLES, ("GET",), {}),
    "leads:bulk": (LEAD_ROLES, ("POST",), {}),
    "leads:view_save": (LEAD_ROLES, ("POST",), {}),
    "leads:view_delete": (LEAD_ROLES, ("POST",), {"view_id": _saved_view}),
    "leads:owner": (LEAD_ROLES, ("POST",), _lead_kwargs),
    "home": (ALL, ("GET",), {}),
    "analytics:index": (ANALYSTS, ("GET",), {}),
    "analytics:segments": (ANALYSTS, ("GET",), ANALYSED),
    "analytics:accuracy": (ANALYSTS, ("GET",), ANALYSED),
    "analytics:traits": (ANALYSTS, ("GET",), ANALYSED),
    "analytics:suggestion_to_rubric": (ADMIN, ("POST",), ANALYSED),
    "analytics:suggestion_to_workshop": (FACILITATORS, ("POST",), ANALYSED),
    "profiles:list": (ALL, ("GET",), {}),
    "profiles:create": (DECIDERS, ("POST",), {}),
    "profiles:detail": (ALL, ("GET",), PROFILE),
    "profiles:customer_search": (ALL, ("GET",), PROFILE),
    "profiles:review_set": (DECIDERS, ("POST",), PROFILE),
    "profiles:checklist_mark": (DECIDERS, ("POST",), PROFILE),
    "profiles:item_add": (ALL, ("POST",), {"profile_id": _profile, "section": "needs"}),
    "profiles:exemplar_add": (ALL, ("POST",), PROFILE),
    "profiles:print": (ALL, ("GET",), PROFILE),
    "profiles:export_markdown": (ALL, ("GET",), PROFILE),
    "profiles:item_edit": (ALL, ("GET", "POST"), {"item_id": _own_item}),
    "profiles:item_status": (DECIDERS, ("POST",), {"item_id": _own_item}),
    "profiles:item_history": (ALL, ("GET",), {"item_id": _own_item}),
    "profiles:exemplar_status": (DECIDERS, ("POST",), {"exemplar_id": _own_exemplar}),
    "profiles:exemplar_remove": (ALL, ("POST",), {"exemplar_id": _own_exemplar}),
    "teams:people": (ADMIN, ("GET",), {}),
    "teams:person_new": (ADMIN, ("GET", "POST"), {}),
    "teams:person_edit": (ADMIN, ("GET", "POST"), {"person_id": _self}),
    "teams:api_tokens": (ALL, ("GET",), {}),
    "teams:api_token_create": (ALL, ("POST",), {}),
    "teams:api_token_revoke": (ALL, ("POST",), {"token_id": _own_token}),
    "customers:imports": (ADMIN, ("GET", "POST"), {}),
    "customers:import_detail": (ADMIN, ("GET",), IMPORT),
    "customers:import_mapping": (ADMIN, ("GET", "POST"), IMPORT),
    "customers:import_progress": (ADMIN, ("GET",), IMPORT),
    "customers:import_run": (ADMIN, ("POST",), IMPORT),
    "customers:import_cancel": (ADMIN, ("POST",), IMPORT),
    # The shared import pages (imports.views), which the customers' and feedback's addresses above also reach.
    "imports:upload": (ADMIN, ("GET", "POST"), {"kind": "customers"}),
    "imports:detail": (ADMIN, ("GET",), IMPORT),
    "imports:mapping": (ADMIN, ("GET", "POST"), IMPORT),
    "imports:progress": (ADMIN, ("GET",), IMPORT),
    "imports:run": (ADMIN, ("POST",), IMPORT),
    "imports:cancel": (ADMIN, ("POST",), IMPORT),
    "customers:list": (ALL, ("GET",), {}),
    "customers:results": (ALL, ("GET",), {}),
    "customers:detail": (ALL, ("GET",), CUSTOMER),
    "customers:edit": (ADMIN, ("GET", "POST"), CUSTOMER),
    "customers:delete": (ADMIN, ("GET", "POST"), CUSTOMER),
    "customers:export_csv": (ALL, ("GET",), {}),
    "customers:export_xlsx": (ALL, ("GET",), {}),
    "customers:categories": (ADMIN, ("GET", "POST"), {}),
    "rubrics:version_publish": (ADMIN, ("POST",), {"version_id": _draft}),
    "rubrics:job_list": (ADMIN, ("GET",), {"rubric_id": _rubric}),
    "rubrics:job_detail": (ADMIN, ("GET",), {"job_id": _rescore_job}),
    "rubrics:job_progress": (ADMIN, ("GET",), {"job_id": _rescore_job}),
    "rubrics:list": (ADMIN, ("GET",), {}),
    "rubrics:profile_create": (ADMIN, ("POST",), {}),
    "rubrics:rubric_create": (ADMIN, ("POST",), {"profile_id": _profile}),
    "rubrics:rubric_detail": (ADMIN, ("GET",), {"rubric_id": _rubric}),
    "rubrics:draft_create": (ADMIN, ("POST",), {"rubric_id": _rubric}),
    "rubrics:rubric_audience": (ADMIN, ("POST",), {"rubric_id": _rubric}),
    "rubrics:version_diff": (ADMIN, ("GET",), {"rubric_id": _rubric}),
    "rubrics:version_detail": (ADMIN, ("GET",), {"version_id": _draft}),
    "rubrics:editor": (ADMIN, ("GET",), {"version_id": _draft}),
    "rubrics:version_settings": (ADMIN, ("POST",), {"version_id": _draft}),
    "rubrics:criterion_add": (ADMIN, ("POST",), {"version_id": _draft}),
    "rubrics:version_preview": (ADMIN, ("GET",), {"version_id": _draft}),
    "rubrics:criterion_edit": (ADMIN, ("GET", "POST"), {"criterion_id": _criterion}),
    "rubrics:criterion_remove": (ADMIN, ("POST",), {"criterion_id": _criterion}),
    "rubrics:criterion_move": (ADMIN, ("POST",), {"criterion_id": _criterion}),
    "rubrics:criterion_evidence": (ADMIN, ("GET",), {"criterion_id": _criterion}),
    "rubrics:rule_evidence": (ADMIN, ("GET",), {"version_id": _draft}),
    "rubrics:suggested_weights": (ADMIN, ("GET",), {"version_id": _draft}),
    "webhooks:list": (ADMIN, ("GET",), {}),
    "webhooks:detail": (ADMIN, ("GET",), {"rubric_id": _rubric}),
    "webhooks:save": (ADMIN, ("POST",), {"rubric_id": _rubric}),
    "webhooks:rotate_secret": (ADMIN, ("POST",), {"rubric_id": _webhook_rubric}),
    "webhooks:send_test": (ADMIN, ("POST",), {"rubric_id": _webhook_rubric}),
    "webhooks:delivery": (ADMIN, ("GET",), {"delivery_id": _failed_delivery}),
    "webhooks:retry": (ADMIN, ("POST",), {"delivery_id": _failed_delivery}),
    "workshops:list": (ALL, ("GET",), {}),
    "workshops:create": (FACILITATORS, ("GET", "POST"), {}),
    "workshops:detail": (ALL, ("GET",), WORKSHOP),
    "workshops:step": (ALL, ("GET",), WORKSHOP_STEP),
    "workshops:proposals": (ALL, ("GET",), WORKSHOP_STEP),
    "workshops:bar": (ALL, ("GET",), WORKSHOP_STEP),
    "workshops:propose": (ALL, ("POST",), WORKSHOP_STEP),
    "workshops:stay": (ALL, ("POST",), WORKSHOP_STEP),
    "workshops:follow": (ALL, ("POST",), WORKSHOP_STEP),
    "workshops:proposal_edit": (ALL, ("GET", "POST"), WORKSHOP_PROPOSAL),
    "workshops:comment": (ALL, ("GET", "POST"), WORKSHOP_PROPOSAL),
    "workshops:vote": (ALL, ("POST",), WORKSHOP_PROPOSAL),
    "workshops:unvote": (ALL, ("POST",), WORKSHOP_PROPOSAL),
    "workshops:evidence": (ALL, ("GET",), WORKSHOP_STEP),
    "workshops:suggested_weights": (ALL, ("GET",), WORKSHOP_STEP),
    # A criterion of no rubric the workshop feeds: let in, then refused with a 400.
    "workshops:propose_points": (ALL, ("POST",), {**WORKSHOP_STEP, "criterion_id": _criterion}),
    "workshops:board": (FACILITATORS, ("GET",), WORKSHOP_STEP),
    "workshops:board_live": (FACILITATORS, ("GET",), WORKSHOP_STEP),
    "workshops:step_open": (FACILITATORS, ("POST",), WORKSHOP_STEP),
    "workshops:step_close": (FACILITATORS, ("POST",), WORKSHOP_STEP),
    "workshops:step_timer": (FACILITATORS, ("POST",), WORKSHOP_STEP),
    "workshops:decide": (FACILITATORS, ("POST",), WORKSHOP_PROPOSAL),
    "workshops:close": (FACILITATORS, ("GET", "POST"), WORKSHOP),
    "workshops:reopen": (FACILITATORS, ("POST",), WORKSHOP),
    "workshops:proposal_history": (ALL, ("GET",), WORKSHOP_PROPOSAL),
    "workshops:pick": (ALL, ("POST",), WORKSHOP_PROPOSAL),
    "workshops:step_privacy": (FACILITATORS, ("POST",), WORKSHOP_STEP),
    "workshops:step_reveal": (FACILITATORS, ("POST",), WORKSHOP_STEP),
    "workshops:merge": (FACILITATORS, ("POST",), WORKSHOP_PROPOSAL),
    "workshops:unmerge": (FACILITATORS, ("POST",), WORKSHOP_PROPOSAL),
    "workshops:summary": (ALL, ("GET",), WORKSHOP),
    "workshops:summary_export": (ALL, ("GET",), WORKSHOP),
    "workshops:agenda": (FACILITATORS, ("GET",), WORKSHOP),
    "workshops:agenda_add": (FACILITATORS, ("POST",), WORKSHOP),
    "workshops:agenda_edit": (FACILITATORS, ("POST",), WORKSHOP_STEP),
    "workshops:agenda_move": (FACILITATORS, ("POST",), WORKSHOP_STEP),
    "workshops:agenda_remove": (FACILITATORS, ("POST",), WORKSHOP_STEP),
    "workshops:people": (FACILITATORS, ("GET",), WORKSHOP),
    "workshops:invite": (FACILITATORS, ("POST",), WORKSHOP),
    "workshops:uninvite": (FACILITATORS, ("POST",), _workshop_invitee),
    "feedback:surveys": (SUCCESS, ("GET",), {}),
    "feedback:survey_create": (ADMIN, ("POST",), {}),
    "feedback:survey_detail": (SUCCESS, ("GET",), SURVEY),
    "feedback:survey_send": (ADMIN, ("GET", "POST"), SURVEY),
    "feedback:survey_links": (ADMIN, ("GET",), SURVEY),
    "feedback:responses": (SUCCESS, ("GET",), {}),
    "feedback:import": (ADMIN, ("GET", "POST"), {}),
    "feedback:import_detail": (ADMIN, ("GET",), {"job_id": _feedback_import}),
    "feedback:import_run": (ADMIN, ("POST",), {"job_id": _feedback_import}),
    "feedback:referrals": (SUCCESS, ("GET",), {}),
    "feedback:referral_add": (SUCCESS, ("POST",), {}),
    "feedback:referral_status": (SUCCESS, ("POST",), {"referral_id": _referral}),
    "feedback:advocacy": (SUCCESS, ("GET",), {}),
    "feedback:advocacy_add": (SUCCESS, ("POST",), {}),
    "feedback:at_risk": ((Role.ADMIN, Role.MEMBER, Role.SALES_REP), ("GET",), {}),
    "engagement:types": (ADMIN, ("GET",), {}),
    "engagement:type_create": (ADMIN, ("POST",), {}),
    "engagement:type_edit": (ADMIN, ("GET", "POST"), {"type_id": _event_type}),
    "engagement:import": (ADMIN, ("GET", "POST"), {}),
    "engagement:import_detail": (ADMIN, ("GET",), {"job_id": _events_import}),
    "engagement:import_run": (ADMIN, ("POST",), {"job_id": _events_import}),
}

# Open to anyone on purpose: monitoring, and signing in and out.
PUBLIC = {"healthz", "login", "logout", "password_reset", "password_reset_done", "password_reset_confirm"}
PUBLIC |= {"password_reset_complete"}
# The API's description and its docs page: no data, and the docs page signs nobody in.
PUBLIC |= {"api:schema", "api:docs"}
# A customer's personal survey link (/s/<token>/): no account by design, the signed token is the key
# (feedback/tests/test_survey_page.py checks a forged or expired one stores nothing).
PUBLIC |= {"survey:answer"}
# Any signed-in person, whatever the role (Django's own views, behind login_required).
SIGNED_IN = {"password_change", "password_change_done"}


def _named_routes(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django admin: staff only, checked by Django itself
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_routes(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_it_knows_every_url():
    routes = set(_named_routes(get_resolver().url_patterns))

    unknown = routes - set(ACCESS) - set(API_ACCESS) - PUBLIC - SIGNED_IN

    assert not unknown, f"add these URLs to ACCESS with the roles that may use them: {sorted(unknown)}"


def _unnamed_routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                yield from _unnamed_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif not pattern.name:
            yield prefix + str(pattern.pattern)


def test_every_url_has_a_name_so_none_escapes_the_table():
    unnamed = list(_unnamed_routes(get_resolver().url_patterns))

    assert not unnamed, f"name these URL patterns and add them to ACCESS: {unnamed}"


def test_the_walk_tries_every_role_and_anonymous_visitors():
    assert set(Role.values) == {Role.ADMIN, Role.FACILITATOR, Role.MEMBER, Role.SALES_REP}
    tried = {(name, role) for name, role, *_ in (case.values for case in [*_cases(True), *_cases(False)])}
    for name in ACCESS:
        assert {role for url, role in tried if url == name} == set(Role.values), name
    assert {case.values[0] for case in ANONYMOUS_CASES} == set(ACCESS)


def _cases(allowed: bool):
    for name, (roles, methods, kwargs) in ACCESS.items():
        for role in Role.values:
            if (role in roles) is allowed:
                for method in methods:
                    yield pytest.param(name, role, method, kwargs, id=f"{name}-{role}-{method}")


def _url(name, kwargs, person):
    """The URL, its kwargs made for ``person``: a maker per value, or one maker for all of them."""
    if callable(kwargs):
        kwargs = kwargs(person)
    kwargs = {key: (value(person) if callable(value) else value) for key, value in kwargs.items()}
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize(("name", "role", "method", "kwargs"), list(_cases(allowed=False)))
def test_it_refuses_the_wrong_role_with_403(client_as, name, role, method, kwargs):
    client = client_as(role)

    response = getattr(client, method.lower())(_url(name, kwargs, client.person), {})

    assert response.status_code == 403


@pytest.mark.parametrize(("name", "role", "method", "kwargs"), list(_cases(allowed=True)))
def test_it_lets_the_right_role_in(client_as, name, role, method, kwargs):
    client = client_as(role)

    response = getattr(client, method.lower())(_url(name, kwargs, client.person), {})

    assert response.status_code in (200, 302, 400), "in, even if an empty form is refused"
    if response.status_code == 302:
        assert not response.url.startswith(reverse("login"))


ANONYMOUS_CASES = [
    pytest.param(name, method, kwargs, id=f"{name}-{method}")
    for name, (_, methods, kwargs) in ACCESS.items()
    for method in methods
]


@pytest.mark.parametrize(("name", "method", "kwargs"), ANONYMOUS_CASES)
def test_it_sends_anonymous_visitors_to_login(client, make_person, name, method, kwargs):
    response = getattr(client, method.lower())(_url(name, kwargs, make_person()), {})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SIGNED_IN))
def test_it_sends_anonymous_visitors_to_login_for_account_pages(client, name):
    response = client.get(reverse(name))

    assert response.url.startswith(reverse("login"))


# The API: anonymous clients get 401 (not a redirect), a role not allowed the method 403,
# whether signed in by token or by session.
# url name: (url kwargs, {method: roles allowed})
API_ACCESS = {
    "api:customer-list": ({}, {"GET": ALL, "POST": ADMIN}),
    "api:customer-detail": ({"external_id": "CRM-1"}, {"GET": ALL, "PATCH": ADMIN, "DELETE": ADMIN}),
    "api:customer-bulk": ({}, {"POST": ADMIN}),
    "api:lead-list": ({}, {"GET": LEAD_ROLES}),
    "lookalikes_api:list": ({}, {"GET": ALL}),
    "analytics_api:segments": ({}, {"GET": ANALYSTS}),
    "analytics_api:accuracy": ({}, {"GET": ANALYSTS}),
    "analytics_api:traits": ({}, {"GET": ANALYSTS}),
    # A rubric's draft as a document, and publishing it: admins only, reading included (rubrics/api.py says why).
    "rubrics_api:draft": ({"rubric_id": _rubric}, {"GET": ADMIN, "PUT": ADMIN}),
    "rubrics_api:draft_publish": ({"rubric_id": _rubric}, {"POST": ADMIN}),
    # Engagement events: admins and their tokens send them; nobody reads them back here.
    "engagement_api:events": ({}, {"POST": ADMIN}),
}


def _api_cases(allowed: bool):
    for name, (kwargs, methods) in API_ACCESS.items():
        for method, roles in methods.items():
            for role in Role.values:
                if (role in roles) is allowed:
                    for signed_in_by in ("token", "session"):
                        yield pytest.param(
                            name, role, method, kwargs, signed_in_by, id=f"{name}-{role}-{method}-{signed_in_by}"
                        )


def _api_call(client, person, signed_in_by, name, method, kwargs):
    headers = {}
    if signed_in_by == "token":
        client.logout()
        headers["Authorization"] = f"Token {api_token_create(user=person, name='access test')[1]}"
    url = _url(name, kwargs, person)
    return client.generic(method, url, "{}", content_type="application/json", headers=headers)


@pytest.mark.parametrize(("name", "role", "method", "kwargs", "signed_in_by"), list(_api_cases(allowed=False)))
def test_it_refuses_the_wrong_role_on_the_api_with_403(client_as, name, role, method, kwargs, signed_in_by):
    client = client_as(role)

    response = _api_call(client, client.person, signed_in_by, name, method, kwargs)

    assert response.status_code == 403


@pytest.mark.parametrize(("name", "role", "method", "kwargs", "signed_in_by"), list(_api_cases(allowed=True)))
def test_it_lets_the_right_role_use_the_api(client_as, name, role, method, kwargs, signed_in_by):
    client = client_as(role)

    response = _api_call(client, client.person, signed_in_by, name, method, kwargs)

    assert response.status_code in (200, 201, 202, 204, 400, 404), (
        "in, even if an empty body or a missing id is refused"
    )


API_ANONYMOUS_CASES = [
    pytest.param(name, method, kwargs, id=f"{name}-{method}")
    for name, (kwargs, methods) in API_ACCESS.items()
    for method in methods
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "kwargs"), API_ANONYMOUS_CASES)
def test_it_answers_anonymous_api_clients_with_401(client, make_person, name, method, kwargs):
    response = client.generic(method, _url(name, kwargs, make_person()), "{}", content_type="application/json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
