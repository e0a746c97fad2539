"""The events API, under /api/events/ (documented with the rest of the API at /api/schema/)."""

from django.urls import path

from . import api

app_name = "engagement_api"

urlpatterns = [path("", api.EventBatchView.as_view(), name="events")]
