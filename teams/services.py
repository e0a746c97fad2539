"""Writes about people: invite, change role or team, deactivate."""

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Role, Team, User
from .tasks import person_send_invitation


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
    transaction.on_commit(lambda: person_send_invitation.delay(person.pk, base_url))
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
) -> User:
    """Change a person's details, keeping at least one active admin."""
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
    person.full_clean()
    person.save()
    return person


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
        person.set_password(password)
        person.save(update_fields=["password"])
        people.append(person)
    return people
