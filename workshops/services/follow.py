"""Follow the facilitator, the writes: "Stay here" and "Follow the facilitator", kept in the person's session.

"Stay here" holds for one step of one workshop: moving to another step, or "Follow the facilitator", follows
again. What the step bar's poll answers is in workshops/follow.py.
"""

from django.contrib.sessions.backends.base import SessionBase

from ..models import Step, StepStatus, Workshop


def _stay_key(workshop_id: int) -> str:
    return f"workshop-{workshop_id}-stay"


def is_following(session: SessionBase, step: Step) -> bool:
    return session.get(_stay_key(step.workshop_id)) != step.pk


def step_stay(*, session: SessionBase, step: Step) -> None:
    """Stay on ``step`` when the facilitator opens another one."""
    session[_stay_key(step.workshop_id)] = step.pk


def step_follow(*, session: SessionBase, workshop: Workshop) -> Step | None:
    """Follow the facilitator again; returns the open step, if any, to go to."""
    session.pop(_stay_key(workshop.pk), None)
    return workshop.steps.filter(status=StepStatus.OPEN).first()
