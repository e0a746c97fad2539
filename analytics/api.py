"""The analytics API: the figures of the analytics pages as JSON, for a BI tool or a notebook.

Same people as the pages (admins, facilitators, members; not sales reps), same personal tokens as the
rest of the API, read only. The query string is checked by the pages' own forms, so a parameter means
the same here and on the page; a bad one gets 400 with a message per parameter.
"""

from dataclasses import dataclass

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.api import DETAIL, FIELD_ERRORS
from ops.api import AsciiJSONRenderer
from teams.access import has_role

from .accuracy import accuracy_measure, previous_version
from .forms import TOP_DEFAULT, TOP_MAX, TOP_MIN, AccuracyQueryForm, RubricParameterForm, TraitsQueryForm
from .segments import segments_compare
from .selectors import NotAnalysable, analysed_rubric
from .serializers import AccuracySerializer, SegmentsSerializer, TraitsSerializer
from .suggestions import criteria_suggest
from .traits import BASES, Discovery, traits_discover
from .views import ANALYSTS


class AnalyticsReaders(permissions.BasePermission):
    message = "Admins, facilitators and members read the analytics; sales reps do not."

    def has_permission(self, request, view):
        return has_role(request.user, *ANALYSTS)


RUBRIC = OpenApiParameter("rubric", int, required=True, description="The id of a rubric with a published version.")
ERRORS = {
    400: OpenApiResponse(FIELD_ERRORS, description="A parameter is not valid, or the rubric has no published version."),
    401: OpenApiResponse(DETAIL, description="No credentials, or a wrong or revoked token."),
    403: OpenApiResponse(DETAIL, description="Sales reps do not read the analytics."),
}


def _errors(form) -> dict:
    return {name: list(messages) for name, messages in form.errors.items()}


def _rubric(request):
    """The rubric and its published version named by ``rubric``, or a 400 that says what is wrong."""
    form = RubricParameterForm(request.query_params)
    if not form.is_valid():
        raise ValidationError(_errors(form))
    try:
        return analysed_rubric(form.cleaned_data["rubric"])
    except NotAnalysable as error:
        raise ValidationError({"rubric": [str(error)]}) from None


class AnalyticsView(APIView):
    permission_classes = [AnalyticsReaders]
    renderer_classes = [AsciiJSONRenderer]


class SegmentsView(AnalyticsView):
    @extend_schema(
        operation_id="analytics_segments",
        summary="Segments compared",
        description="The published version's scored customers: all, fit against not fit, and each grade, with NPS, "
        "sentiment, churn rate, CLV, conversion, sales cycle and tenure, each with its 95% interval and n.",
        parameters=[RUBRIC],
        responses={200: SegmentsSerializer, **ERRORS},
    )
    def get(self, request):
        rubric, version = _rubric(request)
        compared = segments_compare(rubric=rubric, version=version)
        return Response(SegmentsSerializer(compared).data)


class AccuracyView(AnalyticsView):
    @extend_schema(
        operation_id="analytics_accuracy",
        summary="Is the ICP accurate?",
        description="Deciles and grades of the published version's score against conversion, CLV and churn, with "
        "the lift over the base rate, and the AUC of the score for won against lost deals; compared with another "
        "version scored on the fly over the same customers (DeLong's paired test).",
        parameters=[
            RUBRIC,
            OpenApiParameter(
                "against",
                int,
                description="The id of another version of the rubric to compare with (default: the one before).",
            ),
        ],
        responses={200: AccuracySerializer, **ERRORS},
    )
    def get(self, request):
        rubric, version = _rubric(request)
        form = AccuracyQueryForm(request.query_params, version=version)
        if not form.is_valid():
            raise ValidationError(_errors(form))
        against = form.cleaned_data["against"] or previous_version(version)
        measured = accuracy_measure(rubric=rubric, version=version, against=against)
        return Response(AccuracySerializer(measured).data)


@dataclass
class _Traits:
    rubric: object
    discovery: Discovery
    suggestions: list


class TraitsView(AnalyticsView):
    @extend_schema(
        operation_id="analytics_traits",
        summary="What do our best customers share?",
        description="Among the customers the best are chosen from (`best.population`): every value of the fields "
        "known before the sale, share among the best against share among all, with the lift and the significance (p, "
        "and q corrected over every value, set and band); per field, the set of values (`sets`) or the band of a "
        "number (`bands`) the best share most, with p corrected for the search that found it; the strongest traits "
        "crossed in `pairs` (does having both matter beyond each alone?); the values of fields known only after the "
        "sale apart (`also_show`, never suggested); then the criteria suggested from the significant ones.",
        parameters=[
            RUBRIC,
            OpenApiParameter("best", str, enum=list(BASES), description="Who the best are (default `clv`)."),
            OpenApiParameter(
                "top",
                {"type": "integer", "minimum": TOP_MIN, "maximum": TOP_MAX},
                description=f"The top share in percent for clv, tenure and nps (default {TOP_DEFAULT}).",
            ),
        ],
        responses={200: TraitsSerializer, **ERRORS},
    )
    def get(self, request):
        rubric, _ = _rubric(request)
        form = TraitsQueryForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(_errors(form))
        discovery = traits_discover(rubric=rubric, basis=form.cleaned_data["best"], top=form.cleaned_data["top"])
        return Response(TraitsSerializer(_Traits(rubric, discovery, criteria_suggest(discovery))).data)
