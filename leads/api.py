"""The lead API: a rubric's qualified leads with the lead list's filters, for admins and sales reps.

It parses the query string with the list's own form (``LeadFilterForm``), so a
filter means the same on the page, the exports and here, and scopes the leads
with ``lead_list`` (``lead_scope``): a rep's token sees what the rep sees. The
API has no "last visit": ``new_since`` says from when leads count as new.
"""

import dataclasses
import operator
from functools import reduce

from django import forms
from django.core import signing
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from customers.api import DETAIL, FIELD_ERRORS
from customers.models import LifecycleStage
from ops.api import AsciiJSONRenderer, BoundedIsoDateTimeField
from teams.access import has_role
from teams.models import Role

from .forms import DISPOSITION_FILTERS, LeadFilterForm
from .selectors import (
    ANY,
    ENGAGEMENT_LEVELS,
    MINE,
    SEGMENTS,
    SORTS,
    UNOWNED,
    LeadFilters,
    lead_list,
    lead_segments,
    rubric_scale,
)
from .serializers import LeadSerializer

LEAD_ROLES = (Role.ADMIN, Role.SALES_REP)


class LeadReaders(permissions.BasePermission):
    message = "Only admins and sales reps may read leads."

    def has_permission(self, request, view):
        return has_role(request.user, *LEAD_ROLES)


class LeadQueryForm(LeadFilterForm):
    """The list's filters, stricter: the rubric is required, the grade must be one of its grades, and
    "new since my last visit" becomes ``new_since``, a date and time the client gives."""

    new_since = BoundedIsoDateTimeField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["page"]  # the API pages with a cursor
        self.fields["rubric"].required = True
        self.fields["rubric"].error_messages.update(
            required="Say whose leads: rubric=<id> of a rubric with a published version.",
            invalid_choice="No rubric with a published version has this id.",
        )

    def clean_new(self):
        if self.cleaned_data["new"]:
            raise forms.ValidationError(
                "The API does not know your last visit: send new_since=<ISO 8601 date and time> instead."
            )
        return False

    def clean(self):
        cleaned = super().clean()
        rubric, grade = cleaned.get("rubric"), (cleaned.get("grade") or "").strip()
        if rubric is not None and grade:
            scale = rubric_scale(rubric)
            labels = scale.grade_labels() if scale else []
            if grade not in labels:
                self.add_error("grade", f"Not a grade of this rubric; its grades are: {', '.join(labels) or 'none'}.")
        segment = cleaned.get("segment")
        if rubric is not None and segment and segment not in lead_segments(rubric):
            self.add_error(
                "segment",
                f"This rubric is marked for {rubric.get_audience_display().lower()} only: "
                f"its leads are {SEGMENTS[lead_segments(rubric)[0]].lower()}.",
            )
        return cleaned

    def filters(self) -> LeadFilters:
        return dataclasses.replace(super().filters(), qualified_since=self.cleaned_data["new_since"])


class LeadCursorPagination(BasePagination):
    """Pages in the list's sort order, each starting after the last lead of the one before (keyset).

    The cursor holds that lead's sort values, signed so that a client cannot
    forge one; every sort ends on the customer id, so leads added or removed
    between requests never make a page repeat or skip another's leads. Forward
    only: follow ``next`` until it is null. The queryset's ordering must be plain
    field lookups, as ``SORTS`` has them.
    """

    page_size = 100
    max_page_size = 1_000
    cursor_salt = "leads.api.cursor"

    def paginate_queryset(self, queryset: QuerySet, request, view=None):
        self.request = request
        size = self._page_size(request)
        ordering = list(queryset.query.order_by)
        cursor = request.query_params.get("cursor")
        if cursor:
            queryset = queryset.filter(_after(ordering, self._position(cursor, ordering)))
        rows = list(queryset[: size + 1])
        page, more = rows[:size], len(rows) > size
        self.next_cursor = None
        if more:
            position = [_sort_value(page[-1], lookup.lstrip("-")) for lookup in ordering]
            self.next_cursor = signing.dumps({"order": ordering, "after": position}, salt=self.cursor_salt)
        return page

    def _page_size(self, request) -> int:
        field = forms.IntegerField(required=False, min_value=1, max_value=self.max_page_size)
        try:
            return field.clean(request.query_params.get("page_size")) or self.page_size
        except forms.ValidationError as error:
            raise ValidationError({"page_size": error.messages}) from None

    def _position(self, cursor: str, ordering: list[str]) -> list:
        try:
            decoded = signing.loads(cursor, salt=self.cursor_salt)
        except signing.BadSignature:
            raise ValidationError({"cursor": ["This cursor is not valid: use the `next` link of a page."]}) from None
        if decoded["order"] != ordering:
            raise ValidationError({"cursor": ["This cursor belongs to another sort order: start again without it."]})
        return decoded["after"]

    def get_paginated_response(self, data):
        next_url = None
        if self.next_cursor:
            next_url = replace_query_param(self.request.build_absolute_uri(), "cursor", self.next_cursor)
        return Response({"next": next_url, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page; null on the last one.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Where the page starts: take it from the previous page's `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Leads per page (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


def _after(ordering: list[str], position: list) -> Q:
    """The rows after ``position`` in ``ordering`` (lookups, "-" for descending): (a, b) after (x, y)
    when a is beyond x, or a equals x and b is beyond y."""
    alternatives, equal = [], Q()
    for lookup, value in zip(ordering, position, strict=True):
        field = lookup.lstrip("-")
        beyond = "lt" if lookup.startswith("-") else "gt"
        alternatives.append(equal & Q(**{f"{field}__{beyond}": value}))
        equal &= Q(**{field: value})
    return reduce(operator.or_, alternatives)


def _sort_value(lead, lookup: str):
    return reduce(getattr, lookup.split("__"), lead)


def _text(name: str, description: str, max_length: int = 100) -> OpenApiParameter:
    return OpenApiParameter(name, {"type": "string", "maxLength": max_length}, description=description)


def _choice(name: str, choices, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, enum=[value for value, _ in choices], description=description)


SCORE = {"type": "integer", "minimum": -10_000, "maximum": 10_000}
FILTERS = [
    OpenApiParameter("rubric", int, required=True, description="The id of a rubric with a published version."),
    _text("q", "Part of the account's name or domain."),
    _text(
        "owner",
        f"Whose leads: `{MINE}`, `{UNOWNED}`, `{ANY}` (every lead you may see), or a rep's user id (admins, and "
        "reps who see the team's leads). Default: a rep's own leads, every lead for an admin.",
        max_length=20,
    ),
    _text("grade", "One of the rubric's grades (`-`: qualified below every grade).", max_length=20),
    _choice("engagement", ENGAGEMENT_LEVELS, "The engagement level (a third of the top engagement points each)."),
    _text("industry", "Exact industry."),
    _text("country", "Exact country."),
    _text("region", "Exact region."),
    _choice("stage", LifecycleStage.choices, "The lifecycle stage."),
    _choice("disposition", DISPOSITION_FILTERS, "What reps made of them; default `open` (not disqualified)."),
    OpenApiParameter("min_score", SCORE, description="The lowest score."),
    OpenApiParameter("max_score", SCORE, description="The highest score."),
    OpenApiParameter(
        "new_since",
        OpenApiTypes.DATETIME,
        description="Only leads that (re)qualified after this ISO 8601 date and time.",
    ),
    _choice(
        "segment",
        list(SEGMENTS.items()),
        "New business (prospects, leads, opportunities) or expansion (existing customers), as the list's tabs. "
        "Default: the rubric's first, new business unless the rubric is marked for expansion only; a segment the "
        "rubric is not marked for is refused.",
    ),
    OpenApiParameter(
        "churned",
        bool,
        description="Also churned accounts (expansion only); hidden by default.",
    ),
    _choice(
        "sort",
        [(key, label) for key, (label, _) in SORTS.items()],
        "The order: best score first (default), best fit, most engaged, or by name.",
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary="List a rubric's qualified leads",
        description="The leads you may see, filtered as on the lead list and in its order: a rep sees the "
        "accounts they own and unowned ones (every rep's if allowed to see the team's), an admin every lead.",
        parameters=FILTERS,
        responses={
            200: LeadSerializer(many=True),
            400: OpenApiResponse(FIELD_ERRORS, description="A filter, the page size or the cursor is not valid."),
            401: OpenApiResponse(DETAIL, description="No credentials, or a wrong or revoked token."),
            403: OpenApiResponse(DETAIL, description="Only admins and sales reps may read leads."),
        },
    )
)
class LeadViewSet(viewsets.GenericViewSet):
    serializer_class = LeadSerializer
    permission_classes = [LeadReaders]
    renderer_classes = [AsciiJSONRenderer]
    pagination_class = LeadCursorPagination
    filter_backends = []

    def list(self, request):
        query = LeadQueryForm(request.query_params, user=request.user)
        if not query.is_valid():
            raise ValidationError({field: list(messages) for field, messages in query.errors.items()})
        rubric = query.cleaned_data["rubric"]
        scale = rubric_scale(rubric)
        leads = lead_list(user=request.user, rubric=rubric, filters=query.filters(), scale=scale)
        page = self.paginate_queryset(leads)
        serializer = self.get_serializer(page, many=True, context={**self.get_serializer_context(), "scale": scale})
        return self.get_paginated_response(serializer.data)
