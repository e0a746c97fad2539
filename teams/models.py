import hashlib

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
    sees_team_leads = models.BooleanField(
        "sees the whole team's leads",
        default=False,
        help_text="A sales rep may see every rep's leads (read only); else only their own and unowned ones.",
    )

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


class ApiToken(models.Model):
    """A personal key for the API. Only the SHA-256 hash of the key is stored.

    The key itself is shown once, when the token is made; ``prefix`` (its first
    characters) lets a person tell their tokens apart afterwards.
    """

    KEY_PREFIX = "icp_"
    PREFIX_LENGTH = 12

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, for example the CRM sync.")
    prefix = models.CharField(max_length=PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
