"""The lookalikes API: the base ranked by similarity to a seed, for every role (as the customer base is)."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.api import DETAIL, FIELD_ERRORS
from ops.api import AsciiJSONRenderer
from teams.access import ANY_ROLE, has_role

from .forms import API_LIMIT_MAX, MAX_PAGES, LookalikeQueryForm
from .selectors import BadSeed, NotReady, lookalikes_find
from .serializers import LookalikePageSerializer

DEFAULT_LIMIT = 50


class LookalikeReaders(permissions.BasePermission):
    message = "People with a role read similar accounts."

    def has_permission(self, request, view):
        return has_role(request.user, *ANY_ROLE)


def _flag(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, bool, description=description)


class LookalikesView(APIView):
    permission_classes = [LookalikeReaders]
    renderer_classes = [AsciiJSONRenderer]

    @extend_schema(
        operation_id="lookalikes_list",
        summary="Similar accounts",
        description="The customer base ranked by similarity to a seed: accounts by external id (`seed`, repeated), "
        "every won deal (`seed=won`), a profile's best customers (`profile`) or one of your saved lead views "
        "(`seed_view`). Give exactly one. Each account comes with its similarity (0 to 100), the three traits that "
        "make it similar (`because`) and the main difference (`unlike`). The seed's own accounts never come back. "
        "A value the account lacks is no data (`value` null) and never counts as a match. The weights are on the "
        "page /lookalikes/weights/.",
        parameters=[
            OpenApiParameter("seed", str, many=True, description="An external id (repeatable, up to 100), or `won`."),
            OpenApiParameter("profile", int, description="A profile's id: its exemplars are the seed."),
            OpenApiParameter(
                "seed_view", int, description="One of your saved lead-list views: its leads are the seed."
            ),
            _flag("prospects", "Only prospects (lifecycle stage)."),
            _flag("unowned", "Only accounts nobody owns."),
            _flag("unqualified", "Only accounts no published rubric qualifies."),
            OpenApiParameter("region", str, description="Only this region."),
            OpenApiParameter("industry", str, description="Only this industry."),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": API_LIMIT_MAX},
                description=f"Accounts per page (default {DEFAULT_LIMIT}).",
            ),
            OpenApiParameter(
                "page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGES}, description="Page, from 1."
            ),
        ],
        responses={
            200: LookalikePageSerializer,
            400: OpenApiResponse(FIELD_ERRORS, description="A parameter is not valid, or the seed names no account."),
            401: OpenApiResponse(DETAIL, description="No credentials, or a wrong or revoked token."),
            403: OpenApiResponse(DETAIL, description="The account has no role."),
            409: OpenApiResponse(DETAIL, description="The similarity model is not built yet."),
        },
    )
    def get(self, request):
        form = LookalikeQueryForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise ValidationError(
                {
                    (name if name != "__all__" else "non_field_errors"): list(messages)
                    for name, messages in form.errors.items()
                }
            )
        try:
            page = lookalikes_find(
                seed=form.seed(),
                filters=form.filters(),
                number=form.page_number(),
                per_page=form.cleaned_data["limit"] or DEFAULT_LIMIT,
            )
        except BadSeed as error:
            raise ValidationError({"seed": [str(error)]}) from None
        except NotReady as error:
            return Response({"detail": str(error)}, status=409)
        return Response(LookalikePageSerializer(page).data)
