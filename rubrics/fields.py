"""Which customer fields a criterion may read, and the kind of value each holds."""

import re

from django.db import models

from customers.models import Customer

from .scoring import EXTRA_PREFIX

# Extra attribute names a criterion may read: what imports make of column names (letters, digits, _).
EXTRA_KEY = re.compile(r"[A-Za-z0-9_]{1,60}")
NOT_SCORED = {"id", "external_id", "owner", "extra", "created_at", "updated_at", "crm_created_on", "closed_on"}


def _kind(field: models.Field) -> str | None:
    if isinstance(field, models.BooleanField):
        return "boolean"
    if isinstance(field, models.IntegerField):
        return "number"
    if isinstance(field, models.TextField):
        return "text"
    if isinstance(field, models.CharField):
        return "category"
    return None


# field name -> (kind, label)
FIELDS = {
    field.name: (_kind(field), str(field.verbose_name))
    for field in Customer._meta.concrete_fields
    if field.name not in NOT_SCORED and _kind(field)
}


def field_kind(name: str) -> str | None:
    """ "category", "text", "number", "boolean", "extra" (for ``extra.<key>``), or None if unknown."""
    if name.startswith(EXTRA_PREFIX):
        return "extra" if EXTRA_KEY.fullmatch(name.removeprefix(EXTRA_PREFIX)) else None
    return FIELDS.get(name, (None, ""))[0]


def field_label(name: str) -> str:
    if name.startswith(EXTRA_PREFIX):
        return f"extra attribute “{name.removeprefix(EXTRA_PREFIX)}”"
    return FIELDS.get(name, (None, name))[1]
