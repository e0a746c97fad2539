"""Reads for the home pages."""

import datetime

from django.db.models import Count, Q

from customers.models import Customer, LifecycleStage
from imports.models import ImportJob, ImportStatus
from profiles.models import Profile
from rubrics.models import JobStatus, RescoreJob, RubricVersion, VersionStatus
from teams.models import Role, Team, User
from workshops.models import StepStatus, WorkshopStatus


def people_by_team() -> list[dict]:
    teams = Team.objects.annotate(
        active_people=Count("people", filter=Q(people__is_active=True)),
    ).order_by("name")
    return [{"team": team, "count": team.active_people} for team in teams]


def people_by_role() -> list[dict]:
    counts = dict(
        User.objects.filter(is_active=True).values_list("role").annotate(n=Count("id")).values_list("role", "n")
    )
    return [{"role": label, "count": counts.get(value, 0)} for value, label in Role.choices]


def customers_by_stage(*, owner: User | None = None) -> list[dict]:
    customers = Customer.objects.all()
    if owner is not None:
        customers = customers.filter(owner=owner)
    counts = dict(customers.values_list("lifecycle_stage").annotate(n=Count("id")).values_list("lifecycle_stage", "n"))
    return [{"stage": label, "count": counts.get(value, 0)} for value, label in LifecycleStage.choices]


def top_accounts(*, owner: User, limit: int = 10):
    """A rep's most valuable customers first, then their largest prospects."""
    return (
        Customer.objects.filter(owner=owner)
        .exclude(lifecycle_stage=LifecycleStage.CHURNED)
        .order_by("-clv", "-annual_revenue", "pk")
        .only("name", "domain", "industry", "country", "lifecycle_stage", "clv", "annual_revenue")[:limit]
    )


def teammates(*, person: User):
    if person.team_id is None:
        return User.objects.none()
    return User.objects.filter(team_id=person.team_id, is_active=True).exclude(pk=person.pk)


def admin_waiting(*, today: datetime.date) -> dict:
    """What waits for an admin: drafts to finish and publish, re-scores under way, profiles due for review, and
    imports uploaded or checked that nobody imported yet."""
    return {
        "drafts": RubricVersion.objects.filter(status=VersionStatus.DRAFT)
        .select_related("rubric__profile")
        .order_by("-created_at")[:10],
        "jobs": RescoreJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        .select_related("version__rubric")
        .order_by("pk")[:10],
        "reviews": Profile.objects.filter(review_on__lte=today).order_by("review_on", "name")[:10],
        "imports": ImportJob.objects.filter(status__in=[ImportStatus.UPLOADED, ImportStatus.ANALYSED])
        .select_related("created_by")
        .order_by("-pk")[:10],
    }


def workshops_waiting(workshops) -> list[dict]:
    """Each workshop with what it waits for, in a few words."""
    rows = []
    for workshop in workshops.prefetch_related("steps"):
        steps = list(workshop.steps.all())
        open_steps = [step for step in steps if step.status == StepStatus.OPEN]
        upcoming = [step for step in steps if step.status == StepStatus.PENDING]
        if workshop.status == WorkshopStatus.DRAFT or not any(step.status != StepStatus.PENDING for step in steps):
            waiting = f"Not started: open “{steps[0].title}”" if steps else "Not started: add its steps"
        elif open_steps:
            waiting = f"Step {open_steps[0].position + 1} is open: “{open_steps[0].title}”"
        elif upcoming:
            waiting = f"Next: open “{upcoming[0].title}”"
        else:
            waiting = "Every step is closed: close the workshop"
        rows.append({"workshop": workshop, "waiting": waiting})
    return rows
