from django.urls import path

from . import views

app_name = "lookalikes"

urlpatterns = [
    path("", views.search, name="search"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("assign/", views.assign, name="assign"),
    path("save/", views.view_save, name="view_save"),
    path("weights/", views.weights, name="weights"),
    path("weights/relearn/", views.relearn, name="relearn"),
    path("customers/<int:customer_id>/", views.panel, name="panel"),
]
