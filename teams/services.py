"""Writes about people: invite, change role or team, deactivate; their API tokens."""

import datetime
import secrets

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ops.jobs import job_send

from .models import ApiToken, Role, Team, User

INVITATION_WAITING = "The invitation email is not sent: they can choose a password with “Forgot your password?”."


def team_ensure(*, slug: str, name: str) -> Team:
    team, _ = Team.objects.get_or_create(slug=slug, defaults={"name": name})
    return team


def _active_admins():
    return User.objects.filter(role=Role.ADMIN, is_active=True)


@transaction.atomic
def person_invite(
    *,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    team: Team | None,
    role: str,
    base_url: str,
) -> User:
    """Create a person without a password and email them a link to choose one."""
    person = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        team=team,
        role=role,
    )
    person.set_unusable_password()
    person.full_clean()
    person.save()
    job_send("teams.tasks.person_send_invitation", person.pk, base_url, waiting=INVITATION_WAITING)
    return person


@transaction.atomic
def person_update(
    *,
    person: User,
    changed_by: User,
    first_name: str,
    last_name: str,
    email: str,
    team: Team | None,
    role: str,
    is_active: bool,
    sees_team_leads: bool = False,
) -> User:
    """Change a person's details, keeping at least one active admin.

    ``sees_team_leads`` lets a sales rep see every rep's leads; it means nothing for other roles.
    """
    person = User.objects.select_for_update().get(pk=person.pk)
    losing_admin = person.role == Role.ADMIN and person.is_active and (role != Role.ADMIN or not is_active)
    if losing_admin and not _active_admins().exclude(pk=person.pk).exists():
        raise ValidationError("The product needs at least one active admin; appoint another first.")
    if person.pk == changed_by.pk and not is_active:
        raise ValidationError("You cannot deactivate your own account.")
    person.first_name = first_name
    person.last_name = last_name
    person.email = email
    person.team = team
    person.role = role
    person.is_active = is_active
    person.sees_team_leads = sees_team_leads and role == Role.SALES_REP
    person.full_clean()
    person.save()
    return person


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for ``user``; return it with its key, which is never stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name."})
    key = ApiToken.KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=key[: ApiToken.PREFIX_LENGTH], key_hash=ApiToken.hash_key(key))
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user: User) -> ApiToken:
    """Revoke one of the user's own tokens; revoking twice keeps the first date."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != user.pk:
        raise PermissionDenied("You can revoke only your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def api_token_mark_used(*, token: ApiToken) -> None:
    """Record when a token was used, at most once a minute so busy clients do not write on every call."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# username, first name, last name, team slug, role
DEMO_PEOPLE = [
    ("admin", "Avery", "Admin", Team.SALES, Role.ADMIN),
    ("facilitator", "Fran", "Facilitator", Team.MARKETING, Role.FACILITATOR),
    ("marketing", "Mia", "Marketing", Team.MARKETING, Role.MEMBER),
    ("sales", "Sam", "Sales", Team.SALES, Role.MEMBER),
    ("success", "Casey", "Success", Team.CUSTOMER_SUCCESS, Role.MEMBER),
    ("rep", "Riley", "Rep", Team.SALES, Role.SALES_REP),
    ("rep2", "Rowan", "Rep", Team.SALES, Role.SALES_REP),
]


@transaction.atomic
def demo_people_ensure(*, password: str) -> list[User]:
    """Create or reset one demo person per role and team, all with ``password``."""
    teams = {slug: team_ensure(slug=slug, name=name) for slug, name in Team.DEFAULTS}
    # They share one password, so one hash: hashing is slow on purpose (about 0.3 s), and a first start waits on it.
    hashed = make_password(password)
    people = []
    for username, first_name, last_name, team_slug, role in DEMO_PEOPLE:
        person, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@demo.example",
                "team": teams[team_slug],
                "role": role,
                "is_active": True,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        person.password = hashed
        person.save(update_fields=["password"])
        people.append(person)
    return people
