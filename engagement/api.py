"""``POST /api/events/``: a batch of up to 1,000 engagement events, for admins and their API tokens.

All or nothing: one bad event (malformed, an unknown account or type, a bad time) makes the answer a 400 that
lists every bad event by its index with its messages, and nothing is written. A resent event (same account,
id and time) is not counted again: the answer says how many were new and how many were duplicates.
"""

import io

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ops.api import AsciiJSONRenderer, NestingSafeJSONParser
from teams.api_auth import ReadAnyRoleWriteAdmin

from .services import MAX_BATCH, EventsRejected, events_ingest, events_parse

BODY_LIMIT = 2_000_000  # bytes: 1,000 events of a few hundred bytes each fit many times over


class EventWriters(ReadAnyRoleWriteAdmin):
    message = "Only admins (or their API tokens) may send events."


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = f"The body is larger than {BODY_LIMIT:,} bytes."
    default_code = "too_large"


class EventsParser(NestingSafeJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read(BODY_LIMIT + 1)
        if len(body) > BODY_LIMIT:
            raise BodyTooLarge()
        return super().parse(io.BytesIO(body), media_type, parser_context)


EVENT = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "maxLength": 100, "description": "The sender's own id of the event."},
        "external_id": {"type": "string", "description": "The account's external id (or give its domain)."},
        "domain": {"type": "string", "description": "The account's domain, when there is no external id."},
        "type": {"type": "string", "description": "The event type's key: website_visit, email_click..."},
        "occurred_at": {"type": "string", "format": "date-time", "description": "ISO 8601 with its offset."},
        "contact": {"type": "string", "maxLength": 200},
    },
    "required": ["id", "type", "occurred_at"],
    "additionalProperties": False,
}
REQUEST = {
    "type": "object",
    "properties": {"events": {"type": "array", "items": EVENT, "minItems": 1, "maxItems": MAX_BATCH}},
    "required": ["events"],
    "additionalProperties": False,
}
ANSWER = {
    "type": "object",
    "properties": {
        "received": {"type": "integer"},
        "new": {"type": "integer"},
        "duplicates": {"type": "integer", "description": "Events stored before (or twice in the batch)."},
    },
    "required": ["received", "new", "duplicates"],
}
ERRORS = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "index": {
                        "anyOf": [{"type": "integer"}, {"type": "null"}],
                        "description": "The event's index; null: the batch as a whole.",
                    },
                    "messages": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
    "required": ["detail"],
}
DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}


class EventBatchView(APIView):
    permission_classes = [EventWriters]
    parser_classes = [EventsParser]
    renderer_classes = [AsciiJSONRenderer]

    @extend_schema(
        operation_id="events_create",
        summary="Send a batch of engagement events",
        description=__doc__,
        request={"application/json": REQUEST},
        responses={
            200: OpenApiResponse(ANSWER, description="Written: how many were new, how many duplicates."),
            400: OpenApiResponse(ERRORS, description="Nothing was written: every bad event with its messages."),
            401: OpenApiResponse(DETAIL, description="No credentials, or a wrong or revoked token."),
            403: OpenApiResponse(DETAIL, description="Only admins (and their tokens) send events."),
            413: OpenApiResponse(DETAIL, description=f"The body is larger than {BODY_LIMIT:,} bytes."),
            415: OpenApiResponse(DETAIL, description="The body is not JSON."),
        },
        examples=[
            OpenApiExample(
                "One visit",
                value={
                    "events": [
                        {
                            "id": "v-1",
                            "external_id": "CRM-1",
                            "type": "website_visit",
                            "occurred_at": "2026-12-07T09:30:00Z",
                        }
                    ]
                },
                request_only=True,
            )
        ],
        tags=["events"],
    )
    def post(self, request):
        body = request.data
        if not isinstance(body, dict) or set(body) - {"events"} or "events" not in body:
            return Response(
                {
                    "detail": 'The body is {"events": [...]}.',
                    "errors": [{"index": None, "messages": ["events: required"]}],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            events = events_parse(body["events"])
        except EventsRejected as rejected:
            return Response(
                {"detail": "Nothing was written: some events are wrong.", "errors": rejected.errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        ingested = events_ingest(events=events)
        return Response({"received": ingested.received, "new": ingested.new, "duplicates": ingested.duplicates})
