from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("home.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("people/", include("teams.urls")),
    path("customers/", include("customers.urls")),
    path("imports/", include("imports.urls")),
    path("profiles/", include("profiles.urls")),
    path("rubrics/", include("rubrics.urls")),
    path("leads/", include("leads.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("workshops/", include("workshops.urls")),
    path("feedback/", include("feedback.urls")),
    path("s/", include("feedback.public_urls")),
    path("lookalikes/", include("lookalikes.urls")),
    path("routing/", include("routing.urls")),
    path("engagement/", include("engagement.urls")),
    path("analytics/", include("analytics.urls")),
    path("api/analytics/", include("analytics.api_urls")),
    path("api/rubrics/", include("rubrics.api_urls")),
    path("api/events/", include("engagement.api_urls")),
    path("api/lookalikes/", include("lookalikes.api_urls")),
    path("api/", include("icpsite.api_urls")),
    path("django-admin/", admin.site.urls),
]

# An outage that escapes the views (ops.middleware.ServiceUnavailableMiddleware) is still a 503, not a 500.
handler500 = "ops.outages.server_error"
