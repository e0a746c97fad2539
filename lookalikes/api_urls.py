"""The lookalikes API, under /api/lookalikes/ (documented with the rest of the API at /api/schema/)."""

from django.urls import path

from . import api

app_name = "lookalikes_api"

urlpatterns = [path("", api.LookalikesView.as_view(), name="list")]
