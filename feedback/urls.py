from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.survey_list, name="surveys"),
    path("surveys/new/", views.survey_create_view, name="survey_create"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/send/", views.survey_send_view, name="survey_send"),
    path("surveys/<int:survey_id>/links.csv", views.survey_links, name="survey_links"),
    path("responses/", views.response_list, name="responses"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:import_id>/", views.import_detail, name="import_detail"),
    path("import/<int:import_id>/run/", views.import_run, name="import_run"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/add/", views.referral_add, name="referral_add"),
    path("referrals/<int:referral_id>/status/", views.referral_status, name="referral_status"),
    path("advocacy/", views.advocacy_list, name="advocacy"),
    path("advocacy/add/", views.advocacy_add, name="advocacy_add"),
    path("at-risk/", views.at_risk, name="at_risk"),
]
