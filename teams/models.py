from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


class Team(models.Model):
    """One of the three teams that meet in a workshop."""

    MARKETING = "marketing"
    SALES = "sales"
    CUSTOMER_SUCCESS = "customer-success"
    DEFAULTS = [(MARKETING, "Marketing"), (SALES, "Sales"), (CUSTOMER_SUCCESS, "Customer Success")]

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    FACILITATOR = "facilitator", "Facilitator"
    MEMBER = "member", "Member"
    SALES_REP = "sales_rep", "Sales rep"


class User(AbstractUser):
    """A person: one team and one role."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="people")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values),
                name="user_role_valid",
            ),
        ]

    def clean(self):
        super().clean()
        errors = {}
        if self.role in (Role.MEMBER, Role.SALES_REP) and self.team_id is None:
            errors["team"] = "Members and sales reps belong to a team."
        if self.role == Role.SALES_REP and self.team_id and self.team.slug != Team.SALES:
            errors["team"] = "A sales rep belongs to the Sales team."
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_facilitator(self) -> bool:
        return self.role == Role.FACILITATOR

    @property
    def is_sales_rep(self) -> bool:
        return self.role == Role.SALES_REP
