import factory

from teams.models import Role, Team, User


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    slug = Team.SALES
    name = factory.LazyAttribute(lambda team: dict(Team.DEFAULTS)[team.slug])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.MEMBER
    team = factory.SubFactory(TeamFactory)
    password = factory.django.Password("correct horse battery")
