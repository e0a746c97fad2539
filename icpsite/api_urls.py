"""The site's API router: /api/customers/ for CRM sync (customers.api), /api/leads/ (qualified leads,
leads.api), /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI). The analytics and rubric APIs have their
own URL modules, included from icpsite/urls.py."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from customers.api import CustomerViewSet
from leads.api import LeadViewSet

app_name = "api"

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("leads", LeadViewSet, basename="lead")

urlpatterns = [
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
