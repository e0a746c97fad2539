"""What the customer API accepts and returns.

Every input a client can send is checked here, so that nothing reaches the
database that it would refuse: integers in the range of their column (the same
on SQLite and PostgreSQL), text by the rule the imports apply too (ops.text: no NUL, surrogate or control
characters, no bidirectional overrides), and ``extra`` as a flat object of JSON scalars.
"""

import math
from collections.abc import Mapping

from django.core.validators import MaxValueValidator, MinValueValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator

from ops.text import text_problem
from teams.models import Role, User

from .models import Customer

MAX_BULK_ROWS = 1_000
MAX_EXTRA_KEYS = 100
MAX_EXTRA_KEY_LENGTH = 100
MAX_EXTRA_TEXT_LENGTH = 1_000
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1

# What PostgreSQL stores in each kind of integer column (SQLite would take more).
INTEGER_RANGES = {
    "SmallIntegerField": (-(2**15), 2**15 - 1),
    "PositiveSmallIntegerField": (0, 2**15 - 1),
    "IntegerField": (-(2**31), 2**31 - 1),
    "PositiveIntegerField": (0, 2**31 - 1),
    "BigIntegerField": (BIGINT_MIN, BIGINT_MAX),
}
READ_ONLY_FIELDS = ("created_at", "updated_at")


def text_validate(text: str) -> None:
    """The rule every way in applies to text (ops.text), as a serializer field's validator."""
    if problem := text_problem(text):
        raise serializers.ValidationError(problem, code="invalid_characters")


def _integer_limits(model_field) -> dict:
    """The column's range, narrowed by the model's own validators (NPS 0-10, active days 0-30)."""
    low, high = INTEGER_RANGES[model_field.get_internal_type()]
    for validator in model_field._validators:
        if isinstance(validator, MinValueValidator):
            low = max(low, validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            high = min(high, validator.limit_value)
    return {"min_value": low, "max_value": high}


@extend_schema_field(
    {
        "type": "object",
        "description": "Attributes the customer base does not model, as a flat object of JSON scalars. "
        "An update merges it into the stored one.",
        "maxProperties": MAX_EXTRA_KEYS,
        "additionalProperties": {
            "nullable": True,
            "anyOf": [
                {"type": "string", "maxLength": MAX_EXTRA_TEXT_LENGTH},
                {"type": "integer", "minimum": BIGINT_MIN, "maximum": BIGINT_MAX},
                {"type": "number", "format": "double"},
                {"type": "boolean"},
            ],
        },
    }
)
class ExtraAttributesField(serializers.Field):
    default_error_messages = {
        "not_an_object": "Expected an object of attribute names and values.",
        "too_many": f"At most {MAX_EXTRA_KEYS} attributes.",
        "bad_key": "Attribute names are 1 to {max} characters: {problem}",
        "bad_value": "The value of “{name}” must be a string, a number, true, false or null.",
        "bad_text": "The value of “{name}” is not storable: {problem}",
        "too_long": f"The value of “{{name}}” is longer than {MAX_EXTRA_TEXT_LENGTH} characters.",
        "out_of_range": "The number “{name}” is out of range.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_an_object")
        if len(data) > MAX_EXTRA_KEYS:
            self.fail("too_many")
        for key, value in data.items():
            problem = text_problem(key) or ("" if 0 < len(key) <= MAX_EXTRA_KEY_LENGTH else "wrong length.")
            if problem:
                self.fail("bad_key", max=MAX_EXTRA_KEY_LENGTH, problem=problem)
            self._check_value(key, value)
        return data

    def _check_value(self, key, value):
        if value is None or isinstance(value, bool):
            return
        if isinstance(value, str):
            if problem := text_problem(value):
                self.fail("bad_text", name=key, problem=problem)
            if len(value) > MAX_EXTRA_TEXT_LENGTH:
                self.fail("too_long", name=key)
        elif isinstance(value, int):
            if not BIGINT_MIN <= value <= BIGINT_MAX:
                self.fail("out_of_range", name=key)
        elif isinstance(value, float):
            if not math.isfinite(value):
                self.fail("out_of_range", name=key)
        else:
            self.fail("bad_value", name=key)

    def to_representation(self, value):
        return value


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "description": "The username of the sales rep who owns the account (an active sales rep), or null.",
    }
)
class OwnerField(serializers.Field):
    default_error_messages = {
        "invalid": "Expected a username (a string) or null.",
        "not_a_rep": "No active sales rep has the username “{username}”.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if text_problem(data):
            self.fail("not_a_rep", username=data.replace("\x00", ""))
        # One look-up per username for a whole bulk request.
        reps = self.context.setdefault("sales_reps", {})
        if data not in reps:
            reps[data] = User.objects.filter(username=data, role=Role.SALES_REP, is_active=True).first()
        if reps[data] is None:
            self.fail("not_a_rep", username=data)
        return reps[data]

    def to_representation(self, value):
        return value.username


class StrictFieldsMixin:
    """Refuse fields the serializer does not know, and read-only ones, instead of ignoring them."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for name in data:
                field = self.fields.get(name)
                if field is None:
                    errors[name] = ["Unknown field."]
                elif field.read_only:
                    errors[name] = ["This field is read-only."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class CustomerSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A customer, addressed by its external id. Fields a request does not know are refused."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if isinstance(field, serializers.CharField):  # one rule, in place of DRF's own NUL and surrogate checks
                field.validators = [
                    validator
                    for validator in field.validators
                    if not isinstance(validator, ProhibitNullCharactersValidator | ProhibitSurrogateCharactersValidator)
                ] + [text_validate]
        return fields

    owner = OwnerField(required=False, allow_null=True)
    extra = ExtraAttributesField(required=False)

    class Meta:
        model = Customer
        fields = [field.name for field in Customer._meta.concrete_fields if not field.primary_key]
        read_only_fields = READ_ONLY_FIELDS
        extra_kwargs = {
            field.name: _integer_limits(field)
            for field in Customer._meta.concrete_fields
            if field.get_internal_type() in INTEGER_RANGES
        }


class CustomerUpsertSerializer(CustomerSerializer):
    """One row of a bulk upsert: only ``external_id`` is required (and ``name`` for a new customer).

    Uniqueness is the upsert's key, so it is not a validation error here.
    """

    external_id = serializers.CharField(max_length=Customer._meta.get_field("external_id").max_length)

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if name != "external_id" and not field.read_only:
                field.required = False
        return fields


class BulkUpsertSerializer(StrictFieldsMixin, serializers.Serializer):
    """Up to 1,000 customers to create or update by external id, all or nothing."""

    customers = serializers.ListField(
        child=serializers.JSONField(allow_null=True),
        min_length=1,
        max_length=MAX_BULK_ROWS,
        help_text="Rows keyed by external id.",
    )


class BulkUpsertResultSerializer(serializers.Serializer):
    """How many rows made a new customer, changed one, or changed nothing."""

    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


def customer_values(validated_data: dict) -> dict:
    """Validated data as the services take it: clean values keyed by attname."""
    values = dict(validated_data)
    if "owner" in values:
        owner = values.pop("owner")
        values["owner_id"] = owner.pk if owner is not None else None
    return values


def bulk_rows_validate(rows: list, *, existing_ids: set[str], context: dict) -> tuple[list[dict], list[dict]]:
    """Validate every row of a bulk upsert; return the service's rows and the errors per row.

    A new customer needs a name; an external id may appear only once per request.
    """
    values, errors, seen = [], [], {}
    for index, row in enumerate(rows):
        serializer = CustomerUpsertSerializer(data=row, context=context)
        row_errors = dict(serializer.errors) if not serializer.is_valid() else {}
        external_id = row.get("external_id") if isinstance(row, Mapping) else None
        if not row_errors:
            data = serializer.validated_data
            if external_id in seen:
                row_errors["external_id"] = [f"This external id is already in row {seen[external_id]}."]
            elif external_id not in existing_ids and "name" not in data:
                row_errors["name"] = ["This field is required to create a customer."]
            seen.setdefault(external_id, index)
            values.append(customer_values(data))
        if row_errors:
            if not isinstance(external_id, str) or text_problem(external_id):
                external_id = None
            errors.append({"index": index, "external_id": external_id, "errors": row_errors})
    return values, errors


def storable_external_ids(rows: list) -> set[str]:
    """The external ids among ``rows`` that the database can compare (to look up existing customers)."""
    max_length = Customer._meta.get_field("external_id").max_length
    return {
        row["external_id"]
        for row in rows
        if isinstance(row, Mapping)
        and isinstance(row.get("external_id"), str)
        and len(row["external_id"]) <= max_length
        and not text_problem(row["external_id"])
    }
