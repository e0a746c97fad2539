"""Who may do what in a workshop; checked on the server by the services and the views.

- act (propose, edit, vote, comment): the people invited, and the facilitator (who does not vote);
- facilitate (open and close steps, decide, close the workshop): the workshop's facilitator, if their
  role is still facilitator or admin;
- view (pages, fragments, the summary): those who may act, and admins;
- see a proposal of a private step before the reveal: its author only (nobody else, not even the facilitator,
  whose board is projected). In a poker step the criteria are seen, their points and picks are not.
"""

from django.core.exceptions import PermissionDenied

from teams.models import Role, User

from .models import Participant, Privacy, Proposal, Step, Workshop

FACILITATING_ROLES = (Role.ADMIN, Role.FACILITATOR)


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_facilitator(workshop: Workshop, user: User) -> bool:
    return _active(user) and workshop.facilitator_id == user.pk and user.role in FACILITATING_ROLES


def is_participant(workshop: Workshop, user: User) -> bool:
    return seated(user, Participant.objects.filter(workshop=workshop, user=user).exists())


def seated(user: User, invited: bool) -> bool:
    """Whether someone invited (as a poll has already read) takes part: only while their account is active."""
    return _active(user) and invited


def can_act(workshop: Workshop, user: User) -> bool:
    return is_facilitator(workshop, user) or is_participant(workshop, user)


def can_view(workshop: Workshop, user: User) -> bool:
    return can_act(workshop, user) or (_active(user) and user.role == Role.ADMIN)


def require_act(workshop: Workshop, user: User) -> None:
    if not can_act(workshop, user):
        raise PermissionDenied("Only the people invited to this workshop take part in it.")


def require_facilitator(workshop: Workshop, user: User) -> None:
    if not is_facilitator(workshop, user):
        raise PermissionDenied("Only the workshop's facilitator does this.")


def require_view(workshop: Workshop, user: User) -> None:
    if not can_view(workshop, user):
        raise PermissionDenied("This workshop is for the people invited to it.")


def proposal_visible(proposal: Proposal, step: Step, user: User) -> bool:
    """Whether ``user`` may see the proposal (in ``step``, its step as loaded now)."""
    hidden = step.is_hidden and step.privacy == Privacy.PRIVATE
    return not hidden or proposal.author_id == user.pk


def require_proposal_visible(proposal: Proposal, step: Step, user: User) -> None:
    if not proposal_visible(proposal, step, user):
        raise PermissionDenied("This proposal is hidden until the facilitator reveals the step.")
