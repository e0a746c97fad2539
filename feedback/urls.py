from django.urls import path

from imports import views as import_views

from . import views

app_name = "feedback"
KIND = {"kind": "feedback-answers"}

urlpatterns = [
    path("", views.survey_list, name="surveys"),
    path("surveys/new/", views.survey_create_view, name="survey_create"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/send/", views.survey_send_view, name="survey_send"),
    path("surveys/<int:survey_id>/links.csv", views.survey_links, name="survey_links"),
    path("responses/", views.response_list, name="responses"),
    # Importing answers: the shared pages (imports.views) at the addresses they had here.
    path("import/", import_views.import_upload_view, KIND, name="import"),
    path("import/<int:job_id>/", import_views.import_detail_view, KIND, name="import_detail"),
    path("import/<int:job_id>/run/", import_views.import_run_view, KIND, name="import_run"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/add/", views.referral_add, name="referral_add"),
    path("referrals/<int:referral_id>/status/", views.referral_status, name="referral_status"),
    path("advocacy/", views.advocacy_list, name="advocacy"),
    path("advocacy/add/", views.advocacy_add, name="advocacy_add"),
    path("at-risk/", views.at_risk, name="at_risk"),
]
