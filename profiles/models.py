from django.conf import settings
from django.db import models


class Profile(models.Model):
    """An Ideal Customer Profile. Several may coexist, each with its own scoring rubric.

    The workshop issue fills in its sections; rubrics need only its name now.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
