from django.urls import path

from . import export_views, views

app_name = "profiles"

urlpatterns = [
    path("", views.profile_list, name="list"),
    path("new/", views.profile_create, name="create"),
    path("<int:profile_id>/", views.profile_detail, name="detail"),
    path("<int:profile_id>/customers/", views.customer_search, name="customer_search"),
    path("<int:profile_id>/review/", views.review_set, name="review_set"),
    path("<int:profile_id>/checklist/", views.checklist_mark, name="checklist_mark"),
    path("<int:profile_id>/sections/<str:section>/items/new/", views.item_add, name="item_add"),
    path("<int:profile_id>/exemplars/new/", views.exemplar_add, name="exemplar_add"),
    path("<int:profile_id>/print/", export_views.profile_print, name="print"),
    path("<int:profile_id>/export.md", export_views.profile_export_markdown, name="export_markdown"),
    path("items/<int:item_id>/", views.item_edit, name="item_edit"),
    path("items/<int:item_id>/status/", views.item_status, name="item_status"),
    path("items/<int:item_id>/history/", views.item_history, name="item_history"),
    path("exemplars/<int:exemplar_id>/status/", views.exemplar_status, name="exemplar_status"),
    path("exemplars/<int:exemplar_id>/remove/", views.exemplar_remove, name="exemplar_remove"),
]
