"""Two workers routing at once take turns on the rules' rows: the round robin gives each lead to a different rep."""

import threading

import pytest
from django.db import connection

from ops.jobs import job_task
from routing.models import AssignmentLog, AssignmentRule
from routing.services.assigning import lead_route
from routing.tests.factories import prospects, published_rubric, qualify, rep, rule


@pytest.mark.django_db(transaction=True)
def test_leads_routed_at_the_same_moment_go_to_different_reps():
    ann, bob, cem = rep("ann"), rep("bob"), rep("cem")
    everyone = rule("Everyone", [ann, bob, cem])
    version = published_rubric()
    leads = prospects(3)
    qualify(version, *leads)
    job_task("rubrics.tasks.customers_rescore")  # the tasks modules imported once, before the threads send tasks
    start = threading.Barrier(len(leads))
    errors = []

    def route(customer_id):
        try:
            start.wait(timeout=10)
            lead_route(customer_id=customer_id, rubric_id=version.rubric_id)
        except Exception as error:  # reported below: an error in a thread would otherwise pass unseen
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=route, args=(lead.pk,)) for lead in leads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    owners = sorted(AssignmentLog.objects.values_list("to_user__username", flat=True))
    assert owners == ["ann", "bob", "cem"]
    assert AssignmentRule.objects.get(pk=everyone.pk).last_rep_id in {ann.pk, bob.pk, cem.pk}
