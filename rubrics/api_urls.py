"""The rubric API, under /api/rubrics/ (documented with the rest of the API at /api/schema/)."""

from django.urls import path

from . import api

app_name = "rubrics_api"

# Any text as the id, so that one that is not a number gets the API's JSON 404, not the site's page.
urlpatterns = [
    path("<str:rubric_id>/draft/", api.DraftView.as_view(), name="draft"),
    path("<str:rubric_id>/draft/publish/", api.DraftPublishView.as_view(), name="draft_publish"),
]
