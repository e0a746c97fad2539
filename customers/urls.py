from django.urls import path

from imports import views as import_views

from . import views

app_name = "customers"
KIND = {"kind": "customers"}

urlpatterns = [
    # The customer list, detail, edit and export (views.py).
    path("", views.customer_list, name="list"),
    path("results/", views.customer_results, name="results"),
    path("export.csv", views.customer_export_csv, name="export_csv"),
    path("export.xlsx", views.customer_export_xlsx, name="export_xlsx"),
    path("categories/", views.category_spellings, name="categories"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/delete/", views.customer_delete_confirm, name="delete"),
    # Imports: the shared pages (imports.views) at the addresses they had here, for customer files only.
    path("import/", import_views.import_upload_view, KIND, name="imports"),
    path("import/<int:job_id>/", import_views.import_detail_view, KIND, name="import_detail"),
    path("import/<int:job_id>/columns/", import_views.import_mapping_view, KIND, name="import_mapping"),
    path("import/<int:job_id>/progress/", import_views.import_progress_view, KIND, name="import_progress"),
    path("import/<int:job_id>/run/", import_views.import_run_view, KIND, name="import_run"),
    path("import/<int:job_id>/cancel/", import_views.import_cancel_view, KIND, name="import_cancel"),
]
