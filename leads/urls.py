from django.urls import path

from . import export_views, views

app_name = "leads"

urlpatterns = [
    path("", views.leads, name="list"),
    path("export.csv", export_views.lead_export_csv, name="export_csv"),
    path("export.xlsx", export_views.lead_export_xlsx, name="export_xlsx"),
    path("matrix/", views.matrix, name="matrix"),
    path("bulk/", views.bulk, name="bulk"),
    path("views/", views.view_save, name="view_save"),
    path("views/<int:view_id>/delete/", views.view_delete, name="view_delete"),
    path("<int:rubric_id>/<int:customer_id>/", views.lead_detail, name="detail"),
    path("<int:rubric_id>/<int:customer_id>/disposition/", views.lead_disposition, name="disposition"),
    path("<int:rubric_id>/<int:customer_id>/owner/", views.lead_owner, name="owner"),
    path("<int:rubric_id>/disqualifications/", views.disqualifications, name="disqualifications"),
]
