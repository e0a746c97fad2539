"""The customer API for CRM sync: list, read, create, change, delete and bulk upsert by external id.

Every role may read; only admins may write. Writes go through the services
with ``source=ChangeSource.API`` so they land in the change log like any other.
"""

from dataclasses import asdict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from ops.api import AsciiJSONRenderer, BoundedIsoDateTimeFilter, NestingSafeJSONParser
from ops.locks import LockBusy
from ops.text import text_problem
from teams.api_auth import ReadAnyRoleWriteAdmin

from .models import ChangeSource, Customer, LifecycleStage
from .serializers import (
    BIGINT_MAX,
    MAX_BULK_ROWS,
    BulkUpsertResultSerializer,
    BulkUpsertSerializer,
    CustomerSerializer,
    CustomerUpsertSerializer,
    bulk_rows_validate,
    customer_values,
    storable_external_ids,
)
from .services.records import customer_create, customer_delete, customer_update
from .services.upserts import customers_upsert


class CustomerFilter(filters.FilterSet):
    industry = filters.CharFilter(help_text="Exact industry.")
    country = filters.CharFilter(help_text="Exact country.")
    region = filters.CharFilter(help_text="Exact region.")
    lifecycle_stage = filters.ChoiceFilter(choices=LifecycleStage.choices)
    owner = filters.CharFilter(field_name="owner__username", help_text="The owner's username.")
    updated_since = BoundedIsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after this ISO 8601 date and time."
    )
    q = filters.CharFilter(method="search", help_text="Part of the name, domain or external id.")

    class Meta:
        model = Customer
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(domain__icontains=value) | Q(external_id__icontains=value))


class CustomerCursorPagination(CursorPagination):
    """Pages in id order: stable while customers are added, changed or deleted between requests."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1_000

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                position = int(cursor.position)
            except ValueError:
                raise NotFound(self.invalid_cursor_message) from None
            if not 0 <= position <= BIGINT_MAX:
                raise NotFound(self.invalid_cursor_message)
            cursor = cursor._replace(position=position)
        return cursor


class StrictRequestSchema(OpenApiSerializerExtension):
    """Say in the schema what the serializers enforce: fields they do not know are refused."""

    target_class = CustomerSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema


class StrictBulkSchema(StrictRequestSchema):
    target_class = BulkUpsertSerializer

    def map_serializer(self, auto_schema, direction):
        schema = super().map_serializer(auto_schema, direction)
        schema["properties"]["customers"]["items"] = auto_schema.resolve_serializer(
            CustomerUpsertSerializer, direction
        ).ref
        return schema


DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
FIELD_MESSAGES = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
FIELD_ERRORS = {
    **FIELD_MESSAGES,
    "description": "Messages per field (`non_field_errors` for the body as a whole), or a `detail` "
    "when the body is not JSON.",
    "properties": {"detail": {"type": "string"}},
}
BULK_ERRORS = {
    **FIELD_ERRORS,
    "description": "`errors` lists the rows that are wrong, by index in `customers`; nothing was saved. "
    "Otherwise messages per field of the envelope, or a `detail` when the body is not JSON.",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "index": {"type": "integer"},
                    "external_id": {"type": "string", "nullable": True},
                    "errors": FIELD_MESSAGES,
                },
                "required": ["index", "external_id", "errors"],
            },
        },
    },
}
COMMON_ERRORS = {
    401: OpenApiResponse(DETAIL, description="No credentials, or a wrong or revoked token."),
    403: OpenApiResponse(DETAIL, description="Reading is open to every role; writing only to admins."),
}
# A bulk call waits this long for an import (or another bulk call) writing customers to commit (their upserts
# commit one at a time: services/upserts.py), then answers 409 rather than hold a web thread for the import's length.
BULK_LOCK_WAIT_SECONDS = 5
BULK_RETRY_AFTER_SECONDS = 30
WRITE_ERRORS = {
    **COMMON_ERRORS,
    400: OpenApiResponse(FIELD_ERRORS, description="The body is not valid; nothing was saved."),
    415: OpenApiResponse(DETAIL, description="The body is not JSON (`Content-Type: application/json`)."),
}
NOT_FOUND = {404: OpenApiResponse(DETAIL, description="No customer has this external id.")}
EXTERNAL_ID = OpenApiParameter(
    "external_id",
    str,
    OpenApiParameter.PATH,
    description="The CRM's record id (any characters but `/`).",
    pattern="^[^/]+$",
)


@extend_schema_view(
    list=extend_schema(
        summary="List customers",
        responses={
            200: CustomerSerializer(many=True),
            400: OpenApiResponse(FIELD_ERRORS, description="A filter is not valid."),
            404: OpenApiResponse(DETAIL, description="The cursor is not valid."),
            **COMMON_ERRORS,
        },
    ),
    retrieve=extend_schema(
        summary="Read one customer",
        parameters=[EXTERNAL_ID],
        responses={200: CustomerSerializer, **NOT_FOUND, **COMMON_ERRORS},
    ),
    create=extend_schema(summary="Create a customer", responses={201: CustomerSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(
        summary="Change some fields of a customer",
        parameters=[EXTERNAL_ID],
        responses={200: CustomerSerializer, **NOT_FOUND, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a customer",
        parameters=[EXTERNAL_ID],
        responses={204: OpenApiResponse(description="Deleted."), **NOT_FOUND, **COMMON_ERRORS},
    ),
)
class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Customer.objects.select_related("owner").order_by("id")
    serializer_class = CustomerSerializer
    permission_classes = [ReadAnyRoleWriteAdmin]
    parser_classes = [NestingSafeJSONParser]
    renderer_classes = [AsciiJSONRenderer]
    pagination_class = CustomerCursorPagination
    filterset_class = CustomerFilter
    lookup_field = "external_id"
    lookup_value_regex = "[^/]+"

    def get_object(self):
        if text_problem(self.kwargs[self.lookup_field]):
            raise NotFound("No customer has this external id.")
        return super().get_object()

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = _saved(
            customer_create,
            values=customer_values(serializer.validated_data),
            user=request.user,
            source=ChangeSource.API,
        )
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, external_id):
        customer = self.get_object()
        serializer = self.get_serializer(customer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        customer = _saved(
            customer_update,
            customer=customer,
            values=customer_values(serializer.validated_data),
            user=request.user,
            source=ChangeSource.API,
        )
        return Response(self.get_serializer(customer).data)

    def destroy(self, request, external_id):
        try:
            customer_delete(customer=self.get_object(), user=request.user, source=ChangeSource.API)
        except Customer.DoesNotExist:  # deleted by another request meanwhile
            raise NotFound("No customer has this external id.") from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Create or update customers by external id",
        description=f"All or nothing: at most {MAX_BULK_ROWS} rows, each saved only if every row is valid. "
        "A row for a new external id needs a name; a row for an existing one changes only the fields it has "
        "(`extra` is merged).",
        request=BulkUpsertSerializer,
        responses={
            200: BulkUpsertResultSerializer,
            400: OpenApiResponse(BULK_ERRORS, description="Some rows are not valid; nothing was saved."),
            409: OpenApiResponse(
                DETAIL,
                description=f"An import or another bulk call has been writing customers for {BULK_LOCK_WAIT_SECONDS} s;"
                " nothing was saved: send it again after `Retry-After` seconds.",
            ),
            **{code: response for code, response in WRITE_ERRORS.items() if code != 400},
        },
    )
    @action(detail=False, methods=["post"], filterset_class=None, pagination_class=None)
    def bulk(self, request):
        envelope = BulkUpsertSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        rows = envelope.validated_data["customers"]
        existing_ids = set(
            Customer.objects.filter(external_id__in=storable_external_ids(rows)).values_list("external_id", flat=True)
        )
        values, errors = bulk_rows_validate(rows, existing_ids=existing_ids, context=self.get_serializer_context())
        if errors:
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        try:
            with transaction.atomic():
                result = _saved(
                    customers_upsert,
                    rows=values,
                    user=request.user,
                    source=ChangeSource.API,
                    batch_size=MAX_BULK_ROWS,
                    lock_wait=BULK_LOCK_WAIT_SECONDS,
                )
        except LockBusy:
            return Response(
                {
                    "detail": "An import or another bulk call is writing customers; nothing was saved. "
                    f"Send this again in {BULK_RETRY_AFTER_SECONDS} seconds."
                },
                status=status.HTTP_409_CONFLICT,
                headers={"Retry-After": str(BULK_RETRY_AFTER_SECONDS)},
            )
        return Response(asdict(result))


def _saved(service, **kwargs):
    """Call a write service; the model's own validation failing is the client's 400, not our 500."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise serializers.ValidationError(serializers.as_serializer_error(error)) from error
