"""Follow the facilitator: a participant's screen moves to the step the facilitator opens.

The step bar of a participant's page polls with the open step it was drawn with (``?open=<id>``, 0 for none).
When the facilitator opens or closes a step, the bar's version changes and its next poll (within a second)
finds another open step:

- a person following the facilitator is sent to the open step (``HX-Redirect``);
- a person who chose "Stay here" on the step they look at stays, and their page is drawn again
  (``HX-Refresh``), so its forms show at once whether the step still takes proposals.

"Stay here" holds for one step of one workshop and is kept in the person's session: moving to another
step, or "Follow the facilitator", follows again (services/follow.py writes the choice).
"""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .models import Step, StepStatus
from .services.follow import is_following


def follow_answer(
    request: HttpRequest, step: Step, open_step: Step | None, open_when_drawn: str
) -> HttpResponse | None:
    """What the bar's poll answers when the open step changed since the page was drawn (None: it did not)."""
    if str(open_step.pk if open_step else 0) == open_when_drawn:
        return None
    response = HttpResponse(status=200)
    if open_step is not None and open_step.pk != step.pk and is_following(request.session, step):
        response["HX-Redirect"] = reverse("workshops:step", kwargs={"step_id": open_step.pk})
    else:
        response["HX-Refresh"] = "true"
    return response


def step_closed_reason(step: Step) -> str:
    """Why nothing can be proposed in the step now ("" when it is open)."""
    if step.workshop.is_closed:
        return "The workshop is closed: nothing more can be proposed, changed or voted on."
    if step.is_open:
        return ""
    if step.status == StepStatus.PENDING:
        return "This step is not open yet: the facilitator opens it when the room gets there."
    return "This step is closed: nothing more can be proposed, changed or voted on in it."
