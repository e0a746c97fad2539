from django.urls import path

from imports import views as import_views

from . import views

app_name = "engagement"
KIND = {"kind": "engagement-events"}

urlpatterns = [
    path("types/", views.type_list, name="types"),
    path("types/new/", views.type_create, name="type_create"),
    path("types/<int:type_id>/", views.type_edit, name="type_edit"),
    # Importing events: the shared import pages (imports.views).
    path("import/", import_views.import_upload_view, KIND, name="import"),
    path("import/<int:job_id>/", import_views.import_detail_view, KIND, name="import_detail"),
    path("import/<int:job_id>/run/", import_views.import_run_view, KIND, name="import_run"),
]
