"""The analytics API, under /api/analytics/ (documented with the rest of the API at /api/schema/)."""

from django.urls import path

from . import api

app_name = "analytics_api"

urlpatterns = [
    path("segments/", api.SegmentsView.as_view(), name="segments"),
    path("accuracy/", api.AccuracyView.as_view(), name="accuracy"),
    path("traits/", api.TraitsView.as_view(), name="traits"),
]
