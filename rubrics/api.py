"""The rubric API: a rubric's draft as a document (rubrics/document_format.py), read, replaced and published.

Admins only, for reading too: a draft is work in progress, and the people who edit it are the ones who may
read it. The services are the commands' (``rubric_load``, ``rubric_publish``), so a document means the same
over HTTP and from a file. A draft's ETag (its id and revision) lets a client refuse to overwrite a change it
has not seen: ``If-Match`` on PUT answers 412 when the draft is no longer the one read.
"""

import io

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from customers.api import DETAIL, FIELD_ERRORS
from ops.api import AsciiJSONRenderer, NestingSafeJSONParser
from ops.outages import sends_watched
from teams.access import has_role
from teams.models import Role

from .document_schema import DOCUMENT, DOCUMENT_EXAMPLE, PUBLISHED, WORSE
from .models import Rubric, RubricVersion, VersionStatus
from .services.documents import StaleDraft, rubric_dump, rubric_load, version_tag
from .services.drafts import DraftChangedMeanwhile, VersionNotEditable
from .services.publishing import REASON_LIMIT, PublishConflict, WorseThanPublished, rubric_publish

BODY_LIMIT = 1_000_000  # bytes: a rubric of 62 criteria with 200 values each fits many times over


class RubricAdmins(permissions.BasePermission):
    message = "Only admins read and change rubrics through the API."

    def has_permission(self, request, view):
        return has_role(request.user, Role.ADMIN)


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = f"The body is larger than {BODY_LIMIT:,} bytes."
    default_code = "too_large"


class DocumentParser(NestingSafeJSONParser):
    """JSON of at most BODY_LIMIT bytes (DRF reads a body whatever its size)."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read(BODY_LIMIT + 1)
        if len(body) > BODY_LIMIT:
            raise BodyTooLarge()
        return super().parse(io.BytesIO(body), media_type, parser_context)


class PublishRequestSerializer(serializers.Serializer):
    confirm_worse = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REASON_LIMIT,
        help_text="Why to publish a draft whose backtest is significantly worse than the published version's; "
        "kept in the version's history.",
    )

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {key: ["Unknown key: the body has confirm_worse only."] for key in unknown}
            )
        return values


def _rubric(rubric_id: str) -> Rubric:
    # Any text reaches here (the address takes it), so that what is not an id gets this JSON 404 too.
    rubric = None
    if rubric_id.isascii() and rubric_id.isdigit():
        rubric = Rubric.objects.select_related("profile").filter(pk=int(rubric_id)).first()
    if rubric is None:
        raise exceptions.NotFound("No rubric has this id.")
    return rubric


def _draft(rubric: Rubric) -> RubricVersion:
    draft = rubric.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        raise exceptions.NotFound(f"{rubric} has no draft: PUT a document to make one.")
    return draft


def _document(draft: RubricVersion, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(rubric_dump(version=draft), status=status_code, headers={"ETag": f'"{version_tag(draft)}"'})


def _if_match(request) -> str | None:
    """The tag of ``If-Match`` ("*" for any draft), or None; the quotes of a strong tag are dropped."""
    header = (request.headers.get("If-Match") or "").strip()
    if not header:
        return None
    return header[1:-1] if len(header) >= 2 and header[0] == header[-1] == '"' else header


def _invalid(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's refusal as the API's 400: messages by location, the document's own as non_field_errors."""
    messages = serializers.as_serializer_error(error)
    if NON_FIELD_ERRORS in messages:
        messages[api_settings.NON_FIELD_ERRORS_KEY] = messages.pop(NON_FIELD_ERRORS)
    return serializers.ValidationError(messages)


ERRORS = {
    401: OpenApiResponse(DETAIL, description="No credentials, or a wrong or revoked token."),
    403: OpenApiResponse(DETAIL, description="Only admins use the rubric API."),
    404: OpenApiResponse(DETAIL, description="No rubric has this id, or it has no draft."),
}
BODY_ERRORS = {
    400: OpenApiResponse(
        FIELD_ERRORS,
        description="The body is not valid: messages by location in the document (`criteria[2].values`, "
        "`non_field_errors` for the document as a whole), or a `detail` when it is not JSON. Nothing was written.",
    ),
    413: OpenApiResponse(DETAIL, description=f"The body is larger than {BODY_LIMIT:,} bytes."),
    415: OpenApiResponse(DETAIL, description="The body is not JSON (`Content-Type: application/json`)."),
}
RUBRIC_ID = OpenApiParameter("rubric_id", int, OpenApiParameter.PATH, description="The rubric's id.")
ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="The draft's id and revision: send it back in `If-Match` to write only over what you read.",
)


class DraftView(APIView):
    permission_classes = [RubricAdmins]
    parser_classes = [DocumentParser]
    renderer_classes = [AsciiJSONRenderer]

    @extend_schema(
        operation_id="rubric_draft_read",
        summary="Read a rubric's draft as a document",
        description="The draft in the `icp-rubric/1` format, as `manage.py rubric_dump --draft` prints it.",
        parameters=[RUBRIC_ID, ETAG],
        responses={200: OpenApiResponse(DOCUMENT, examples=[DOCUMENT_EXAMPLE]), **ERRORS},
    )
    def get(self, request, rubric_id):
        return _document(_draft(_rubric(rubric_id)))

    @extend_schema(
        operation_id="rubric_draft_replace",
        summary="Replace a rubric's draft with a document",
        description="The whole document is checked first: every problem is answered at once, by location, and "
        "nothing is written. The document then replaces the draft's settings and criteria entirely, or makes the "
        "draft (201) when the rubric has none. Its `profile` and `rubric` names are ignored: the address says "
        "which rubric. A document the draft already says writes nothing and keeps the ETag.",
        request={"application/json": DOCUMENT},
        parameters=[
            RUBRIC_ID,
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                description="The ETag of the draft as you read it (or `*`: any draft, but there must be one); "
                "the draft is replaced only if it is still that one.",
            ),
            ETAG,
        ],
        examples=[DOCUMENT_EXAMPLE],
        responses={
            200: OpenApiResponse(DOCUMENT, description="The draft was replaced (or already said this)."),
            201: OpenApiResponse(DOCUMENT, description="The rubric had no draft: this is the new one."),
            409: OpenApiResponse(DETAIL, description="An editor saved the draft meanwhile; nothing was written."),
            412: OpenApiResponse(DETAIL, description="`If-Match` does not name the draft; nothing was written."),
            **BODY_ERRORS,
            **ERRORS,
        },
    )
    def put(self, request, rubric_id):
        rubric = _rubric(rubric_id)
        had_draft = rubric.versions.filter(status=VersionStatus.DRAFT).exists()
        try:
            draft = rubric_load(document=request.data, user=request.user, rubric=rubric, draft_tag=_if_match(request))
        except DjangoValidationError as error:
            raise _invalid(error) from None
        except StaleDraft as stale:
            return Response({"detail": str(stale)}, status=status.HTTP_412_PRECONDITION_FAILED)
        except (DraftChangedMeanwhile, VersionNotEditable) as changed:
            return Response({"detail": f"{changed} Nothing was written."}, status=status.HTTP_409_CONFLICT)
        return _document(draft, status.HTTP_200_OK if had_draft else status.HTTP_201_CREATED)


class DraftPublishView(APIView):
    permission_classes = [RubricAdmins]
    parser_classes = [DocumentParser]
    renderer_classes = [AsciiJSONRenderer]

    @extend_schema(
        operation_id="rubric_draft_publish",
        summary="Publish a rubric's draft",
        description="Backtests the draft against the published version, publishes it and starts re-scoring the "
        "customer base (the job's progress page: `job_page`). A draft that separates won from lost deals "
        "significantly worse is published only with `confirm_worse`, the reason, kept in the version's history.",
        parameters=[RUBRIC_ID],
        request=PublishRequestSerializer,
        responses={
            202: OpenApiResponse(PUBLISHED, description="Published; the re-score job is under way."),
            409: OpenApiResponse(
                WORSE,
                description="The draft backtests significantly worse and no reason was given (`backtest` says "
                "how), or it was published meanwhile. Nothing was published.",
            ),
            **BODY_ERRORS,
            **ERRORS,
        },
    )
    def post(self, request, rubric_id):
        rubric = _rubric(rubric_id)
        body = PublishRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        draft = _draft(rubric)
        try:
            with sends_watched() as waiting:
                job = rubric_publish(
                    version=draft, user=request.user, confirm_worse=body.validated_data.get("confirm_worse", "")
                )
        except WorseThanPublished as worse:
            return Response(
                {"detail": str(worse), "backtest": worse.backtest.snapshot()}, status=status.HTTP_409_CONFLICT
            )
        except PublishConflict as conflict:
            return Response({"detail": f"{conflict} Nothing was started again."}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as error:
            raise _invalid(error) from None
        job_page = request.build_absolute_uri(reverse("rubrics:job_detail", kwargs={"job_id": job.pk}))
        return Response(
            {"version": draft.number, "job": job.pk, "job_page": job_page, "waiting": bool(waiting)},
            status=status.HTTP_202_ACCEPTED,
        )
