from django.urls import path

from . import views

app_name = "leads"

urlpatterns = [
    path("", views.leads, name="list"),
    path("<int:rubric_id>/<int:customer_id>/", views.lead_detail, name="detail"),
    path("<int:rubric_id>/<int:customer_id>/disposition/", views.lead_disposition, name="disposition"),
    path("<int:rubric_id>/disqualifications/", views.disqualifications, name="disqualifications"),
]
