from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("<slug:kind>/", views.import_upload_view, name="upload"),
    path("job/<int:job_id>/", views.import_detail_view, name="detail"),
    path("job/<int:job_id>/columns/", views.import_mapping_view, name="mapping"),
    path("job/<int:job_id>/progress/", views.import_progress_view, name="progress"),
    path("job/<int:job_id>/run/", views.import_run_view, name="run"),
    path("job/<int:job_id>/cancel/", views.import_cancel_view, name="cancel"),
]
