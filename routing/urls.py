from django.urls import path

from . import views

app_name = "routing"

urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("new/", views.rule_create, name="rule_create"),
    path("<int:rule_id>/", views.rule_detail, name="rule_detail"),
    path("<int:rule_id>/save/", views.rule_update, name="rule_update"),
    path("<int:rule_id>/delete/", views.rule_remove, name="rule_delete"),
    path("away/", views.away, name="away"),
    path("away/set/", views.away_set, name="away_set"),
    path("away/<int:user_id>/back/", views.away_clear, name="away_clear"),
    path("leads/<int:customer_id>/", views.lead_panel, name="lead_panel"),
]
